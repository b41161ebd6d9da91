package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/filter"
	adminviews "jiaxiao/views/admin"
	notifyviews "jiaxiao/views/notify"
)

func (s *Server) notificationsPage(c echo.Context) error {
	u := userOf(c)
	ns, err := s.centre.List(c.Request().Context(), u.ID, 100)
	if err != nil {
		return err
	}
	v := notifyviews.View{CSRF: csrfOf(c)}
	for _, n := range ns {
		v.Lines = append(v.Lines, notifyviews.Line{Title: n.Title, Body: n.Body, Link: n.Link, When: n.CreatedAt.In(s.loc).Format("01-02 15:04"), Unread: n.ReadAt == nil})
	}
	return render(c, http.StatusOK, notifyviews.Page(page(c, "通知"), v))
}

func (s *Server) markNotificationsRead(c echo.Context) error {
	if err := s.centre.MarkAllRead(c.Request().Context(), userOf(c).ID); err != nil {
		return err
	}
	return redirect(c, "/notifications")
}

func (s *Server) wordsView(c echo.Context) (adminviews.WordsView, error) {
	words, err := s.words.List(c.Request().Context(), userOf(c), 0)
	if err != nil {
		return adminviews.WordsView{}, err
	}
	v := adminviews.WordsView{CSRF: csrfOf(c)}
	v.Categories, v.Actions = wordOptions()
	for _, w := range words {
		v.Words = append(v.Words, adminviews.WordRow{Pattern: w.Pattern, Category: w.Category.Label(), Action: w.Action.Label(),
			DeleteURL: "/admin/words/" + strconv.FormatUint(w.ID, 10) + "/delete"})
	}
	return v, nil
}

func (s *Server) wordsPage(c echo.Context) error {
	v, err := s.wordsView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, adminviews.WordsPage(page(c, "全校词库"), v))
}

func (s *Server) addSchoolWord(c echo.Context) error {
	pattern := c.FormValue("pattern")
	err := s.words.Add(c.Request().Context(), userOf(c), 0, pattern, filter.Category(c.FormValue("category")), filter.Action(c.FormValue("action")))
	if ve, ok := apperr.AsValidation(err); ok {
		v, verr := s.wordsView(c)
		if verr != nil {
			return verr
		}
		v.Pattern, v.Error = pattern, ve.Message()
		return render(c, http.StatusUnprocessableEntity, adminviews.WordsPage(page(c, "全校词库"), v))
	}
	if err != nil {
		return err
	}
	return redirect(c, "/admin/words")
}

func (s *Server) deleteSchoolWord(c echo.Context) error {
	wid, err := idParam(c, "wid")
	if err != nil {
		return err
	}
	if err := s.words.Delete(c.Request().Context(), userOf(c), 0, wid); err != nil {
		return err
	}
	return redirect(c, "/admin/words")
}

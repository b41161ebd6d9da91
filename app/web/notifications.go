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
		l := notifyviews.Line{Title: n.Title, Body: n.Body, When: n.CreatedAt.In(s.loc).Format("01-02 15:04"), Unread: n.ReadAt == nil}
		if n.Link != "" {
			l.URL = "/notifications/" + strconv.FormatUint(n.ID, 10)
		}
		if l.Unread {
			v.Unread++
		}
		v.Lines = append(v.Lines, l)
	}
	return render(c, http.StatusOK, notifyviews.Page(page(c, "提醒"), v))
}

// openNotification is a tap on a 提醒: it is marked read (the badge drops
// on every open page) and the user goes where it points.
func (s *Server) openNotification(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := s.centre.Open(c.Request().Context(), userOf(c).ID, id)
	if err != nil {
		return err
	}
	if s.hub != nil {
		s.hub.Poke()
	}
	to := "/notifications"
	if n.Link != "" && safeNext(n.Link) == n.Link {
		to = n.Link
	}
	return c.Redirect(http.StatusSeeOther, to)
}

func (s *Server) markNotificationsRead(c echo.Context) error {
	if err := s.centre.MarkAllRead(c.Request().Context(), userOf(c).ID); err != nil {
		return err
	}
	s.setFlash(c, flashAllRead)
	return redirect(c, "/notifications")
}

var flashAllRead = sayFlash("notifications-read", "已全部标为已读。")

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
		v.Pattern, v.Category, v.Action, v.Error = pattern, c.FormValue("category"), c.FormValue("action"), ve.Message()
		return render(c, http.StatusUnprocessableEntity, adminviews.WordsPage(page(c, "全校词库"), v))
	}
	if err != nil {
		return err
	}
	s.setFlash(c, flashSchoolWordAdded)
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
	s.setFlash(c, flashSchoolWordDeleted)
	return redirect(c, "/admin/words")
}

var (
	flashSchoolWordAdded   = sayFlash("school-word-added", "已加入全校词库，新发布的内容立即按它处理。")
	flashSchoolWordDeleted = sayFlash("school-word-deleted", "已从全校词库删除。")
)

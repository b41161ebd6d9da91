package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/archive"
	"jiaxiao/app/file"
	"jiaxiao/app/notice"
	archiveviews "jiaxiao/views/archive"
	"jiaxiao/views/component"
)

// archiveQueryMax bounds the search words: a longer LIKE pattern costs
// the database more and finds nothing a person types.
const archiveQueryMax = 100

// firstRunes is s cut to at most n characters.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func (s *Server) archiveView(c echo.Context) (archiveviews.ListView, error) {
	ctx, u := c.Request().Context(), userOf(c)
	q := archive.Query{Q: firstRunes(c.QueryParam("q"), archiveQueryMax), Category: firstRunes(c.QueryParam("category"), 20)}
	q.GroupID = optionalID(c.QueryParam("group"))
	q.Page = pageParam(c.QueryParam("page"))
	if q.Page < 1 {
		q.Page = 1
	}
	if t, err := time.ParseInLocation(time.DateOnly, c.QueryParam("from"), s.loc); err == nil {
		q.From = t.UTC()
	}
	if t, err := time.ParseInLocation(time.DateOnly, c.QueryParam("to"), s.loc); err == nil {
		q.To = t.AddDate(0, 0, 1).UTC()
	}
	hits, total, err := s.archive.Search(ctx, u, q)
	if err != nil {
		return archiveviews.ListView{}, err
	}
	v := archiveviews.ListView{CSRF: csrfOf(c), Q: q.Q, From: c.QueryParam("from"), To: c.QueryParam("to"), Total: total,
		CanFile: archive.CanFile(u) == nil, FileErrors: map[string]string{}}
	v.Categories = append(v.Categories, component.Option{Value: "", Label: "全部类别"})
	for _, k := range notice.Categories {
		v.Categories = append(v.Categories, component.Option{Value: k, Label: k, Selected: k == q.Category})
	}
	for _, k := range []string{archive.HomeworkCategory, "报表"} {
		v.Categories = append(v.Categories, component.Option{Value: k, Label: k, Selected: k == q.Category})
	}
	for _, k := range archive.DocumentCategories {
		v.DocCats = append(v.DocCats, component.Option{Value: k, Label: k})
	}
	mine, err := s.groups.Mine(ctx, u)
	if err != nil {
		return v, err
	}
	v.Groups = append(v.Groups, component.Option{Value: "", Label: "全部群"})
	for _, g := range mine {
		id := strconv.FormatUint(g.ID, 10)
		v.Groups = append(v.Groups, component.Option{Value: id, Label: g.Name, Selected: g.ID == q.GroupID})
		v.FileGroups = append(v.FileGroups, component.Option{Value: id, Label: g.Name})
	}
	for _, h := range hits {
		state := "已归档"
		if h.ArchivedAt == nil {
			state = "归档中"
		}
		v.Hits = append(v.Hits, archiveviews.Hit{URL: "/archive/" + strconv.FormatUint(h.ID, 10), Title: h.Title, Category: h.Category,
			Groups: h.Groups, When: h.CreatedAt.In(s.loc).Format("2006-01-02"), State: state})
	}
	page := func(p int) string {
		vals := c.QueryParams()
		out := url.Values{}
		for k, vs := range vals {
			out[k] = vs
		}
		out.Set("page", strconv.Itoa(p))
		return "/archive?" + out.Encode()
	}
	if q.Page > 1 {
		v.PrevURL = page(q.Page - 1)
	}
	if int64(q.Page*archive.PageSize) < total {
		v.NextURL = page(q.Page + 1)
	}
	return v, nil
}

func (s *Server) archiveList(c echo.Context) error {
	v, err := s.archiveView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, archiveviews.ListPage(page(c, "归档"), v))
}

func (s *Server) archiveShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	h, files, err := s.archive.Get(c.Request().Context(), userOf(c), id)
	if err != nil {
		return err
	}
	v := archiveviews.ShowView{Title: h.Title, Category: h.Category, Groups: h.Groups, When: h.CreatedAt.In(s.loc).Format("2006-01-02 15:04"),
		Body: h.Body, State: "已归档"}
	if h.ArchivedAt == nil {
		v.State = "归档中"
	}
	if h.NoticeID != nil {
		ok, err := s.notices.Visible(c.Request().Context(), userOf(c), *h.NoticeID)
		if err != nil {
			return err
		}
		if ok {
			v.SourceURL, v.SourceLabel = noticeURL(*h.NoticeID), "查看原通知"
		}
	}
	if h.HomeworkID != nil {
		v.Subject = h.Subject
		if h.DueAt != nil {
			v.Due = h.DueAt.In(s.loc).Format("2006-01-02 15:04")
		}
		// The archive's reader may not be the assignment's (a teacher who
		// no longer teaches the class): the link only for who may open it.
		_, err := s.homework.Get(c.Request().Context(), userOf(c), *h.HomeworkID)
		switch {
		case err == nil:
			v.SourceURL, v.SourceLabel = homeworkURL(*h.HomeworkID), "查看原作业"
		case !errors.Is(err, apperr.ErrNotFound) && !errors.Is(err, apperr.ErrForbidden):
			return err
		}
	}
	for _, f := range files {
		v.Files = append(v.Files, archiveviews.File{Name: f.Name, URL: "/files/" + strconv.FormatUint(f.ID, 10), Size: sizeLabel(f.Size), SHA256: f.SHA256})
	}
	return render(c, http.StatusOK, archiveviews.ShowPage(page(c, h.Title), v))
}

var flashFiled = sayFlash("archive-filed", "文件已归档。")

// archiveFile files a standalone document: 303 to it; a bad form 422, and
// object storage down 503, both with the title kept.
func (s *Server) archiveFile(c echo.Context) error {
	title := c.FormValue("title")
	groupID := optionalID(c.FormValue("group_id"))
	fail := func(cause error) error {
		v, err := s.archiveView(c)
		if err != nil {
			return err
		}
		status, msg := formError(cause, v.FileErrors)
		if status >= 500 && !errors.Is(cause, apperr.ErrUnavailable) {
			return cause
		}
		if msg != "" {
			v.FileErrors[""] = msg
		}
		v.FileTitle = title
		return render(c, status, archiveviews.ListPage(page(c, "归档"), v))
	}
	var prepared *file.Prepared
	if fh, err := c.FormFile("file"); err == nil {
		p, err := readUpload(fh)
		if err != nil {
			return fail(err)
		}
		prepared = &p
	}
	e, err := s.archive.FileDocument(c.Request().Context(), userOf(c), title, c.FormValue("category"), groupID, prepared)
	if err != nil {
		return fail(err)
	}
	s.setFlash(c, flashFiled)
	return redirect(c, "/archive/"+strconv.FormatUint(e.ID, 10))
}

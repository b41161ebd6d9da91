package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/notice"
	"jiaxiao/storage"
	"jiaxiao/views/component"
	noticeviews "jiaxiao/views/notice"
)

func noticeURL(id uint64, parts ...string) string {
	return "/notices/" + strconv.FormatUint(id, 10) + strings.Join(parts, "")
}

func sizeLabel(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}

func (s *Server) noticeList(c echo.Context) error {
	u := userOf(c)
	list, err := s.notices.List(c.Request().Context(), u, 200)
	if err != nil {
		return err
	}
	v := noticeviews.ListView{CanWrite: notice.CanCompose(u) == nil}
	for _, n := range list {
		r := noticeviews.Row{URL: noticeURL(n.ID), Title: n.Title, Category: n.Category, When: n.PublishAt.In(s.loc).Format("01-02 15:04")}
		switch {
		case n.Status == notice.Scheduled:
			r.State = "定时发布"
		case n.Mine:
			r.State = fmt.Sprintf("我发布的 · %d 人", n.Recipients)
		case n.ReadAt == nil:
			r.State, r.Unread = "未读", true
		case n.RequiresAck && n.AckedAt == nil:
			r.State = "待确认"
		default:
			r.State = "已读"
		}
		v.Rows = append(v.Rows, r)
	}
	return render(c, http.StatusOK, noticeviews.ListPage(page(c, "通知"), v))
}

func (s *Server) noticeForm(c echo.Context, typed map[string][]string) (noticeviews.Form, error) {
	targets, err := s.notices.Targets(c.Request().Context(), userOf(c))
	if err != nil {
		return noticeviews.Form{}, err
	}
	f := noticeviews.Form{CSRF: csrfOf(c), Errors: map[string]string{}}
	first := func(k string) string {
		if v := typed[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f.Title, f.Body, f.PublishAt, f.RequiresAck = first("title"), first("body"), first("publish_at"), first("requires_ack") == "1"
	cat := first("category")
	if cat == "" {
		cat = notice.Categories[0]
	}
	for _, k := range notice.Categories {
		f.Categories = append(f.Categories, component.Option{Value: k, Label: k, Selected: k == cat})
	}
	for _, g := range targets {
		id := strconv.FormatUint(g.ID, 10)
		f.Groups = append(f.Groups, component.Option{Value: id, Label: g.Name, Selected: slices.Contains(typed["group_id"], id)})
	}
	return f, nil
}

func (s *Server) noticeNew(c echo.Context) error {
	if err := notice.CanCompose(userOf(c)); err != nil {
		return err
	}
	f, err := s.noticeForm(c, nil)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, noticeviews.ComposePage(page(c, "发布通知"), f))
}

// noticeCreate publishes (or schedules) a notice: 303 to it; a bad form
// 422 with everything typed kept.
func (s *Server) noticeCreate(c echo.Context) error {
	form, err := c.MultipartForm()
	if err != nil {
		if err := c.Request().ParseForm(); err != nil {
			return err
		}
	}
	values := c.Request().Form
	in := notice.ComposeInput{Title: values.Get("title"), Body: values.Get("body"), Category: values.Get("category"), RequiresAck: values.Get("requires_ack") == "1"}
	for _, g := range values["group_id"] {
		if id, ok := parseID(g); ok {
			in.GroupIDs = append(in.GroupIDs, id)
		}
	}
	fail := func(cause error) error {
		f, err := s.noticeForm(c, values)
		if err != nil {
			return err
		}
		status, msg := formError(cause, f.Errors)
		if status >= 500 && status != http.StatusServiceUnavailable {
			return cause
		}
		if msg != "" {
			f.Errors[""] = msg
		}
		return render(c, status, noticeviews.ComposePage(page(c, "发布通知"), f))
	}
	if at := strings.TrimSpace(values.Get("publish_at")); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, s.loc)
		if err != nil {
			t, err = time.ParseInLocation("2006-01-02 15:04", at, s.loc)
		}
		if err != nil {
			return fail(apperr.Invalid("publish_at", "定时发布时间格式不对，应为 2026-11-30 08:00"))
		}
		in.PublishAt = &t
	}
	if form != nil {
		for _, fh := range form.File["file"] {
			p, err := readUpload(fh)
			if err != nil {
				return fail(err)
			}
			in.Files = append(in.Files, p)
		}
	}
	n, err := s.notices.Compose(c.Request().Context(), userOf(c), in)
	if err != nil {
		return fail(err)
	}
	return redirect(c, noticeURL(n.ID))
}

func (s *Server) noticeShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	n, err := s.notices.Open(ctx, userOf(c), id)
	if err != nil {
		return err
	}
	v := noticeviews.ShowView{CSRF: csrfOf(c), ID: n.ID, Title: n.Title, Body: n.Body, Category: n.Category, Author: n.AuthorName,
		When: n.PublishAt.In(s.loc).Format("2006-01-02 15:04"), RequiresAck: n.RequiresAck, Archived: n.Archived}
	var names []string
	for _, g := range n.Groups {
		names = append(names, g.Name)
	}
	v.Groups = strings.Join(names, "、")
	if n.Status == notice.Scheduled {
		v.Scheduled = n.PublishAt.In(s.loc).Format("2006-01-02 15:04")
	}
	for _, f := range n.Files {
		v.Attachments = append(v.Attachments, noticeviews.Attachment{Name: f.Name, URL: "/files/" + strconv.FormatUint(f.ID, 10), Size: sizeLabel(f.Size)})
	}
	if r := n.Receipt; r != nil && n.RequiresAck {
		if r.AckedAt == nil {
			v.AckURL = noticeURL(id, "/ack")
		} else {
			v.Acked = r.AckedAt.In(s.loc).Format("01-02 15:04")
		}
	}
	if n.CanManage && n.Status == notice.Published {
		p, err := s.notices.Progress(ctx, userOf(c), id)
		if err != nil {
			return err
		}
		v.ReceiptsURL = noticeURL(id, "/receipts")
		v.Progress = fmt.Sprintf("已读 %d / %d", p.Read, p.Total)
		if n.RequiresAck {
			v.Progress += fmt.Sprintf(",已确认 %d / %d", p.Acked, p.Total)
		}
	}
	return render(c, http.StatusOK, noticeviews.ShowPage(page(c, n.Title), v))
}

func (s *Server) noticeAck(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.notices.Ack(c.Request().Context(), userOf(c), id); err != nil {
		return err
	}
	return redirect(c, noticeURL(id))
}

// receiptsPerPage is how many recipients one receipts page lists; the CSV
// has them all.
const receiptsPerPage = 100

func (s *Server) receiptsView(c echo.Context, id uint64) (noticeviews.ReceiptsView, error) {
	pageNo := pageParam(c.QueryParam("page"))
	n, p, lines, err := s.notices.Receipts(c.Request().Context(), userOf(c), id,
		notice.ReceiptsPage{Offset: (pageNo - 1) * receiptsPerPage, Limit: receiptsPerPage})
	if err != nil {
		return noticeviews.ReceiptsView{}, err
	}
	v := noticeviews.ReceiptsView{CSRF: csrfOf(c), Title: n.Title, NoticeURL: noticeURL(id), Total: p.Total, Read: p.Read, Acked: p.Acked,
		RequiresAck: n.RequiresAck, CSVURL: noticeURL(id, "/receipts.csv")}
	if n.CanDing {
		v.DingURL = noticeURL(id, "/ding")
		if wait := s.notices.DingWait(n.Notice); wait > 0 {
			v.DingWait = fmt.Sprintf("每 5 分钟最多 DING 一次，%d 分钟后可再次 DING", int(math.Ceil(wait.Minutes())))
		}
	}
	if pages := (p.Total + receiptsPerPage - 1) / receiptsPerPage; pages > 1 {
		v.PageNote = fmt.Sprintf("第 %d / %d 页，每页 %d 人", pageNo, pages, receiptsPerPage)
		if pageNo > 1 {
			v.PrevURL = noticeURL(id, "/receipts?page="+strconv.Itoa(pageNo-1))
		}
		if pageNo < pages {
			v.NextURL = noticeURL(id, "/receipts?page="+strconv.Itoa(pageNo+1))
		}
	}
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(s.loc).Format("01-02 15:04")
	}
	for _, l := range lines {
		person := noticeviews.Person{Name: l.Name, Phone: l.Phone, Role: l.Role.Label(), Students: l.Students, ReadAt: at(l.ReadAt), AckedAt: at(l.AckedAt)}
		if l.ReadAt == nil {
			v.Unread = append(v.Unread, person)
		} else {
			v.ReadList = append(v.ReadList, person)
		}
	}
	return v, nil
}

func (s *Server) noticeReceipts(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.receiptsView(c, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, noticeviews.ReceiptsPage(page(c, "阅读情况"), v))
}

func (s *Server) noticeCSV(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	// Load before streaming so an error still gets its page.
	_, _, lines, err := s.notices.Receipts(c.Request().Context(), userOf(c), id, notice.ReceiptsPage{})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", storage.Disposition(fmt.Sprintf("receipts-%d.csv", id)))
	c.Response().WriteHeader(http.StatusOK)
	return s.notices.WriteCSV(c.Response(), lines)
}

// noticeDing reminds the unread: 303 back to the receipts; 429 within five
// minutes of the last DING, on the receipts page with the reason.
func (s *Server) noticeDing(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := s.notices.Ding(c.Request().Context(), userOf(c), id)
	var soon *notice.ErrDingTooSoon
	if errors.As(err, &soon) {
		v, verr := s.receiptsView(c, id)
		if verr != nil {
			return verr
		}
		v.Error = soon.Error()
		return render(c, http.StatusTooManyRequests, noticeviews.ReceiptsPage(page(c, "阅读情况"), v))
	}
	if err != nil {
		return err
	}
	at := n.At.In(s.loc)
	s.setFlash(c, flashDinged, int64(n.Now), int64(n.Later), int64(at.Hour()*60+at.Minute()))
	return redirect(c, noticeURL(id, "/receipts"))
}

// flashDinged says what a DING did: how many were reminded now, and how
// many parents in quiet hours will be at its end (minutes after midnight).
var flashDinged = newFlash("dinged", 3, func(n []int64) string {
	msg := fmt.Sprintf("已 DING %d 位未读的接收人。", n[0])
	if n[1] > 0 {
		msg += fmt.Sprintf("%d 位家长正处于免打扰时段，提醒将于 %02d:%02d 发出。", n[1], n[2]/60%24, n[2]%60)
	}
	return msg
})

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
	"unicode"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/notice"
	"jiaxiao/app/privacy"
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

// noticeListMax is how many notices the list shows.
const noticeListMax = 200

func (s *Server) noticeList(c echo.Context) error {
	u := userOf(c)
	list, err := s.notices.List(c.Request().Context(), u, noticeListMax)
	if err != nil {
		return err
	}
	v := noticeviews.ListView{CanWrite: notice.CanCompose(u) == nil}
	for _, n := range list {
		r := noticeviews.Row{URL: noticeURL(n.ID), Title: n.Title, Category: n.Category, When: n.PublishAt.In(s.loc).Format("01-02 15:04")}
		switch {
		case n.Status == notice.Scheduled:
			r.State, r.Tag = "定时发布", "scheduled"
		case n.Mine:
			r.State, r.Tag = fmt.Sprintf("我发布的 · %d 人", n.Recipients), "mine"
		case n.ReadAt == nil:
			r.State, r.Tag, r.Unread = "未读", "unread", true
			v.Pending++
		case n.RequiresAck && n.AckedAt == nil:
			r.State, r.Tag = "待确认", "todo"
			v.Pending++
		case n.RequiresAck:
			r.State, r.Tag = "已确认", "done"
		default:
			r.State, r.Tag = "已读", "done"
		}
		v.Rows = append(v.Rows, r)
	}
	if len(list) == noticeListMax {
		v.Pending = 0 // more than the list holds: a count from it would be short
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
	f.Audience = s.audienceLine(c, typed["group_id"])
	return f, nil
}

// audienceLine says who the checked groups reach, counted by the rule
// publishing uses; the ids are bounded before anything is looked up.
func (s *Server) audienceLine(c echo.Context, raw []string) noticeviews.AudienceLine {
	if len(raw) == 0 {
		return noticeviews.AudienceLine{Text: "选择发送对象后，这里显示将通知多少人。"}
	}
	if len(raw) > notice.MaxTargets {
		return noticeviews.AudienceLine{Text: fmt.Sprintf("一条通知最多发送到 %d 个群", notice.MaxTargets), Error: true}
	}
	ids := make([]uint64, 0, len(raw))
	for _, g := range raw {
		id, ok := parseID(g)
		if !ok {
			return noticeviews.AudienceLine{Text: "只能发送到您可以发言的群", Error: true}
		}
		ids = append(ids, id)
	}
	a, err := s.notices.Audience(c.Request().Context(), userOf(c), ids)
	if ve, ok := apperr.AsValidation(err); ok {
		return noticeviews.AudienceLine{Text: ve.Message(), Error: true}
	}
	if err != nil {
		s.log.Warn("notices: audience", "err", err)
		return noticeviews.AudienceLine{Text: "暂时无法计算接收人数，发布后会告诉您通知了多少人。", Error: true}
	}
	return noticeviews.AudienceLine{Text: audienceSentence(a), Count: true}
}

func audienceSentence(a notice.Audience) string {
	return fmt.Sprintf("将发送给 %d 人（家长 %d · 教职工 %d）", a.Total(), a.Parents, a.Staff)
}

// noticeAudience answers the compose form as groups are checked: who the
// notice would reach (htmx swaps the line under the groups).
func (s *Server) noticeAudience(c echo.Context) error {
	if err := notice.CanCompose(userOf(c)); err != nil {
		return err
	}
	line := s.audienceLine(c, c.QueryParams()["group_id"])
	status := http.StatusOK
	if line.Error {
		status = http.StatusUnprocessableEntity
	}
	return render(c, status, noticeviews.Audience(line))
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
	if n.Status == notice.Published {
		s.setFlash(c, flashPublished, int64(n.Audience.Total()), int64(n.Audience.Parents), int64(n.Audience.Staff))
	} else {
		at := n.PublishAt.In(s.loc)
		s.setFlash(c, flashScheduled, int64(at.Month()), int64(at.Day()), int64(at.Hour()), int64(at.Minute()))
	}
	return redirect(c, noticeURL(n.ID))
}

// The flashes after composing: whom a published notice reached (the same
// count as the receipts), or when a scheduled one will be published.
var (
	flashPublished = sayFlash("notice-published", "已发布，已通知 %d 人（家长 %d · 教职工 %d）。")
	flashScheduled = sayFlash("notice-scheduled", "已设为定时发布，将于 %02d-%02d %02d:%02d 发布并通知接收人。")
	flashAcked     = sayFlash("notice-acked", "已确认收到，发布人会看到您的确认。")
)

func (s *Server) noticeShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u := userOf(c)
	n, err := s.notices.Open(ctx, u, id)
	if err != nil {
		return err
	}
	if n.Cleared > 0 {
		// Opening it answered its 提醒: this page's badge shows the new
		// count, and the user's other pages hear of it now.
		s.centre.Forget(u.ID)
		if unread, err := s.centre.Unread(ctx, u.ID); err == nil {
			c.Set(ctxUnread, unread)
		}
		if s.hub != nil {
			s.hub.Poke()
		}
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
		_, p, err := s.notices.Progress(ctx, u, id)
		if err != nil {
			return err
		}
		v.ReceiptsURL = noticeURL(id, "/receipts")
		v.Progress = fmt.Sprintf("已读 %d / %d", p.Read, p.Total)
		if n.RequiresAck {
			v.Progress += fmt.Sprintf("，已确认 %d / %d", p.Acked, p.Total)
		}
	}
	return render(c, http.StatusOK, noticeviews.ShowPage(page(c, n.Title), v))
}

func (s *Server) noticeAck(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u := userOf(c)
	if err := s.notices.Ack(c.Request().Context(), u, id); err != nil {
		return err
	}
	s.centre.Forget(u.ID) // the badge on the next page counts again
	s.setFlash(c, flashAcked)
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
	if err := s.shown(c, receiptsShown(privacy.KindReceipts, n.Notice, lines)); err != nil {
		return noticeviews.ReceiptsView{}, err
	}
	here := noticeURL(id, "/receipts")
	if pageNo > 1 {
		here += "?page=" + strconv.Itoa(pageNo)
	}
	v := noticeviews.ReceiptsView{CSRF: csrfOf(c), Title: n.Title, NoticeURL: noticeURL(id), RequiresAck: n.RequiresAck,
		Counts: s.receiptCounts(id, n.RequiresAck, p, p, here), CSVURL: noticeURL(id, "/receipts.csv")}
	// The lines come unread first, then read but not acknowledged, then
	// done; a section's first line is at this index of the whole list.
	type part struct {
		id, label string
		count     int
		first     int
		ding      *noticeviews.DingButton
	}
	ding := func(to notice.DingTarget, label, testID string) *noticeviews.DingButton {
		return &noticeviews.DingButton{URL: noticeURL(id, "/ding"), To: dingForm(to), Label: label, TestID: testID}
	}
	parts := []part{{id: "unread", label: "未读", count: p.Unread(), first: 0}}
	if n.RequiresAck {
		parts = append(parts, part{id: "unacked", label: "已读未确认", count: p.Unacked(), first: p.Unread()},
			part{id: "done", label: "已确认", count: p.Acked, first: p.Read})
	} else {
		parts = append(parts, part{id: "done", label: "已读", count: p.Read, first: p.Unread()})
	}
	if n.CanDing && n.Status == notice.Published {
		if wait := s.notices.DingWait(n.Notice); wait > 0 {
			v.DingWait = fmt.Sprintf("每 5 分钟最多 DING 一次，%d 分钟后可再次 DING", int(math.Ceil(wait.Minutes())))
		}
		switch {
		case n.RequiresAck && p.Unread() > 0 && p.Unacked() > 0:
			v.Ding = ding(notice.DingPending, fmt.Sprintf("DING 未读和未确认的 %d 人", p.Unread()+p.Unacked()), "ding")
			parts[0].ding = ding(notice.DingUnread, fmt.Sprintf("只 DING 未读的 %d 人", p.Unread()), "ding-unread")
			parts[1].ding = ding(notice.DingUnacked, fmt.Sprintf("只 DING 未确认的 %d 人", p.Unacked()), "ding-unacked")
		case p.Unread() > 0:
			v.Ding = ding(notice.DingUnread, fmt.Sprintf("DING 未读的 %d 人", p.Unread()), "ding")
		case n.RequiresAck && p.Unacked() > 0:
			v.Ding = ding(notice.DingUnacked, fmt.Sprintf("DING 未确认的 %d 人", p.Unacked()), "ding")
		}
	}
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(s.loc).Format("01-02 15:04")
	}
	viewer := userOf(c).ID // no call link to oneself
	people := map[string][]noticeviews.Person{}
	for _, l := range lines {
		person := noticeviews.Person{Name: l.Name, Phone: l.Phone, Role: l.Role.Label(), Students: l.Students, ReadAt: at(l.ReadAt), AckedAt: at(l.AckedAt)}
		if l.FullPhone && l.Phone != "" && l.UserID != viewer {
			person.Tel = "tel:" + l.Phone
		}
		key := "done"
		switch {
		case l.ReadAt == nil:
			key, person.State, person.StateTag = "unread", "未读", "unread"
		case n.RequiresAck && l.AckedAt == nil:
			key, person.State, person.StateTag = "unacked", "已读未确认", "todo"
		case n.RequiresAck:
			person.State, person.StateTag = "已确认", "done"
		default:
			person.State, person.StateTag = "已读", "done"
		}
		people[key] = append(people[key], person)
	}
	for _, pt := range parts {
		sec := noticeviews.Section{ID: pt.id, Label: pt.label, Count: pt.count, People: people[pt.id], Ding: pt.ding}
		if len(sec.People) == 0 && pt.count > 0 {
			sec.Elsewhere = noticeURL(id, fmt.Sprintf("/receipts?page=%d#%s", pt.first/receiptsPerPage+1, pt.id))
		}
		v.Sections = append(v.Sections, sec)
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
	return v, nil
}

// dingForm is how a target travels in the DING form.
func dingForm(to notice.DingTarget) string {
	switch to {
	case notice.DingUnacked:
		return "unacked"
	case notice.DingPending:
		return "pending"
	}
	return "unread"
}

// receiptCounts is the live head of the receipts page: now as counted,
// drawn says what the lists under it were drawn from (the page reloads
// them, at back, when the two differ).
func (s *Server) receiptCounts(id uint64, requiresAck bool, now, drawn notice.Progress, back string) noticeviews.Counts {
	c := noticeviews.Counts{Total: now.Total, Read: now.Read, Acked: now.Acked, RequiresAck: requiresAck,
		URL: noticeURL(id, fmt.Sprintf("/receipts?counts=1&read=%d&acked=%d", drawn.Read, drawn.Acked))}
	if now != drawn {
		c.ReloadURL = back
	}
	return c
}

func (s *Server) noticeReceipts(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if c.QueryParam("counts") == "1" {
		return s.noticeReceiptCounts(c, id)
	}
	v, err := s.receiptsView(c, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, noticeviews.ReceiptsPage(page(c, "阅读情况"), v))
}

// noticeReceiptCounts answers the receipts page's poll: the counts now,
// and a link to reload the lists when they differ from what the page drew
// (read and acked, bounded by the notice's own size).
func (s *Server) noticeReceiptCounts(c echo.Context, id uint64) error {
	ctx := c.Request().Context()
	n, p, err := s.notices.Progress(ctx, userOf(c), id)
	if err != nil {
		return err
	}
	count := func(name string) int {
		n, err := strconv.Atoi(c.QueryParam(name))
		if err != nil || n < 0 || n > p.Total {
			return -1
		}
		return n
	}
	drawn := notice.Progress{Total: p.Total, Read: count("read"), Acked: count("acked")}
	return render(c, http.StatusOK, noticeviews.ReceiptCounts(s.receiptCounts(id, n.RequiresAck, p, drawn, noticeURL(id, "/receipts"))))
}

func (s *Server) noticeCSV(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	// Load before streaming so an error still gets its page.
	n, _, lines, err := s.notices.Receipts(c.Request().Context(), userOf(c), id, notice.ReceiptsPage{})
	if err != nil {
		return err
	}
	if err := s.shown(c, receiptsShown(privacy.KindReceiptsCSV, n.Notice, lines)); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", storage.Disposition(receiptsFileName(n.Title, s.now().In(s.loc))))
	c.Response().WriteHeader(http.StatusOK)
	return s.notices.WriteCSV(c.Response(), lines)
}

// receiptsFileName names the receipts export after the notice:
// 阅读情况-<title>-<date>.csv, the title without what file systems refuse
// and at most 40 characters of it.
func receiptsFileName(title string, day time.Time) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.TrimSpace(title) {
		if n == 40 {
			break
		}
		switch {
		case r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r):
			r = '_'
		case unicode.IsSpace(r):
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	name := strings.Trim(b.String(), " .")
	if name == "" {
		name = "通知"
	}
	return "阅读情况-" + name + "-" + day.Format("2006-01-02") + ".csv"
}

// noticeDing reminds the unread (to=unread, or absent as before), the
// unacknowledged (to=unacked) or both (to=pending): 303
// back to the receipts with what it did; 429 within five minutes of the
// last DING, on the receipts page with the reason.
func (s *Server) noticeDing(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	to, ok := notice.ParseDingTarget(c.FormValue("to"))
	if !ok {
		return apperr.Invalid("to", "请选择要 DING 的人")
	}
	n, err := s.notices.Ding(c.Request().Context(), userOf(c), id, to)
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
	minutes := int64(at.Hour()*60 + at.Minute())
	if n.Unacked == 0 {
		s.setFlash(c, flashDinged, int64(n.Now), int64(n.Later), minutes)
	} else {
		who := int64(1) // the unacknowledged only
		if n.Unread > 0 {
			who = 2
		}
		s.setFlash(c, flashDingedWho, int64(n.Now), int64(n.Later), minutes, who)
	}
	return redirect(c, noticeURL(id, "/receipts"))
}

// The flashes after a DING say what it did: how many were reminded now,
// how many parents in quiet hours will be at its end (minutes after
// midnight), and whom it reminded: the unread (flashDinged), or with
// flashDingedWho the unacknowledged (1) or both (2).
var (
	flashDinged    = newFlash("dinged", 3, func(n []int64) string { return dingedSentence(n[0], n[1], n[2], "未读的接收人") })
	flashDingedWho = newFlash("dinged-who", 4, func(n []int64) string {
		who := "已读未确认的接收人"
		if n[3] == 2 {
			who = "未读或未确认的接收人"
		}
		return dingedSentence(n[0], n[1], n[2], who)
	})
)

func dingedSentence(now, later, at int64, who string) string {
	quiet := fmt.Sprintf("%d 位家长正处于免打扰时段，提醒将于 %02d:%02d 发出。", later, at/60%24, at%60)
	switch {
	case now == 0 && later == 0:
		return "没有需要 DING 的人。"
	case later == 0:
		return fmt.Sprintf("已 DING %d 位%s。", now, who)
	case now == 0:
		return "现在没有发出提醒：" + quiet
	}
	return fmt.Sprintf("已 DING %d 位%s。", now, who) + quiet
}

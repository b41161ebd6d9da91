package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/message"
	"jiaxiao/storage"
	groupviews "jiaxiao/views/group"
)

// item turns a message into the feed's view model.
func (s *Server) item(groupID uint64, m message.View) groupviews.Item {
	it := groupviews.Item{ID: m.ID, DOMID: "msg-" + strconv.FormatUint(m.ID, 10), Author: m.AuthorName, Call: m.AuthorCall,
		Time: m.CreatedAt.In(s.loc).Format("01-02 15:04"), Body: m.Body, Status: string(m.Status), HeldNote: m.HeldReason,
		MentionAll: m.MentionAll, URL: groupURL(groupID, "/messages/", strconv.FormatUint(m.ID, 10))}
	if m.File != nil {
		it.FileName, it.IsImage, it.FileURL = m.File.Name, m.File.IsImage(), "/files/"+strconv.FormatUint(m.File.ID, 10)
	}
	return it
}

// viewer is who a feed item is rendered for: the author sees their own
// message on the right with 撤回 while allowed, moderators get 删除.
type viewer struct {
	id        uint64
	moderator bool
}

// chatItem is a message as viewer v sees it in the feed; left is how much
// longer they may take it back, and csrf the token for the menu's forms
// ("" for a rendering shared by many: htmx sends it in a header).
func (s *Server) chatItem(groupID uint64, m message.View, v viewer, left time.Duration, csrf string) groupviews.Item {
	it := s.item(groupID, m)
	at := m.CreatedAt.In(s.loc)
	it.Own = v.id != 0 && m.AuthorID == v.id
	it.Tag, it.Clock, it.Day = m.AuthorTag, at.Format("15:04"), at.Format("2006-01-02")
	it.DayLabel = dayLabel(at, s.now().In(s.loc))
	if m.Status == message.Deleted || m.Status == message.Rejected {
		it.Status = string(message.Deleted)
		it.Recalled = m.DeletedReason == message.RecalledReason
		return it
	}
	menu := groupviews.Menu{Copy: it.Body != "", CSRF: csrf}
	del := groupURL(groupID, "/messages/", strconv.FormatUint(m.ID, 10), "/delete")
	switch {
	case it.Own && left > 0:
		menu.RecallURL, menu.RecallLeft = del, int((left+time.Second-1)/time.Second)
	case v.moderator:
		menu.DeleteURL = del
	}
	if !menu.Empty() {
		it.Menu = &menu
	}
	return it
}

// weekdays are the days of the week as a date divider names them.
var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// dayLabel names the day of t (in the school's zone, as now is) for the
// divider above its messages: 今天, 昨天, 3月5日 周四, or with the year
// when it is not this year's.
func dayLabel(t, now time.Time) string {
	day := func(t time.Time) time.Time { y, m, d := t.Date(); return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	switch day(now).Sub(day(t)) {
	case 0:
		return "今天"
	case 24 * time.Hour:
		return "昨天"
	}
	if t.Year() != now.Year() {
		return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), t.Month(), t.Day(), weekdays[t.Weekday()])
	}
	return fmt.Sprintf("%d月%d日 %s", t.Month(), t.Day(), weekdays[t.Weekday()])
}

// maxCursor is the longest before= cursor read: an id has at most 19 digits.
const maxCursor = 19

// errBadCursor answers a before= cursor that is no message id.
var errBadCursor = echo.NewHTTPError(http.StatusBadRequest, "bad cursor")

// cursor reads the feed's before= parameter: 0 for the newest page, the
// id of the oldest message shown for the page before it.
func cursor(c echo.Context) (uint64, error) {
	v := c.QueryParam("before")
	if v == "" {
		return 0, nil
	}
	if len(v) > maxCursor {
		return 0, errBadCursor
	}
	id, ok := parseID(v)
	if !ok {
		return 0, errBadCursor
	}
	return id, nil
}

// composerView is the feed's view model without its messages: what the
// composer needs.
func (s *Server) composerView(c echo.Context, a group.Access) (groupviews.FeedView, error) {
	id := a.Group.ID
	v := groupviews.FeedView{CSRF: csrfOf(c), PostURL: groupURL(id, "/messages"), MaxUpload: file.MaxSize}
	err := a.PostErr()
	var muted *group.MutedError
	switch {
	case err == nil:
		v.CanPost = true
	case errors.As(err, &muted):
		v.NoPost = mutedUntil(muted, s.loc)
	case errors.Is(err, apperr.ErrForbidden):
		v.NoPost = apperr.UserMessage(err)
	default:
		return v, err
	}
	return v, nil
}

// mutedUntil says the viewer is muted and until when.
func mutedUntil(m *group.MutedError, loc *time.Location) string {
	return "您已被禁言，解除时间：" + m.Until.In(loc).Format("01-02 15:04")
}

// feedView is one page of the feed, the newest (before 0) or the one
// before message before.
func (s *Server) feedView(c echo.Context, groupID, before uint64) (groupviews.FeedView, error) {
	u := userOf(c)
	p, err := s.messages.List(c.Request().Context(), u, groupID, before)
	if err != nil {
		return groupviews.FeedView{}, err
	}
	v, err := s.composerView(c, p.Access)
	if err != nil {
		return v, err
	}
	v.Header, v.MembersURL = s.header(c, p.Access, groupURL(groupID)), groupURL(groupID, "/members")
	me := viewer{id: u.ID, moderator: p.Access.CanModerate()}
	for _, m := range p.Messages {
		v.Items = append(v.Items, s.chatItem(groupID, m, me, m.RecallLeft, v.CSRF))
	}
	if p.Older != 0 {
		v.OlderURL = groupURL(groupID, "?before=", strconv.FormatUint(p.Older, 10))
	}
	if before != 0 {
		v.NewestURL = groupURL(groupID)
	}
	return v, nil
}

// groupShow is the group's feed: the newest page, or with ?before= the
// page before that message; for htmx (scrolling up) that page alone, to
// replace the link that asked for it.
func (s *Server) groupShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	before, err := cursor(c)
	if err != nil {
		return err
	}
	v, err := s.feedView(c, id, before)
	if err != nil {
		return err
	}
	c.Response().Header().Add("Vary", "HX-Request")
	if before != 0 && isHTMX(c) {
		return render(c, http.StatusOK, groupviews.OlderPage(v))
	}
	p := page(c, v.Header.Name)
	p.Events = "/events?group=" + strconv.FormatUint(id, 10)
	return render(c, http.StatusOK, groupviews.FeedPage(p, v))
}

// postMessage answers 303, or for htmx a fresh composer and the message
// itself at the end of the feed (the live stream brings it too, in place
// of this one, so it shows once); banned content 422 naming the category
// with the text kept; muted 403; storage down 503 with the text kept.
func (s *Server) postMessage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := message.PostInput{Body: c.FormValue("body")}
	if fh, ferr := c.FormFile("file"); ferr == nil && fh.Size > 0 {
		prep, err := readUpload(fh)
		if err != nil {
			return s.composeFailed(c, id, in.Body, err)
		}
		in.File = &prep
	}
	ctx := c.Request().Context()
	u := userOf(c)
	posted, err := s.messages.Post(ctx, u, id, in)
	if err != nil {
		return s.composeFailed(c, id, in.Body, err)
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, groupURL(id))
	}
	a, m, err := s.messages.Get(ctx, u, id, posted.ID)
	if err != nil {
		return err
	}
	v, err := s.composerView(c, a)
	if err != nil {
		return err
	}
	it := s.chatItem(id, m, viewer{id: u.ID, moderator: a.CanModerate()}, m.RecallLeft, v.CSRF)
	return render(c, http.StatusOK, templ.Join(groupviews.Composer(v), groupviews.Appended(it)))
}

// composeFailed shows the feed (or just the composer, for htmx) again with
// the text kept and the reason, with the status the error calls for.
func (s *Server) composeFailed(c echo.Context, groupID uint64, body string, cause error) error {
	status, _, msg := classify(cause)
	var muted *group.MutedError
	if v, ok := apperr.AsValidation(cause); ok {
		msg = ""
		for _, m := range v.Fields {
			msg += m
		}
	} else if errors.As(cause, &muted) {
		msg = mutedUntil(muted, s.loc)
	}
	if status == http.StatusInternalServerError || status == http.StatusNotFound || status == http.StatusUnauthorized {
		return cause
	}
	var v groupviews.FeedView
	var err error
	if isHTMX(c) {
		var a group.Access
		if a, err = s.groups.Access(c.Request().Context(), userOf(c), groupID); err == nil {
			v, err = s.composerView(c, a)
		}
	} else {
		v, err = s.feedView(c, groupID, 0)
	}
	if err != nil {
		return err
	}
	v.Body, v.Error = body, msg
	v.CanPost = true // keep the form, and its text, on screen
	c.Response().Header().Set("HX-Reswap", "outerHTML")
	if isHTMX(c) {
		return render(c, status, groupviews.Composer(v))
	}
	p := page(c, v.Header.Name)
	p.Events = "/events?group=" + strconv.FormatUint(groupID, 10)
	return render(c, status, groupviews.FeedPage(p, v))
}

// messagePage shows one message with the actions the viewer may take.
func (s *Server) messagePage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	mid, err := idParam(c, "mid")
	if err != nil {
		return err
	}
	v, err := s.messageView(c, id, mid)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, groupviews.MessagePage(page(c, v.Header.Name), v))
}

func (s *Server) messageView(c echo.Context, id, mid uint64) (groupviews.MessageView, error) {
	a, m, err := s.messages.Get(c.Request().Context(), userOf(c), id, mid)
	if err != nil {
		return groupviews.MessageView{}, err
	}
	base := groupURL(id, "/messages/", strconv.FormatUint(mid, 10))
	v := groupviews.MessageView{Header: s.header(c, a, ""), CSRF: csrfOf(c), Item: s.item(id, m), BackURL: groupURL(id)}
	switch {
	case m.Status == message.Deleted:
	case m.RecallLeft > 0:
		v.DeleteURL = base + "/delete"
	case a.CanModerate():
		v.DeleteURL, v.NeedReason = base+"/delete", true
	}
	if m.Status == message.Held && a.CanModerate() {
		v.ApproveURL, v.RejectURL = base+"/approve", base+"/reject"
	}
	return v, nil
}

// deleteMessage takes a message back (its author, within the window) or
// deletes it (moderators, with a reason). From the feed's menu (htmx) it
// answers the message as it now stands; a missing reason comes back 422
// beside the reason field, on the menu or the message's page, the reason
// typed kept.
func (s *Server) deleteMessage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	mid, err := idParam(c, "mid")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u := userOf(c)
	reason := c.FormValue("reason")
	err = s.messages.Delete(ctx, u, id, mid, reason)
	ve, refused := apperr.AsValidation(err)
	refused = refused && ve.Fields["reason"] != ""
	if err != nil && !refused {
		return err
	}
	if !isHTMX(c) && !refused {
		return redirect(c, groupURL(id))
	}
	if !isHTMX(c) {
		v, err := s.messageView(c, id, mid)
		if err != nil {
			return err
		}
		v.Reason, v.Error = reason, ve.Fields["reason"]
		return render(c, http.StatusUnprocessableEntity, groupviews.MessagePage(page(c, v.Header.Name), v))
	}
	a, m, err := s.messages.Get(ctx, u, id, mid)
	if err != nil {
		return err
	}
	it := s.chatItem(id, m, viewer{id: u.ID, moderator: a.CanModerate()}, m.RecallLeft, csrfOf(c))
	if !refused {
		return render(c, http.StatusOK, groupviews.MessageItem(it))
	}
	if it.Menu != nil {
		it.Menu.Open, it.Menu.Reason, it.Menu.Error = true, reason, ve.Fields["reason"]
	}
	return render(c, http.StatusUnprocessableEntity, groupviews.MessageItem(it))
}

func (s *Server) decideMessage(approve bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		mid, err := idParam(c, "mid")
		if err != nil {
			return err
		}
		err = s.messages.Decide(c.Request().Context(), userOf(c), id, mid, approve, c.FormValue("reason"))
		if ve, ok := apperr.AsValidation(err); ok && ve.Fields["reason"] != "" {
			// Answered on the moderation page, where held messages are
			// decided, with the message beside that one's reason.
			v, verr := s.moderationView(c, id)
			if verr != nil {
				return verr
			}
			for i := range v.Held {
				if v.Held[i].Item.ID == mid {
					v.Held[i].RejectError = ve.Message()
				}
			}
			return render(c, http.StatusUnprocessableEntity, groupviews.ModerationPage(page(c, v.Header.Name+" · 群管理"), v))
		}
		if err != nil {
			return err
		}
		return redirect(c, groupURL(id, "/moderation"))
	}
}

// download serves a file to whoever may see a message it belongs to: a
// redirect to a short-lived MinIO URL, or the content itself.
func (s *Server) download(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := file.MayDownload(ctx, userOf(c), id, s.messages, s.notices, s.archive, s.homework, s.leaves); err != nil {
		return err
	}
	if err := s.noteShown(c, id); err != nil {
		return err
	}
	f, err := s.files.Get(ctx, id)
	if err != nil {
		return err
	}
	url, rc, err := s.files.Download(ctx, f)
	if err != nil {
		return err
	}
	if url != "" {
		return c.Redirect(http.StatusFound, url)
	}
	defer rc.Close()
	h := c.Response().Header()
	h.Set("Content-Disposition", storage.Disposition(f.Name))
	h.Set("Cache-Control", "private, max-age=300")
	return c.Stream(http.StatusOK, f.ContentType, rc)
}

// readUpload reads one uploaded file, refusing it past file.MaxSize, and
// checks it cheaply (file.Prepare: its type, and an image's headers against
// the pixel budgets). It decodes nothing: an image is re-encoded by the
// file service when the domain service saves it, after the permission
// check.
func readUpload(fh *multipart.FileHeader) (file.Prepared, error) {
	if fh.Size > file.MaxSize {
		return file.Prepared{}, apperr.Invalid("file", fh.Filename+" 超过 20 MB")
	}
	f, err := fh.Open()
	if err != nil {
		return file.Prepared{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, file.MaxSize+1))
	if err != nil {
		return file.Prepared{}, err
	}
	return file.Prepare("file", fh.Filename, data)
}

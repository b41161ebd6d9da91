package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"

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

func (s *Server) feedView(c echo.Context, groupID uint64) (groupviews.FeedView, error) {
	u := userOf(c)
	ctx := c.Request().Context()
	before := optionalID(c.QueryParam("before"))
	p, err := s.messages.List(ctx, u, groupID, before)
	if err != nil {
		return groupviews.FeedView{}, err
	}
	v := groupviews.FeedView{Header: s.header(c, p.Access, groupURL(groupID)), CSRF: csrfOf(c), PostURL: groupURL(groupID, "/messages")}
	for _, m := range p.Messages {
		v.Items = append(v.Items, s.item(groupID, m))
	}
	if p.Older != 0 {
		v.OlderURL = groupURL(groupID, "?before=", strconv.FormatUint(p.Older, 10))
	}
	err = p.Access.PostErr()
	var muted *group.MutedError
	switch {
	case err == nil:
		v.CanPost = true
	case errors.As(err, &muted):
		v.NoPost = "您已被禁言，解除时间：" + muted.Until.In(s.loc).Format("01-02 15:04")
	case errors.Is(err, apperr.ErrForbidden):
		v.NoPost = apperr.UserMessage(err)
	default:
		return v, err
	}
	return v, nil
}

// groupShow is the group's feed.
func (s *Server) groupShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.feedView(c, id)
	if err != nil {
		return err
	}
	p := page(c, v.Header.Name)
	p.Events = "/events?group=" + strconv.FormatUint(id, 10)
	return render(c, http.StatusOK, groupviews.FeedPage(p, v))
}

// postMessage answers 303 (or a fresh compose form for htmx; the message
// itself arrives over the live stream); banned content 422 naming the
// category with the text kept; muted 403; storage down 503 with the text kept.
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
	if _, err := s.messages.Post(c.Request().Context(), userOf(c), id, in); err != nil {
		return s.composeFailed(c, id, in.Body, err)
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, groupURL(id))
	}
	v, err := s.feedView(c, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, groupviews.Composer(v))
}

// composeFailed shows the feed (or just the composer, for htmx) again with
// the text kept and the reason, with the status the error calls for.
func (s *Server) composeFailed(c echo.Context, groupID uint64, body string, cause error) error {
	status, _, msg := classify(cause)
	if v, ok := apperr.AsValidation(cause); ok {
		msg = ""
		for _, m := range v.Fields {
			msg += m
		}
	}
	if status == http.StatusInternalServerError || status == http.StatusNotFound || status == http.StatusUnauthorized {
		return cause
	}
	v, err := s.feedView(c, groupID)
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
	u := userOf(c)
	a, m, err := s.messages.Get(c.Request().Context(), u, id, mid)
	if err != nil {
		return err
	}
	base := groupURL(id, "/messages/", strconv.FormatUint(mid, 10))
	v := groupviews.MessageView{Header: s.header(c, a, ""), CSRF: csrfOf(c), Item: s.item(id, m), BackURL: groupURL(id)}
	if m.Status != message.Deleted && (m.Own || a.CanModerate()) {
		v.DeleteURL, v.NeedReason = base+"/delete", !m.Own
	}
	if m.Status == message.Held && a.CanModerate() {
		v.ApproveURL, v.RejectURL = base+"/approve", base+"/reject"
	}
	return render(c, http.StatusOK, groupviews.MessagePage(page(c, a.Group.Name), v))
}

func (s *Server) deleteMessage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	mid, err := idParam(c, "mid")
	if err != nil {
		return err
	}
	if err := s.messages.Delete(c.Request().Context(), userOf(c), id, mid, c.FormValue("reason")); err != nil {
		return err
	}
	return redirect(c, groupURL(id))
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
	if err := file.MayDownload(ctx, userOf(c), id, s.messages, s.notices, s.archive); err != nil {
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

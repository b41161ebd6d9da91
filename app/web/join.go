package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/group"
	"jiaxiao/app/privacy"
	"jiaxiao/app/school"
	groupviews "jiaxiao/views/group"
)

// errBadInvite is a friendlier 404 for a wrong or reset invite code.
var errBadInvite = apperr.New(apperr.ErrNotFound, "邀请码无效或已被重置，请向班主任索取新的邀请码。")

// joinByCode turns the typed-in code of the groups page into the join
// page; a code that opens no class answers on the same page, the code
// kept in its box with the reason beside it (422).
func (s *Server) joinByCode(c echo.Context) error {
	raw := c.QueryParam("code")
	if len(raw) > maxInviteInput { // longer than any code: refused unread
		return s.badInvite(c, raw, http.StatusUnprocessableEntity)
	}
	code := strings.ToUpper(strings.TrimSpace(raw))
	if code == "" {
		return c.Redirect(http.StatusSeeOther, "/groups")
	}
	_, _, err := s.groups.ByInvite(c.Request().Context(), code)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return s.badInvite(c, code, http.StatusUnprocessableEntity)
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/join/"+url.PathEscape(code))
}

// maxInviteInput bounds what is read of a typed code: a code is at most 16
// characters, a few spaces around it allowed.
const maxInviteInput = 64

// badInvite answers a code that opens no class on the groups page, the
// code kept in its box with the reason beside it.
func (s *Server) badInvite(c echo.Context, code string, status int) error {
	v, err := s.groupListView(c)
	if err != nil {
		return err
	}
	v.Code, v.CodeError = inviteCodeShown(code), apperr.UserMessage(errBadInvite)
	return render(c, status, groupviews.ListPage(page(c, "我的群"), v))
}

func (s *Server) joinForm(c echo.Context) (groupviews.JoinForm, error) {
	code := c.Param("code")
	_, class, err := s.groups.ByInvite(c.Request().Context(), code)
	if errors.Is(err, apperr.ErrNotFound) {
		return groupviews.JoinForm{}, errBadInvite
	}
	if err != nil {
		return groupviews.JoinForm{}, err
	}
	return groupviews.JoinForm{Class: class.Name(), Action: "/join/" + url.PathEscape(code), Relations: school.Relations, Errors: map[string]string{}}, nil
}

// joinPage is the join form of an invite link. A link whose code opens
// no class (mistyped, or reset by the head teacher) answers on the
// groups page with the code in its box and the reason beside it (404:
// there is no such class to join).
func (s *Server) joinPage(c echo.Context) error {
	f, err := s.joinForm(c)
	if errors.Is(err, apperr.ErrNotFound) {
		return s.badInvite(c, c.Param("code"), http.StatusNotFound)
	}
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, groupviews.JoinPage(page(c, "加入班级群"), f))
}

// inviteCodeShown is a typed code as its box shows it again: trimmed,
// upper case, no longer than the box takes.
func inviteCodeShown(code string) string {
	if len(code) > maxInviteInput {
		code = strings.ToValidUTF8(code[:maxInviteInput], "")
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	if r := []rune(code); len(r) > 16 {
		code = string(r[:16])
	}
	return code
}

var flashJoinRequested = sayFlash("group-join-requested", "申请已提交，请等待班主任审核。审核结果会在“提醒”里告诉您。")

// join files the request: 303 (or the done panel for htmx) when pending,
// 422 with the input kept on a mismatch, 429 when locked out.
func (s *Server) join(c echo.Context) error {
	f, err := s.joinForm(c)
	if err != nil {
		return err
	}
	f.StudentNo, f.StudentName, f.Relation = strings.TrimSpace(c.FormValue("student_no")), strings.TrimSpace(c.FormValue("student_name")), c.FormValue("relation")
	_, err = s.groups.Join(c.Request().Context(), userOf(c), c.Param("code"), group.JoinInput{StudentNo: f.StudentNo, StudentName: f.StudentName, Relation: f.Relation})
	if err != nil {
		status, msg := formError(err, f.Errors)
		if status >= 500 {
			return err
		}
		if msg != "" {
			f.Errors[""] = msg
		}
		return s.renderJoin(c, status, f)
	}
	if !isHTMX(c) {
		s.setFlash(c, flashJoinRequested)
		return c.Redirect(http.StatusSeeOther, "/groups")
	}
	f.Done = true
	return s.renderJoin(c, http.StatusOK, f)
}

func (s *Server) renderJoin(c echo.Context, status int, f groupviews.JoinForm) error {
	if isHTMX(c) {
		return render(c, status, groupviews.JoinPanel(csrfOf(c), f))
	}
	return render(c, status, groupviews.JoinPage(page(c, "加入班级群"), f))
}

// formError sorts an error for a form re-render: field messages go into
// fields, and the status and form-level message are returned.
func formError(err error, fields map[string]string) (int, string) {
	if v, ok := apperr.AsValidation(err); ok {
		for k, m := range v.Fields {
			fields[k] = m
		}
		return http.StatusUnprocessableEntity, ""
	}
	status, _, msg := classify(err)
	return status, msg
}

func (s *Server) requestsView(c echo.Context, id uint64) (groupviews.RequestsView, error) {
	a, reqs, err := s.groups.Requests(c.Request().Context(), userOf(c), id)
	if err != nil {
		return groupviews.RequestsView{}, err
	}
	// A request shows the child's record (name and student number) and
	// the parent's number, full to the class's staff.
	shown := privacy.Shown{Kind: privacy.KindRequests, Ref: "group:" + strconv.FormatUint(id, 10), Label: a.Group.Name}
	for _, r := range reqs {
		shown.Students = append(shown.Students, r.StudentID)
		if r.PhoneFull {
			shown.Users = append(shown.Users, r.ParentID)
		}
	}
	if err := s.shown(c, shown); err != nil {
		return groupviews.RequestsView{}, err
	}
	loc := s.loc
	v := groupviews.RequestsView{Header: s.header(c, a, groupURL(id, "/requests")), CSRF: csrfOf(c), ApproveAllURL: groupURL(id, "/requests/approve-matched")}
	for _, r := range reqs {
		rid := strconv.FormatUint(r.ID, 10)
		if r.RosterMatch {
			v.MatchedCount++
		}
		v.Requests = append(v.Requests, groupviews.RequestRow{ID: r.ID, Parent: r.ParentName, Phone: r.ParentPhone, PhoneFull: r.PhoneFull, Student: r.StudentName,
			StudentNo: r.StudentNo, Relation: r.Relation, RosterMatch: r.RosterMatch, When: r.CreatedAt.In(loc).Format("01-02 15:04"),
			ApproveURL: groupURL(id, "/requests/", rid, "/approve"), RejectURL: groupURL(id, "/requests/", rid, "/reject")})
	}
	return v, nil
}

func (s *Server) groupRequests(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.requestsView(c, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, groupviews.RequestsPage(page(c, v.Header.Name+" · 入群申请"), v))
}

// decide runs an approval or rejection. Done, a form gets 303 back to
// the list, which says so once (flash) with the new counts; htmx gets the
// refreshed list with the header's counts swapped where they stand. A
// refused decision (a full guardian quota, a missing reason) answers with
// the list (422), the message in that request's card, the reason typed
// kept in its box.
func (s *Server) decide(c echo.Context, act func(groupID, requestID uint64) (done *flash, n []int64, notice string, err error)) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rid := optionalID(c.Param("rid"))
	done, n, notice, actErr := act(id, rid)
	if actErr == nil && !isHTMX(c) {
		s.setFlash(c, done, n...)
		return c.Redirect(http.StatusSeeOther, groupURL(id, "/requests"))
	}
	v, err := s.requestsView(c, id)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if actErr != nil {
		ve, ok := apperr.AsValidation(actErr)
		if !ok {
			return actErr
		}
		status = http.StatusUnprocessableEntity
		if msg := ve.Fields["reason"]; msg != "" {
			v.RejectErrorID, v.RejectError, v.RejectReason = rid, msg, c.FormValue("reason")
		} else {
			v.Error, v.ErrorID = ve.Message(), rid
		}
	} else {
		v.Notice = notice
	}
	if isHTMX(c) {
		v.OOB = true
		return render(c, status, groupviews.RequestsPanel(v))
	}
	return render(c, status, groupviews.RequestsPage(page(c, v.Header.Name+" · 入群申请"), v))
}

var (
	flashJoinApproved    = sayFlash("group-approved", "已通过申请，家长已加入本群。")
	flashJoinRejected    = sayFlash("group-rejected", "已驳回申请，家长会在“提醒”里看到理由。")
	flashApprovedMatched = newFlash("group-approved-matched", 2, func(n []int64) string {
		msg := fmt.Sprintf("已通过 %d 条花名册匹配的申请。", n[0])
		if n[1] > 0 {
			msg += fmt.Sprintf("另有 %d 条未能通过，仍在下面的列表里，逐条点“通过”可看到原因。", n[1])
		}
		return msg
	})
)

func (s *Server) approveRequest(c echo.Context) error {
	return s.decide(c, func(gid, rid uint64) (*flash, []int64, string, error) {
		return flashJoinApproved, nil, "已通过申请，家长已加入本群。", s.groups.Approve(c.Request().Context(), userOf(c), gid, rid)
	})
}

func (s *Server) rejectRequest(c echo.Context) error {
	return s.decide(c, func(gid, rid uint64) (*flash, []int64, string, error) {
		return flashJoinRejected, nil, "已驳回申请，家长会在“提醒”里看到理由。", s.groups.Reject(c.Request().Context(), userOf(c), gid, rid, strings.TrimSpace(c.FormValue("reason")))
	})
}

func (s *Server) approveMatched(c echo.Context) error {
	return s.decide(c, func(gid, _ uint64) (*flash, []int64, string, error) {
		res, err := s.groups.ApproveMatched(c.Request().Context(), userOf(c), gid)
		msg := "已通过 " + strconv.Itoa(res.Approved) + " 条花名册匹配的申请。"
		if len(res.Skipped) > 0 {
			msg += "未通过：" + strings.Join(res.Skipped, "；")
		}
		return flashApprovedMatched, []int64{int64(res.Approved), int64(len(res.Skipped))}, msg, err
	})
}

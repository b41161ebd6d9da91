package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
	"jiaxiao/app/privacy"
	"jiaxiao/views/component"
	groupviews "jiaxiao/views/group"
)

// groupURL is the path of a group's screen: groupURL(5, "/members").
func groupURL(id uint64, parts ...string) string {
	return "/groups/" + strconv.FormatUint(id, 10) + strings.Join(parts, "")
}

// header builds the title and tabs of a group screen.
func (s *Server) header(c echo.Context, a group.Access, active string) groupviews.Header {
	id := a.Group.ID
	counts, err := s.groups.Counts(c.Request().Context(), a)
	if err != nil {
		s.log.Warn("group header: counts", "group", id, "err", err)
	}
	h := groupviews.Header{ID: id, Name: a.Group.Name, Kind: a.Group.Kind.Label(), Members: counts.Members, Role: a.Role.Label()}
	tabs := []groupviews.Tab{{Label: "群聊", URL: groupURL(id)}, {Label: "成员", URL: groupURL(id, "/members")}}
	if a.CanModerate() {
		tabs = append(tabs, groupviews.Tab{Label: "群管理", URL: groupURL(id, "/moderation")})
	}
	if a.CanModerate() && a.Group.Kind == group.KindClass {
		tabs = append(tabs, groupviews.Tab{Label: "入群申请", URL: groupURL(id, "/requests"), Badge: counts.Pending, Pending: true},
			groupviews.Tab{Label: "邀请家长", URL: groupURL(id, "/invite")})
	}
	for i := range tabs {
		tabs[i].Active = tabs[i].URL == active
	}
	h.Tabs = tabs
	return h
}

var requestStatus = map[group.RequestStatus]string{group.Pending: "待审核", group.Approved: "已通过", group.Rejected: "未通过"}

func (s *Server) groupList(c echo.Context) error {
	v, err := s.groupListView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, groupviews.ListPage(page(c, "我的群"), v))
}

func (s *Server) groupListView(c echo.Context) (groupviews.ListView, error) {
	u := userOf(c)
	ctx := c.Request().Context()
	mine, err := s.groups.Mine(ctx, u)
	if err != nil {
		return groupviews.ListView{}, err
	}
	reqs, err := s.groups.MyRequests(ctx, u)
	if err != nil {
		return groupviews.ListView{}, err
	}
	v := groupviews.ListView{}
	v.Groups = cards(mine)
	for _, r := range reqs {
		v.MyRequests = append(v.MyRequests, groupviews.RequestLine{Student: r.StudentName, Status: requestStatus[r.Status], Reason: r.Reason})
	}
	return v, nil
}

var flashRenamed = sayFlash("group-renamed", "群名称已修改，全体成员都会看到新名称。")

// groupRename renames a group (admins); a refused name answers on the
// moderation page (422) with the name kept and the reason beside it.
func (s *Server) groupRename(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	name := c.FormValue("name")
	err = s.groups.Rename(c.Request().Context(), userOf(c), id, name)
	if ve, ok := apperr.AsValidation(err); ok {
		v, verr := s.moderationView(c, id)
		if verr != nil {
			return verr
		}
		v.NewName, v.NameError = name, ve.Message()
		return render(c, http.StatusUnprocessableEntity, groupviews.ModerationPage(page(c, v.Header.Name+" · 群管理"), v))
	}
	if err != nil {
		return err
	}
	s.setFlash(c, flashRenamed)
	return redirect(c, groupURL(id, "/moderation"))
}

func (s *Server) groupMembers(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, title, err := s.membersView(c, id, nil)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, groupviews.MembersPage(page(c, title), v))
}

// refusedAction is a mute or removal to show again on the members page:
// the member, what was typed and why it was refused.
type refusedAction struct {
	userID uint64
	// field is the form field the message is about: reason (a removal)
	// or minutes (a mute).
	field       string
	reason, msg string
	ban         bool
}

// membersView builds the members page; refused, if set, opens that
// member's menu with what was typed and the message beside its field.
func (s *Server) membersView(c echo.Context, id uint64, refused *refusedAction) (groupviews.MembersView, string, error) {
	u := userOf(c)
	a, members, err := s.groups.Members(c.Request().Context(), u, id)
	if err != nil {
		return groupviews.MembersView{}, "", err
	}
	shown := privacy.Shown{Kind: privacy.KindMembers, Ref: "group:" + strconv.FormatUint(id, 10), Label: a.Group.Name}
	for _, m := range members {
		if m.PhoneFull {
			shown.Users = append(shown.Users, m.UserID)
		}
	}
	if err := s.shown(c, shown); err != nil {
		return groupviews.MembersView{}, "", err
	}
	v := groupviews.MembersView{Header: s.header(c, a, groupURL(id, "/members")), CSRF: csrfOf(c)}
	for _, m := range members {
		uid := strconv.FormatUint(m.UserID, 10)
		row := groupviews.MemberRow{UserID: m.UserID, Name: m.Name, CallNames: strings.Join(m.CallNames, "、"), Phone: m.Phone,
			PhoneFull: m.PhoneFull, Kind: m.UserRole.Label()}
		row.Role, row.Tags = memberTags(a.Group.Kind, m)
		if m.MutedUntil != nil {
			row.Muted = m.MutedUntil.In(s.loc).Format("01-02 15:04")
		}
		if a.CanMute(u.ID, m) {
			act := &groupviews.MemberAction{MuteURL: groupURL(id, "/members/", uid, "/mute")}
			if m.MutedUntil != nil {
				act.UnmuteURL = groupURL(id, "/members/", uid, "/unmute")
			}
			if a.CanRemove(u.ID, m) {
				act.RemoveURL = groupURL(id, "/members/", uid, "/remove")
			}
			for _, d := range group.MuteDurations {
				act.Durations = append(act.Durations, component.Option{Value: strconv.Itoa(d), Label: group.MuteLabel(d)})
			}
			if refused != nil && refused.userID == m.UserID {
				act.Open = true
				switch refused.field {
				case "minutes":
					act.MinutesError = refused.msg
				default:
					act.Reason, act.ReasonError, act.Ban = refused.reason, refused.msg, refused.ban
				}
			}
			row.Moderate = act
		}
		if a.CanAppoint() && m.UserID != u.ID {
			switch m.Role {
			case group.RoleMember:
				row.AppointURL = groupURL(id, "/moderators/", uid)
			case group.RoleModerator:
				row.DismissURL = groupURL(id, "/moderators/", uid, "/remove")
			}
		}
		v.Members = append(v.Members, row)
	}
	return v, a.Group.Name + " · 成员", nil
}

// memberTags are what a member is in the group, as tags beside their
// name: the group role (a class group's owner is its 班主任) and, for
// staff, what they are at school. role is the tag of the group role.
func memberTags(kind group.Kind, m group.MemberView) (role string, tags []string) {
	switch m.Role {
	case group.RoleOwner:
		role = "群主"
		if kind == group.KindClass {
			role = "班主任"
		}
	case group.RoleModerator:
		role = "管理员"
	}
	if role != "" {
		tags = append(tags, role)
	}
	switch {
	case m.UserRole == auth.RoleTeacher && role != "班主任":
		tags = append(tags, "老师")
	case m.UserRole == auth.RoleAdmin && m.Role != group.RoleOwner:
		tags = append(tags, "学校管理员")
	}
	return role, tags
}

var (
	flashModeratorOn  = sayFlash("group-moderator-on", "已设为群管理员，TA 现在可以审核入群申请、禁言和移出家长成员。")
	flashModeratorOff = sayFlash("group-moderator-off", "已取消群管理员。")
)

func (s *Server) setModerator(on bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		uid, err := idParam(c, "uid")
		if err != nil {
			return err
		}
		if err := s.groups.SetModerator(c.Request().Context(), userOf(c), id, uid, on); err != nil {
			return err
		}
		if on {
			s.setFlash(c, flashModeratorOn)
		} else {
			s.setFlash(c, flashModeratorOff)
		}
		return redirect(c, groupURL(id, "/members"))
	}
}

func (s *Server) groupInvite(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	a, err := s.groups.Invite(c.Request().Context(), userOf(c), id)
	if err != nil {
		return err
	}
	v := groupviews.InviteView{Header: s.header(c, a, groupURL(id, "/invite")), CSRF: csrfOf(c), Code: a.Group.InviteCode,
		Link: inviteLink(c, a.Group.InviteCode), QRURL: groupURL(id, "/invite.png"), ResetURL: groupURL(id, "/invite/reset")}
	return render(c, http.StatusOK, groupviews.InvitePage(page(c, a.Group.Name+" · 邀请"), v))
}

func inviteLink(c echo.Context, code string) string {
	return fmt.Sprintf("%s://%s/join/%s", c.Scheme(), c.Request().Host, code)
}

// groupInviteQR is the invite link as a QR code for the head teacher to show or print.
func (s *Server) groupInviteQR(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	a, err := s.groups.Invite(c.Request().Context(), userOf(c), id)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(inviteLink(c, a.Group.InviteCode), qrcode.Medium, 480)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "image/png", png)
}

func (s *Server) groupInviteReset(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.groups.ResetInvite(c.Request().Context(), userOf(c), id); err != nil {
		return err
	}
	s.setFlash(c, flashInviteReset)
	return redirect(c, groupURL(id, "/invite"))
}

var flashInviteReset = sayFlash("group-invite-reset", "已重置邀请码，旧的二维码和链接已失效。请把新的发给还没入群的家长。")

func cards(groups []group.Summary) []groupviews.Card {
	out := make([]groupviews.Card, len(groups))
	for i, g := range groups {
		out[i] = groupviews.Card{ID: g.ID, URL: groupURL(g.ID), Name: g.Name, Kind: g.Kind.Label(), Members: g.Members,
			Role: g.Role.Label(), Pending: g.Pending, Requests: groupURL(g.ID, "/requests"), Moderates: g.Moderates}
	}
	return out
}

// liveCounts is the data of a counts event: a group's numbers as one
// user may see them. Pending is left out for those who do not handle the
// group's join requests.
type liveCounts struct {
	Group   uint64 `json:"group"`
	Members int    `json:"members"`
	Pending *int   `json:"pending,omitempty"`
}

// countsEvent renders a counts event for userID's pages: the group's
// numbers as JSON, which static/js/25-groups.js writes into the elements
// showing them. Someone who can no longer see the group is sent nothing.
func (s *Server) countsEvent(ctx context.Context, userID, groupID uint64) (string, string, error) {
	u, err := s.auth.User(ctx, userID)
	if err != nil {
		return "", "", err
	}
	a, err := s.groups.Access(ctx, &u, groupID)
	if errors.Is(err, apperr.ErrNotFound) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	counts, err := s.groups.Counts(ctx, a)
	if err != nil {
		return "", "", err
	}
	v := liveCounts{Group: groupID, Members: counts.Members}
	if a.CanModerate() && a.Group.Kind == group.KindClass {
		v.Pending = &counts.Pending
	}
	b, err := json.Marshal(v)
	return group.EventCounts, string(b), err
}

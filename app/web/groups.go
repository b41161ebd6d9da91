package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"jiaxiao/app/group"
	"jiaxiao/views/component"
	groupviews "jiaxiao/views/group"
)

// idParam reads a numeric path parameter; anything else is a 404.
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
	h := groupviews.Header{Name: a.Group.Name, Kind: a.Group.Kind.Label(), Members: counts.Members, Role: a.Role.Label()}
	tabs := []groupviews.Tab{{Label: "群聊", URL: groupURL(id)}, {Label: "成员", URL: groupURL(id, "/members")}}
	if a.CanModerate() {
		tabs = append(tabs, groupviews.Tab{Label: "群管理", URL: groupURL(id, "/moderation")})
	}
	if a.CanModerate() && a.Group.Kind == group.KindClass {
		tabs = append(tabs, groupviews.Tab{Label: "入群申请", URL: groupURL(id, "/requests"), Badge: counts.Pending},
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

func (s *Server) groupRename(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.groups.Rename(c.Request().Context(), userOf(c), id, c.FormValue("name")); err != nil {
		return err
	}
	return redirect(c, groupURL(id))
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

// refusedRemoval is a removal to show again: the member, what was typed
// and why it was refused.
type refusedRemoval struct {
	userID      uint64
	reason, msg string
	ban         bool
}

// membersView builds the members page; refused, if set, opens that
// member's actions with what was typed and the message.
func (s *Server) membersView(c echo.Context, id uint64, refused *refusedRemoval) (groupviews.MembersView, string, error) {
	u := userOf(c)
	a, members, err := s.groups.Members(c.Request().Context(), u, id)
	if err != nil {
		return groupviews.MembersView{}, "", err
	}
	v := groupviews.MembersView{Header: s.header(c, a, groupURL(id, "/members")), CSRF: csrfOf(c)}
	for _, m := range members {
		row := groupviews.MemberRow{Name: m.Name, CallNames: strings.Join(m.CallNames, "、"), Phone: m.Phone, Kind: m.UserRole.Label()}
		if m.Role != group.RoleMember {
			row.Role = m.Role.Label()
		}
		if m.MutedUntil != nil {
			row.Muted = m.MutedUntil.In(s.loc).Format("01-02 15:04")
		}
		if a.CanMute(u.ID, m) {
			uid := strconv.FormatUint(m.UserID, 10)
			act := &groupviews.MemberAction{MuteURL: groupURL(id, "/members/", uid, "/mute")}
			if a.CanRemove(u.ID, m) {
				act.RemoveURL = groupURL(id, "/members/", uid, "/remove")
			}
			for _, d := range group.MuteDurations {
				act.Durations = append(act.Durations, component.Option{Value: strconv.Itoa(d), Label: group.MuteLabel(d)})
			}
			if refused != nil && refused.userID == m.UserID {
				act.Open, act.Reason, act.ReasonError, act.Ban = true, refused.reason, refused.msg, refused.ban
			}
			row.Moderate = act
		}
		if a.CanAppoint() && m.UserID != u.ID {
			switch m.Role {
			case group.RoleMember:
				row.AppointURL = groupURL(id, "/moderators/", strconv.FormatUint(m.UserID, 10))
			case group.RoleModerator:
				row.DismissURL = groupURL(id, "/moderators/", strconv.FormatUint(m.UserID, 10), "/remove")
			}
		}
		v.Members = append(v.Members, row)
	}
	return v, a.Group.Name + " · 成员", nil
}

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
	return redirect(c, groupURL(id, "/invite"))
}

func cards(groups []group.Summary) []groupviews.Card {
	out := make([]groupviews.Card, len(groups))
	for i, g := range groups {
		out[i] = groupviews.Card{URL: groupURL(g.ID), Name: g.Name, Kind: g.Kind.Label(), Members: g.Members,
			Role: g.Role.Label(), Pending: g.Pending, Requests: groupURL(g.ID, "/requests")}
	}
	return out
}

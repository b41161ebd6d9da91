package web

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	homeviews "jiaxiao/views/home"
)

// meGroups lists the groups u is in (an admin sees every group elsewhere;
// here only those they belong to).
func (s *Server) meGroups(c echo.Context, u *auth.User, v *homeviews.MeView) error {
	mine, err := s.groups.Mine(c.Request().Context(), u)
	if err != nil {
		return err
	}
	for _, g := range mine {
		if g.Role == "" {
			continue
		}
		v.Groups = append(v.Groups, homeviews.MeGroup{URL: groupURL(g.ID), Name: g.Name, Note: g.Kind.Label() + " · " + g.Role.Label()})
	}
	return nil
}

// meSessions lists the devices logged in to u's account, this one marked.
func (s *Server) meSessions(c echo.Context, u *auth.User, v *homeviews.MeView) error {
	token, _ := c.Get(ctxToken).(string)
	list, total, err := s.auth.Sessions(c.Request().Context(), u, token)
	if err != nil {
		return err
	}
	now := s.now()
	for _, a := range list {
		ip := auth.MaskIP(a.IP)
		if ip == "" {
			ip = "未知"
		}
		v.Sessions = append(v.Sessions, homeviews.Session{Device: a.Device(), IP: ip,
			LastSeen: audit.When(a.LastSeenAt, now, s.loc), Current: a.Current})
	}
	v.MoreSessions = total - len(list)
	v.Others = total - 1
	return nil
}

// flashOthersOut says how many other devices 退出其他设备 logged out.
var flashOthersOut = newFlash("others_out", 1, func(n []int64) string {
	if n[0] == 0 {
		return "没有其他设备登录着您的账号。"
	}
	return fmt.Sprintf("已退出其他 %d 台设备的登录。", n[0])
})

// logoutOthers is 退出其他设备: every session of the user but this one ends.
func (s *Server) logoutOthers(c echo.Context) error {
	u, err := mustUser(c)
	if err != nil {
		return err
	}
	token, _ := c.Get(ctxToken).(string)
	n, err := s.auth.EndOtherSessions(c.Request().Context(), u, token, c.RealIP())
	if err != nil {
		return err
	}
	s.setFlash(c, flashOthersOut, int64(n))
	return redirect(c, "/me")
}

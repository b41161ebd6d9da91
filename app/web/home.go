package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/auth"
	homeviews "jiaxiao/views/home"
)

// homeTodo is how many notices still to do the home page lists.
const homeTodo = 5

// home is 首页: today's attendance for staff, the notices still to read or
// acknowledge (待处理), and the user's groups.
func (s *Server) home(c echo.Context) error {
	u, err := mustUser(c)
	if err != nil {
		return err
	}
	v := homeviews.View{Name: u.Name, RoleLabel: u.Role.Label(), Phone: u.Phone, Staff: u.Role.Staff()}
	mine, err := s.groups.Mine(c.Request().Context(), u)
	if err != nil {
		return err
	}
	v.Groups = cards(mine)
	ctx := c.Request().Context()
	todo, total, err := s.notices.Pending(ctx, u, homeTodo)
	if err != nil {
		return err
	}
	v.TodoCount = total
	for _, n := range todo {
		t := homeviews.Todo{URL: noticeURL(n.ID), Title: n.Title, Note: n.Category + " · " + n.PublishAt.In(s.loc).Format("01-02 15:04"), State: "待确认"}
		if n.ReadAt == nil {
			t.State, t.Unread = "未读", true
		}
		v.Todo = append(v.Todo, t)
	}
	if u.Role.Staff() {
		d, err := s.attendance.Today(ctx, u)
		if err != nil {
			return err
		}
		v.Attendance = d.Status.Label()
		if d.In != nil {
			v.Attendance += " · 上班 " + d.In.In(s.loc).Format("15:04")
		}
		if d.Out != nil {
			v.Attendance += " · 下班 " + d.Out.In(s.loc).Format("15:04")
		}
		inbox, err := s.attendance.Inbox(ctx, u)
		if err != nil {
			return err
		}
		v.Pending = len(inbox)
	}
	return render(c, http.StatusOK, homeviews.Page(page(c, "首页"), v))
}

// me is 我的: the account, a parent's children, the groups, the devices
// logged in (with 退出其他设备), the family's data rights (导出我的数据),
// and the menu of places the tab bar has no room for.
func (s *Server) me(c echo.Context) error {
	u, err := mustUser(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := page(c, "我的")
	v := homeviews.MeView{Name: u.Name, RoleLabel: u.Role.Label(), Phone: u.Phone}
	if u.Role == auth.RoleParent {
		kids, err := s.school.Children(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, k := range kids {
			v.Children = append(v.Children, homeviews.Child{Name: k.Name, Class: k.Class(), Relation: k.Relation})
		}
	}
	if err := s.meGroups(c, u, &v); err != nil {
		return err
	}
	if err := s.meSessions(c, u, &v); err != nil {
		return err
	}
	v.Rights = append(v.Rights, homeviews.MeLink{URL: "/me/export", Label: "导出我的数据", Note: "账号、消息和文件"},
		homeviews.MeLink{URL: "/me/access", Label: "谁查看了我的信息", Note: "教职工查看、导出记录"})
	if v.Consent, err = s.meConsent(ctx, u); err != nil {
		return err
	}
	v.Links = append(v.Links, homeviews.MeLink{URL: "/notifications", Label: "消息提醒", Count: p.Unread})
	v.Links = append(v.Links, homeviews.MeLink{URL: "/archive", Label: "归档", Note: "通知与重要文件"})
	// 家校本: a parent's children's homework; a teacher's own assignments.
	v.Links = append(v.Links, homeviews.MeLink{URL: "/homework", Label: "家校本", Note: "作业的布置、提交与批改"})
	if l, err := s.leaveMeLink(ctx, u); err != nil {
		return err
	} else if l != nil {
		v.Links = append(v.Links, *l)
	}
	if u.Role.Staff() {
		inbox, err := s.attendance.Inbox(ctx, u)
		if err != nil {
			return err
		}
		v.Links = append(v.Links, homeviews.MeLink{URL: "/approvals", Label: "审批", Note: "请假、补卡", Count: len(inbox)})
	}
	if u.Role == auth.RoleAdmin {
		v.Links = append(v.Links, homeviews.MeLink{URL: "/admin", Label: "学校管理", Note: "名册、账号、设置、日志"})
	}
	if v.Close, err = s.closeInfo(c, u); err != nil {
		return err
	}
	return render(c, http.StatusOK, homeviews.Me(p, v))
}

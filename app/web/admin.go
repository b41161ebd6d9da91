package web

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/erasure"
	"jiaxiao/app/privacy"
	"jiaxiao/app/school"
	adminviews "jiaxiao/views/admin"
	"jiaxiao/views/component"
)

// requireAdmin guards the office's pages; the services check again.
func requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := userOf(c)
		if u == nil {
			return apperr.ErrUnauthenticated
		}
		if u.Role != auth.RoleAdmin {
			return apperr.ErrForbidden
		}
		return next(c)
	}
}

// maxRosterFile bounds a roster upload; the preview carries the file back
// in the form, so it stays small.
const maxRosterFile = 4 << 20

func (s *Server) rosterView(c echo.Context, kind string) (adminviews.RosterView, error) {
	v := adminviews.RosterView{CSRF: csrfOf(c), Kind: kind}
	classes, err := s.school.Summaries(c.Request().Context(), userOf(c))
	if err != nil {
		return v, err
	}
	for _, cl := range classes {
		v.Classes = append(v.Classes, adminviews.ClassLine{URL: "/admin/classes/" + strconv.FormatUint(cl.ID, 10), Name: cl.Name(), Head: cl.HeadName, Students: cl.Students, Teachers: cl.Teachers})
	}
	return v, nil
}

func (s *Server) rosterPage(c echo.Context) error {
	v, err := s.rosterView(c, "students")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, adminviews.RosterPage(page(c, "花名册"), v))
}

// rosterUpload previews (step=preview: a dry run of the uploaded file) or
// applies (step=apply: the same file, carried back by the preview form) an
// import. A bad file answers 422 with every bad line.
func (s *Server) rosterUpload(c echo.Context) error {
	kind := c.FormValue("kind")
	if kind != "staff" {
		kind = "students"
	}
	v, err := s.rosterView(c, kind)
	if err != nil {
		return err
	}
	apply := c.FormValue("step") == "apply"
	name, data, err := rosterFile(c, apply)
	if err != nil {
		var ve *apperr.ValidationError
		if errors.As(err, &ve) {
			v.Errors = []string{ve.Message()}
			return render(c, http.StatusUnprocessableEntity, adminviews.RosterPage(page(c, "花名册"), v))
		}
		return err
	}
	out, err := s.runImport(c, kind, name, data, apply)
	var ie *school.ImportError
	switch {
	case errors.As(err, &ie):
		for _, l := range ie.Lines {
			if l.Line > 0 {
				v.Errors = append(v.Errors, fmt.Sprintf("第 %d 行：%s", l.Line, l.Reason))
			} else {
				v.Errors = append(v.Errors, l.Reason)
			}
		}
		return render(c, http.StatusUnprocessableEntity, adminviews.RosterPage(page(c, "花名册"), v))
	case err != nil:
		return err
	}
	if apply {
		// Show the classes as the import left them.
		if v, err = s.rosterView(c, kind); err != nil {
			return err
		}
		v.Result = &out
	} else {
		v.Preview, v.Filename, v.Data = &out, name, base64.StdEncoding.EncodeToString(data)
	}
	return render(c, http.StatusOK, adminviews.RosterPage(page(c, "花名册"), v))
}

// rosterFile reads the uploaded file (preview) or the file the preview
// form carried back (apply).
func rosterFile(c echo.Context, apply bool) (string, []byte, error) {
	if apply {
		data, err := base64.StdEncoding.DecodeString(c.FormValue("data"))
		name := filepath.Base(c.FormValue("filename"))
		if err != nil || len(data) == 0 || len(data) > maxRosterFile {
			return "", nil, apperr.Invalid("file", "预览已失效，请重新上传文件")
		}
		return name, data, nil
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return "", nil, apperr.Invalid("file", "请选择要上传的 .xlsx 或 .csv 文件")
	}
	ext := strings.ToLower(filepath.Ext(fh.Filename))
	if ext != ".csv" && ext != ".xlsx" {
		return "", nil, apperr.Invalid("file", "只支持 .xlsx 或 .csv 文件")
	}
	if fh.Size > maxRosterFile {
		return "", nil, apperr.Invalid("file", "文件超过 4 MB，请分批导入")
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRosterFile+1))
	return filepath.Base(fh.Filename), data, err
}

func (s *Server) runImport(c echo.Context, kind, name string, data []byte, apply bool) (adminviews.Outcome, error) {
	ctx, u := c.Request().Context(), userOf(c)
	var out adminviews.Outcome
	if kind == "staff" {
		res, err := s.school.ImportStaff(ctx, u, name, data, !apply)
		if err != nil {
			return out, err
		}
		out.Lines = []string{fmt.Sprintf("教职工：新增 %d，更新 %d，未变 %d", res.Created, res.Updated, res.Unchanged)}
		for _, code := range res.Codes {
			if apply {
				out.Codes = append(out.Codes, adminviews.Code{Name: code.Name, Phone: code.Phone, Code: code.Code})
			}
		}
		return out, nil
	}
	res, err := s.school.Import(ctx, u, name, data, school.ImportOptions{DryRun: !apply, ConfirmLeavers: apply && c.FormValue("confirm_leavers") == "1"})
	if err != nil {
		return out, err
	}
	out.Lines = []string{
		fmt.Sprintf("学生：新增 %d，更新 %d，未变 %d", res.StudentsCreated, res.StudentsUpdated, res.StudentsUnchanged),
		fmt.Sprintf("班级：新增 %d", res.ClassesCreated),
		fmt.Sprintf("家长联系人：新增 %d，删除 %d", res.ContactsAdded, res.ContactsRemoved),
	}
	for _, l := range res.Leaving {
		out.Leaving = append(out.Leaving, fmt.Sprintf("%s %s(%s)", l.Class, l.Name, l.StudentNo))
	}
	out.LeftMarked = res.LeftMarked > 0
	return out, nil
}

var statusLabels = map[auth.Status]string{auth.StatusActive: "正常", auth.StatusPending: "待激活", auth.StatusDeparted: "已离职", auth.StatusDisabled: "已停用",
	auth.StatusClosed: "已注销", auth.StatusErased: "已注销，资料已删除"}

var (
	flashRoleChanged = sayFlash("roleChanged", "已修改身份，对方的权限和群身份已随之更新。")
	flashDeparted    = sayFlash("departed", "已标记离职：该教职工不能再登录，并已退出所有群。")
)

// userFilter is the role the users page lists ("" for everyone).
func userFilter(v string) auth.Role {
	if r := auth.Role(v); r.Valid() {
		return r
	}
	return ""
}

func usersURL(role auth.Role) string {
	if role == "" {
		return "/admin/users"
	}
	return "/admin/users?role=" + string(role)
}

// usersView lists the accounts of role; refused is a change that was
// refused, shown on its account's card.
func (s *Server) usersView(c echo.Context, role auth.Role, refused map[uint64]string) (adminviews.UsersView, error) {
	users, err := s.auth.Users(c.Request().Context(), userOf(c), role, 1000)
	if err != nil {
		return adminviews.UsersView{}, err
	}
	shown := privacy.Shown{Kind: privacy.KindUsers, Ref: "users:" + string(role), Label: "用户列表"}
	for _, u := range users {
		// A closed or erased account is listed with no number: nothing of
		// the person is shown, and nothing new is written about them.
		if !u.Status.Gone() {
			shown.Users = append(shown.Users, u.ID)
		}
	}
	if err := s.shown(c, shown); err != nil {
		return adminviews.UsersView{}, err
	}
	me := userOf(c)
	v := adminviews.UsersView{CSRF: csrfOf(c), Role: string(role)}
	for _, f := range []struct {
		role  auth.Role
		label string
	}{{"", "全部"}, {auth.RoleAdmin, "管理员"}, {auth.RoleTeacher, "教师"}, {auth.RoleParent, "家长"}} {
		l := adminviews.Link{URL: usersURL(f.role), Label: f.label}
		if f.role == role {
			l.Note = "current"
		}
		v.Filters = append(v.Filters, l)
	}
	rules, err := s.settings.Get(c.Request().Context())
	if err != nil {
		return adminviews.UsersView{}, err
	}
	v.EraseDays = rules.EraseAfterDays
	for _, u := range users {
		id := strconv.FormatUint(u.ID, 10)
		row := adminviews.UserRow{ID: id, Name: u.Name, Phone: u.Phone, Role: u.Role.Label(), Status: statusLabels[u.Status], Department: u.Department,
			Error: refused[u.ID]}
		if u.Status == auth.StatusErased {
			row.Phone = "" // a placeholder, no number
		}
		if u.Status == auth.StatusClosed && u.EraseAt != nil {
			row.Status += "，" + u.EraseAt.In(s.loc).Format("1月2日") + "删除资料"
		}
		if erasure.MayErase(me, u) {
			row.EraseURL = "/admin/users/" + id + "/erase"
		}
		if school.CanDepart(me, u) == nil {
			row.DepartURL = "/admin/users/" + id + "/depart"
		}
		if school.CanSetRole(me, u) == nil {
			row.RoleURL = "/admin/users/" + id + "/role"
			for _, r := range school.StaffRoles {
				if r != u.Role {
					row.Roles = append(row.Roles, component.Option{Value: string(r), Label: r.Label()})
				}
			}
		}
		v.Users = append(v.Users, row)
		delete(refused, u.ID)
	}
	for _, msg := range refused { // an account this list does not show
		v.Error = msg
	}
	return v, nil
}

func (s *Server) usersPage(c echo.Context) error {
	v, err := s.usersView(c, userFilter(c.QueryParam("role")), nil)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, adminviews.UsersPage(page(c, "用户"), v))
}

// userChange answers a change to an account: back to the list with a
// flash, or, refused, the list again (422) with the message on the
// account's card and its menu open.
func (s *Server) userChange(c echo.Context, id uint64, err error, done *flash) error {
	filter := userFilter(c.FormValue("filter"))
	if err == nil {
		s.setFlash(c, done)
		return redirect(c, usersURL(filter))
	}
	ve, ok := apperr.AsValidation(err)
	if !ok {
		return err
	}
	v, err := s.usersView(c, filter, map[uint64]string{id: ve.Message()})
	if err != nil {
		return err
	}
	return render(c, http.StatusUnprocessableEntity, adminviews.UsersPage(page(c, "用户"), v))
}

func (s *Server) departUser(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.userChange(c, id, s.school.Depart(c.Request().Context(), userOf(c), id), flashDeparted)
}

// setUserRole makes a staff member a teacher or an admin.
func (s *Server) setUserRole(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	role := auth.Role(c.FormValue("role"))
	return s.userChange(c, id, s.school.SetRole(c.Request().Context(), userOf(c), id, role), flashRoleChanged)
}

// adminLinks are the office's management pages.
var adminLinks = []adminviews.Link{
	{URL: "/attendance/daily", Label: "每日考勤", Note: "今天谁到了、谁迟到、谁请假、谁外勤"},
	{URL: "/attendance/monthly", Label: "月度考勤", Note: "每位教师的月度汇总、图表、导出与确认锁定，导入考勤机记录"},
	{URL: "/admin/calendar", Label: "校历", Note: "法定节假日、调休，以及学校自己的放假和上课日"},
	{URL: "/admin/roster", Label: "花名册", Note: "导入学生和教职工名单，管理班级与学籍"},
	{URL: "/admin/departments", Label: "部门", Note: "设置教研组长、年级组长"},
	{URL: "/admin/users", Label: "用户", Note: "全部账号，修改教职工身份，标记离职"},
	{URL: "/admin/words", Label: "全校词库", Note: "违规内容的拦截、审核、打码与放行"},
	{URL: "/admin/settings", Label: "学校设置", Note: "考勤规则、DING 提醒时间、免打扰时段、监护人上限"},
	{URL: "/admin/audit", Label: "审计日志", Note: "谁在何时对谁做了什么：入群、移出、禁言、身份变更等"},
	{URL: "/admin/privacy", Label: "隐私政策", Note: "隐私政策与儿童个人信息保护规则、个人信息保护负责人、历史版本"},
}

func (s *Server) adminIndex(c echo.Context) error {
	return render(c, http.StatusOK, adminviews.IndexPage(page(c, "学校管理"), adminLinks))
}

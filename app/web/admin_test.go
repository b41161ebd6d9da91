package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
)

// rawAuditCode is what the audit page must never show: an action code
// (join.approve), a reference (group:3), a flag (roster_match=true).
var rawAuditCode = regexp.MustCompile(`[a-z_]+\.[a-z_]+|\b[a-z]+:\d+|[a-z_]+=[a-z0-9]`)

// rawCodeIn finds a raw code in an audit page's entries, outside the file
// names (“staff.csv”) they quote.
func rawCodeIn(r *apptest.Response) string {
	text := regexp.MustCompile(`“[^”]*”`).ReplaceAllString(r.Doc.Find("main").Text(), "“”")
	return rawAuditCode.FindString(text)
}

// auditTexts returns the text of each entry on an audit page.
func auditTexts(r *apptest.Response) []string {
	var out []string
	r.Doc.Find(`[data-testid="audit-entry"] p`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.Join(strings.Fields(s.Text()), " "))
	})
	return out
}

// findEntry returns the entry matching re, or "".
func findEntry(entries []string, re string) string {
	rx := regexp.MustCompile(re)
	for _, e := range entries {
		if rx.MatchString(e) {
			return e
		}
	}
	return ""
}

const when = `于 (今天|\d+月\d+日) \d\d:\d\d `

// TestAuditLogInWords: an admission, a removal with its reason, a mute and
// a role change, each done through its page, read on /admin/audit as
// sentences (谁 于 何时 对谁 做了什么，理由), never as codes; the log
// filters by kind and person and pages.
func TestAuditLogInWords(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		w := s.world
		owner, admin := s.clients["owner"], s.clients["admin"]
		gid := s.c32.ID
		for i := 0; i < 12; i++ { // more than a page of entries
			s.pendingRequest(t)
		}
		rid := s.pendingRequest(t)
		var req group.JoinRequest
		if err := w.DB.Where("id = ?", rid).Take(&req).Error; err != nil {
			t.Fatal(err)
		}
		var parent auth.User
		w.DB.Where("id = ?", req.ParentID).Take(&parent)
		removed := w.ByPhone("13900000001") // 张伟
		teacher := w.ByPhone("13800000003") // 陈志强

		owner.Get(fmt.Sprintf("/groups/%d/requests", gid))
		for _, step := range []struct {
			c    *apptest.Client
			path string
			form url.Values
		}{
			{owner, fmt.Sprintf("/groups/%d/requests/%d/approve", gid, rid), url.Values{}},
			{owner, fmt.Sprintf("/groups/%d/members/%d/mute", gid, parent.ID), url.Values{"minutes": {"60"}}},
			{owner, fmt.Sprintf("/groups/%d/members/%d/remove", gid, removed.ID), url.Values{"reason": {"多次发布广告"}}},
			{admin, fmt.Sprintf("/admin/users/%d/role", teacher.ID), url.Values{"role": {"admin"}}},
		} {
			if step.c == admin {
				admin.Get("/admin/users")
			}
			if r := step.c.Post(step.path, step.form); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST %s: %d %s", step.path, r.StatusCode, r.TestID("field-error"))
			}
		}

		r := admin.Get("/admin/audit")
		if r.StatusCode != 200 {
			t.Fatalf("audit: %d", r.StatusCode)
		}
		entries := auditTexts(r)
		if len(entries) == 0 || len(entries) > 30 {
			t.Fatalf("%d entries on the first page", len(entries))
		}
		group := regexp.QuoteMeta(s.c32.Name)
		for what, re := range map[string]string{
			"approval":    `^李芳 ` + when + `批准 ` + parent.Name + ` 加入 ` + group + `（手机号不在名册上）$`,
			"mute":        `^李芳 ` + when + `在 ` + group + ` 将 ` + parent.Name + ` 禁言 1 小时$`,
			"removal":     `^李芳 ` + when + `将 张伟 移出 ` + group + `，理由：多次发布广告$`,
			"role change": `^王建国 ` + when + `将 陈志强 的身份从教师改为管理员$`,
		} {
			if findEntry(entries, re) == "" {
				t.Errorf("no %s sentence matching %s among:\n%s", what, re, strings.Join(entries, "\n"))
			}
		}
		if m := rawCodeIn(r); m != "" {
			t.Errorf("the audit page shows a raw code: %q", m)
		}
		// Each person's name opens their entries.
		href, ok := r.Doc.Find(`[data-testid="audit-entry"] a:contains("张伟")`).First().Attr("href")
		if !ok || href != fmt.Sprintf("/admin/audit?person=%d", removed.ID) {
			t.Fatalf("张伟's link: %q", href)
		}
		mine := admin.Get(href)
		got := auditTexts(mine)
		if mine.TestID("audit-person") == "" || !strings.Contains(mine.TestID("audit-person"), "张伟") ||
			findEntry(got, `将 张伟 移出`) == "" || findEntry(got, `批准 张伟 加入`) == "" || findEntry(got, `陈志强`) != "" {
			t.Errorf("张伟's entries:\n%s", strings.Join(got, "\n"))
		}
		if byPhone := auditTexts(admin.Get("/admin/audit?phone=13900000001")); strings.Join(byPhone, "\n") != strings.Join(got, "\n") {
			t.Errorf("by phone:\n%s\nby link:\n%s", strings.Join(byPhone, "\n"), strings.Join(got, "\n"))
		}
		if bad := admin.Get("/admin/audit?phone=13999999999"); bad.TestID("field-error") != "没有使用这个手机号的用户" || bad.InputValue("phone") != "13999999999" {
			t.Errorf("an unknown phone: %q, kept %q", bad.TestID("field-error"), bad.InputValue("phone"))
		}
		removals := auditTexts(admin.Get("/admin/audit?kind=remove"))
		if len(removals) != 2 || findEntry(removals, `移出`) == "" || findEntry(removals, `禁言`) == "" {
			t.Errorf("removals and mutes:\n%s", strings.Join(removals, "\n"))
		}
		// Older entries are a page away, none twice.
		next, ok := r.Doc.Find(`[data-testid="audit-next"]`).Attr("href")
		if !ok {
			t.Fatal("no link to older entries")
		}
		older := admin.Get(next)
		seen := map[string]bool{}
		for _, e := range entries {
			seen[e] = true
		}
		olderEntries := auditTexts(older)
		if len(olderEntries) == 0 || older.Doc.Find(`[data-testid="audit-first"]`).Length() != 1 {
			t.Fatalf("older page: %d entries", len(olderEntries))
		}
		if findEntry(olderEntries, `^李芳 `+when+`将 王强 设为 `+regexp.QuoteMeta(s.c32.Name)+` 的管理员$`) == "" {
			t.Errorf("the appointment of a moderator is not among the older entries")
		}
		if findEntry(olderEntries, `^系统 `+when+`导入学生名单`) == "" {
			t.Errorf("the roster import is not among the oldest entries:\n%s", strings.Join(olderEntries, "\n"))
		}
		if m := rawCodeIn(older); m != "" {
			t.Errorf("the older page shows a raw code: %q", m)
		}
		// A number out of range is no page at all, not an error.
		for _, q := range []string{"?before=99999999999999999999999", "?person=-1", "?kind=" + strings.Repeat("x", 5000)} {
			if r := admin.Get("/admin/audit" + q); r.StatusCode != 200 {
				t.Errorf("%s: %d", q, r.StatusCode)
			}
		}
		if r := s.clients["owner"].Get("/admin/audit"); r.StatusCode != http.StatusForbidden {
			t.Errorf("a teacher reading the log: %d", r.StatusCode)
		}
	})
}

// TestUsersRoleChange: the role change sits behind each staff card's
// 管理 menu with a confirmation; a refused change answers 422 with the
// message on that card and the menu open; a done one says so once.
func TestUsersRoleChange(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		w := s.world
		admin := s.clients["admin"]
		teacher := w.ByPhone("13800000003")
		me := w.ByPhone("13800000001")
		parent := w.ByPhone("13900000001")

		r := admin.Get("/admin/users")
		card := r.Doc.Find(fmt.Sprintf(`#user-%d`, teacher.ID))
		form := card.Find(`details[data-testid="user-actions"] form:has([data-testid="set-role-admin"])`)
		if form.Length() != 1 || !strings.Contains(form.AttrOr("data-confirm", ""), "陈志强") {
			t.Fatalf("the teacher's card has no confirmed 改为管理员 in its menu: %q", card.Text())
		}
		if card.Find(`details[open]`).Length() != 0 {
			t.Error("the menu is open before anything happened")
		}
		if r.Doc.Find(fmt.Sprintf(`#user-%d [data-testid="set-role-teacher"]`, me.ID)).Length() != 0 {
			t.Error("the admin is offered a change of their own role")
		}
		if r.Doc.Find(fmt.Sprintf(`#user-%d [data-testid^="set-role-"], #user-%d [data-testid="depart"]`, parent.ID, parent.ID)).Length() != 0 {
			t.Error("a parent's card offers a role change or 离职")
		}

		for _, c := range []struct {
			id   uint64
			role string
			want string
		}{
			{me.ID, "teacher", "不能修改自己的身份"},
			{parent.ID, "admin", "家长账号不能改为教职工"},
			{teacher.ID, "parent", "请选择教师或管理员"},
		} {
			r := admin.Post(fmt.Sprintf("/admin/users/%d/role", c.id), url.Values{"role": {c.role}})
			card := r.Doc.Find(fmt.Sprintf(`#user-%d`, c.id))
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(card.Find(`[data-testid="field-error"]`).Text(), c.want) {
				t.Errorf("user %d to %s: %d %q", c.id, c.role, r.StatusCode, card.Find(`[data-testid="field-error"]`).Text())
			}
			if c.id == teacher.ID && card.Find(`details[open]`).Length() != 1 {
				t.Errorf("user %d: the menu is closed after the refusal", c.id)
			}
		}

		// Refused on a list that does not show the account: said at the top.
		r = admin.Post(fmt.Sprintf("/admin/users/%d/role", me.ID), url.Values{"role": {"teacher"}, "filter": {"parent"}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.TestID("alert-error"), "不能修改自己的身份") {
			t.Errorf("refused off the list: %d %q", r.StatusCode, r.TestID("alert-error"))
		}
		r = admin.Post(fmt.Sprintf("/admin/users/%d/role", teacher.ID), url.Values{"role": {"admin"}, "filter": {"teacher"}})
		if r.StatusCode != http.StatusSeeOther || r.Location() != "/admin/users?role=teacher" {
			t.Fatalf("to admin: %d %s", r.StatusCode, r.Location())
		}
		r = admin.Get(r.Location())
		if !strings.Contains(r.TestID("flash"), "已修改身份") {
			t.Errorf("flash after the change: %q", r.TestID("flash"))
		}
		if admin.Get("/admin/users").TestID("flash") != "" {
			t.Error("the flash shows twice")
		}
		if got := w.ByPhone("13800000003"); got.Role != auth.RoleAdmin {
			t.Fatalf("role now %s", got.Role)
		}
		// The new admin's own session knows at once.
		if r := s.clients["teacher-class"].Get("/admin"); r.StatusCode != 200 {
			t.Errorf("the new admin opening /admin: %d", r.StatusCode)
		}
		if err := admin.Post(fmt.Sprintf("/admin/users/%d/role", teacher.ID), url.Values{"role": {"teacher"}}); err.StatusCode != http.StatusSeeOther {
			t.Fatalf("back to teacher: %d", err.StatusCode)
		}
		if r := s.clients["teacher-class"].Get("/admin"); r.StatusCode != http.StatusForbidden {
			t.Errorf("a teacher again opening /admin: %d", r.StatusCode)
		}

		// 离职 says so too, and lands on the list it came from.
		admin.Get("/admin/users")
		r = admin.Post(fmt.Sprintf("/admin/users/%d/depart", teacher.ID), url.Values{"filter": {"admin"}})
		if r.StatusCode != http.StatusSeeOther || r.Location() != "/admin/users?role=admin" {
			t.Fatalf("depart: %d %s", r.StatusCode, r.Location())
		}
		if f := admin.Get(r.Location()).TestID("flash"); !strings.Contains(f, "已标记离职") {
			t.Errorf("flash after 离职: %q", f)
		}
		if r := admin.Post(fmt.Sprintf("/admin/users/%d/depart", me.ID), url.Values{}); r.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Doc.Find(fmt.Sprintf(`#user-%d [data-testid="field-error"]`, me.ID)).Text(), "不能将自己标记为离职") {
			t.Errorf("departing oneself: %d", r.StatusCode)
		}
	})
}

// TestSettingsGroupsHelpAndErrors: the settings page is grouped with a
// label, unit, help and default for every box; the school point shows
// 未设置 until set; a bad value answers 422 in place with what was typed;
// a save says so once after the redirect, and the log says what changed.
func TestSettingsGroupsHelpAndErrors(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		admin := s.clients["admin"]
		r := admin.Get("/admin/settings")
		for key, title := range map[string]string{"attendance": "考勤", "remind": "提醒", "join": "入群"} {
			legend := strings.TrimSpace(r.Doc.Find(`[data-testid="settings-group-` + key + `"] legend`).Text())
			if legend != title {
				t.Errorf("group %s: legend %q, want %q", key, legend, title)
			}
		}
		for field, group := range map[string]string{"geofence_m": "attendance", "quiet_start": "remind", "ding_after_work_min": "remind", "guardians_per_student": "join", "makeup_per_month": "attendance", "homework_remind_before_min": "remind"} {
			if r.Doc.Find(`[data-testid="settings-group-`+group+`"] input[name="`+field+`"]`).Length() != 1 {
				t.Errorf("%s is not under %s", field, group)
			}
		}
		fields := r.Doc.Find(`[data-testid="settings-form"] input:not([type="hidden"])`)
		if fields.Length() != 21 {
			t.Errorf("%d fields, want the 21 of the contract", fields.Length())
		}
		fields.Each(func(_ int, in *goquery.Selection) {
			name, _ := in.Attr("name")
			id, _ := in.Attr("id")
			label := strings.TrimSpace(r.Doc.Find(`label[for="` + id + `"]`).Text())
			help := strings.TrimSpace(r.Doc.Find(`[data-testid="setting-` + name + `"] [data-testid="setting-help"]`).Text())
			desc, _ := in.Attr("aria-describedby")
			if label == "" || strings.ContainsAny(label, "_abcdefghijklmnopqrstuvwxyz") || len([]rune(help)) < 10 || !strings.Contains(desc, "help-"+name) {
				t.Errorf("%s: label %q, help %q, described by %q", name, label, help, desc)
			}
		})
		geo := r.Doc.Find(`[data-testid="setting-geofence_m"]`)
		if !strings.Contains(geo.Text(), "米") || !strings.Contains(geo.Find(`[data-testid="setting-help"]`).Text(), "默认 300 米") || r.InputValue("geofence_m") != "300" {
			t.Errorf("geofence: %q value %q", strings.Join(strings.Fields(geo.Text()), " "), r.InputValue("geofence_m"))
		}
		for _, name := range []string{"school_lat", "school_lng"} {
			in := r.Doc.Find(`input[name="` + name + `"]`)
			if v, _ := in.Attr("value"); v != "" || in.AttrOr("placeholder", "") != "未设置" {
				t.Errorf("%s before it is set: value %q placeholder %q", name, v, in.AttrOr("placeholder", ""))
			}
		}
		if !strings.Contains(r.TestID("point-map-caption"), "还没有设置学校位置") || r.Doc.Find(`[data-testid="use-my-location"]`).Length() != 1 {
			t.Errorf("the school point before it is set: %q", r.TestID("point-map-caption"))
		}

		// Every box as the browser sends it, with two mistakes.
		form := url.Values{}
		fields.Each(func(_ int, in *goquery.Selection) {
			form.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
		})
		form.Set("geofence_m", "三百")
		form.Set("school_lat", "31.2304")
		r = admin.Post("/admin/settings", form)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad settings: %d", r.StatusCode)
		}
		geoErr := r.Doc.Find(`[data-testid="setting-geofence_m"] [data-testid="field-error"]`)
		lngErr := r.Doc.Find(`[data-testid="setting-school_lng"] [data-testid="field-error"]`)
		if !strings.Contains(geoErr.Text(), "打卡范围应为 50–5000 的整数") || !strings.Contains(lngErr.Text(), "请同时填写学校的纬度和经度") {
			t.Errorf("messages: %q / %q", geoErr.Text(), lngErr.Text())
		}
		if id, _ := geoErr.Attr("id"); !strings.Contains(r.Doc.Find(`input[name="geofence_m"]`).AttrOr("aria-describedby", ""), id) ||
			r.Doc.Find(`input[name="geofence_m"]`).AttrOr("aria-invalid", "") != "true" {
			t.Error("the geofence message is not linked to its box")
		}
		if r.InputValue("geofence_m") != "三百" || r.InputValue("school_lat") != "31.2304" || r.InputValue("work_start") != "08:30" {
			t.Errorf("typed values lost: %q %q %q", r.InputValue("geofence_m"), r.InputValue("school_lat"), r.InputValue("work_start"))
		}
		if !strings.Contains(r.TestID("alert-error"), "有 2 项填写有误") {
			t.Errorf("summary: %q", r.TestID("alert-error"))
		}
		if got, _ := s.world.Settings.Get(t.Context()); got.SchoolLat != 0 || got.GeofenceM != 300 {
			t.Fatalf("a refused form stored something: %+v", got)
		}

		form.Set("geofence_m", "500")
		form.Set("school_lng", "121.4737")
		form.Set("late_grace_min", "") // emptied: back to its default
		r = admin.Post("/admin/settings", form)
		if r.StatusCode != http.StatusSeeOther || r.Location() != "/admin/settings" {
			t.Fatalf("save: %d %s", r.StatusCode, r.Location())
		}
		r = admin.Get("/admin/settings")
		if !strings.Contains(r.TestID("flash"), "学校设置已保存") {
			t.Errorf("flash: %q", r.TestID("flash"))
		}
		if r.InputValue("geofence_m") != "500" || r.InputValue("school_lat") != "31.2304" || r.InputValue("late_grace_min") != "0" {
			t.Errorf("saved: %q %q %q", r.InputValue("geofence_m"), r.InputValue("school_lat"), r.InputValue("late_grace_min"))
		}
		if !strings.Contains(r.TestID("point-map-caption"), "31.2304") || !strings.Contains(r.TestID("point-map-caption"), "500 米") {
			t.Errorf("map caption: %q", r.TestID("point-map-caption"))
		}
		if admin.Get("/admin/settings").TestID("flash") != "" {
			t.Error("the flash shows twice")
		}
		logged := findEntry(auditTexts(admin.Get("/admin/audit?kind=settings")), `^王建国 `+when+`修改了学校设置（学校纬度：未设置 → 31\.2304；学校经度：未设置 → 121\.4737；打卡范围：300 → 500 米）$`)
		if logged == "" {
			t.Errorf("the log does not say what changed: %q", auditTexts(admin.Get("/admin/audit?kind=settings")))
		}

		// Emptying the point unsets it.
		form.Set("school_lat", "")
		form.Set("school_lng", "")
		if r := admin.Post("/admin/settings", form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("unset the point: %d", r.StatusCode)
		}
		r = admin.Get("/admin/settings")
		if r.InputValue("school_lat") != "" || r.Doc.Find(`input[name="school_lat"]`).AttrOr("placeholder", "") != "未设置" {
			t.Errorf("after emptying: %q", r.InputValue("school_lat"))
		}
	})
}

// TestStaffImportRoleChangeIsLogged: a role the staff roster changes is a
// role change in the log, like one made on the users page.
func TestStaffImportRoleChangeIsLogged(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	s.world.Staff(strings.Replace(matrixStaff, "陈志强,13800000003,教师", "陈志强,13800000003,管理员", 1))
	entries := auditTexts(s.clients["admin"].Get("/admin/audit?kind=role"))
	if findEntry(entries, `^系统 `+when+`将 陈志强 的身份从教师改为管理员（按教职工名单）$`) == "" {
		t.Errorf("role changes:\n%s", strings.Join(entries, "\n"))
	}
}

// TestClassAndDepartmentChangesInPlace: a refused 学籍 or 组长 change
// answers 422 on the same page with the message beside that card; a
// done one says so once after the redirect.
func TestClassAndDepartmentChangesInPlace(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	admin := s.clients["admin"]
	var st struct{ ID, ClassID uint64 }
	s.world.DB.Table("students").Select("id, class_id").Where("student_no = ?", "20230202").Scan(&st)
	admin.Get(fmt.Sprintf("/admin/classes/%d", st.ClassID))
	r := admin.Post(fmt.Sprintf("/admin/students/%d/status", st.ID), url.Values{"status": {"expelled"}})
	card := r.Doc.Find(fmt.Sprintf("#student-%d", st.ID))
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(card.Find(`[data-testid="field-error"]`).Text(), "请选择在读、转出或毕业") ||
		r.Doc.Find(`[data-testid="student"]`).Length() < 50 {
		t.Fatalf("unknown status: %d %q", r.StatusCode, card.Text())
	}
	r = admin.Post(fmt.Sprintf("/admin/students/%d/status", st.ID), url.Values{"status": {"transferred"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("transfer: %d", r.StatusCode)
	}
	r = admin.Get(r.Location())
	if !strings.Contains(r.TestID("flash"), "已更新学籍") || !strings.Contains(r.Doc.Find(fmt.Sprintf("#student-%d .tag", st.ID)).Text(), "转出") {
		t.Errorf("after the transfer: flash %q", r.TestID("flash"))
	}
	if form := r.Doc.Find(fmt.Sprintf("#student-%d form", st.ID)); !strings.Contains(form.AttrOr("data-confirm", ""), "王芳") {
		t.Error("no confirmation before a change of 学籍")
	}

	r = admin.Get("/admin/departments")
	dept := r.Doc.Find(`[data-testid="department"]`).First()
	action, _ := dept.Find("form").Attr("action")
	id, _ := dept.Attr("id")
	r = admin.Post(action, url.Values{"head": {fmt.Sprint(s.world.ByPhone("13900000001").ID)}})
	if msg := r.Doc.Find("#" + id + ` [data-testid="field-error"]`).Text(); r.StatusCode != http.StatusUnprocessableEntity || msg != "请选择本校在职教职工" {
		t.Errorf("a parent as head: %d %q", r.StatusCode, msg)
	}
	if r = admin.Post(action, url.Values{"head": {"0"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("no head: %d", r.StatusCode)
	}
	if f := admin.Get(r.Location()).TestID("flash"); f != "已更新部门组长。" {
		t.Errorf("flash: %q", f)
	}
}

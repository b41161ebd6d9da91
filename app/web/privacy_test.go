package web_test

import (
	"context"
	"encoding/csv"
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
	"jiaxiao/app/privacy"
)

// registerCode sends a registration code for phone and returns it, the
// client holding the form's CSRF token.
func registerCode(t *testing.T, a *app, c *apptest.Client, phone string) string {
	t.Helper()
	c.Get("/register")
	if r := c.Post("/register/code", url.Values{"phone": {phone}, "name": {"赵丽"}, "consent": {"1"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("send code: %d", r.StatusCode)
	} else if r = c.Get(r.Location()); !r.Doc.Find(`[data-testid="consent-box"]`).Is("[checked]") {
		t.Fatal("the ticked box is lost when the code is sent")
	}
	return regexp.MustCompile(`\d{6}`).FindString(a.sent.wait(t).Text)
}

// TestRegisterNeedsConsent: the registration form shows the notice and
// its box; without the box ticked it is refused (422) with everything
// typed kept and the message beside the box; ticked, the account is made
// and the version agreed to and its time are stored and shown on 我的.
func TestRegisterNeedsConsent(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		a := newApp(t, g)
		c := apptest.NewClient(t, a.URL)
		r := c.Get("/register")
		if r.StatusCode != 200 || r.Doc.Find(`details[data-testid="privacy-fold"] [data-testid="privacy-text"]`).Length() != 1 ||
			!strings.Contains(r.TestID("retention"), "群消息及其图片、文件：730 天") || r.InputValue("consent_version") != "1" {
			t.Fatalf("the form's notice: %d %q version %q", r.StatusCode, r.TestID("retention"), r.InputValue("consent_version"))
		}
		code := registerCode(t, a, c, "13600136000")
		form := url.Values{"phone": {"13600136000"}, "name": {"赵丽"}, "password": {"parent-123"}, "code": {code}, "consent_version": {"1"}}
		r = c.Post("/register", form)
		box := r.Doc.Find(`[data-testid="consent-box"]`)
		if r.StatusCode != http.StatusUnprocessableEntity || r.InputValue("phone") != "13600136000" || r.InputValue("name") != "赵丽" ||
			r.InputValue("code") != code || box.Is("[checked]") || box.AttrOr("aria-invalid", "") != "true" ||
			!strings.Contains(r.Doc.Find("#consent-error").Text(), "请阅读并勾选同意") {
			t.Fatalf("without consent: %d phone=%q name=%q code=%q error=%q", r.StatusCode, r.InputValue("phone"), r.InputValue("name"),
				r.InputValue("code"), r.Doc.Find("#consent-error").Text())
		}
		if _, err := a.auth.UserByPhone(context.Background(), "13600136000"); err == nil {
			t.Fatal("an account was made without consent")
		}
		// Ticked but another field wrong: the tick stays.
		form.Set("consent", "1")
		form.Set("name", "赵")
		if r = c.Post("/register", form); r.StatusCode != 422 || !r.Doc.Find(`[data-testid="consent-box"]`).Is("[checked]") || r.Doc.Find("#consent-error").Text() != "" {
			t.Fatalf("bad name with consent: %d", r.StatusCode)
		}
		form.Set("name", "赵丽")
		if r = c.Post("/register", form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("with consent: %d %s", r.StatusCode, r.TestID("alert-error"))
		}
		u, err := a.auth.UserByPhone(context.Background(), "13600136000")
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.world.Privacy.Latest(context.Background(), u.ID)
		if err != nil || got.Version != 1 || got.AgreedAt.IsZero() {
			t.Fatalf("stored consent %+v %v", got, err)
		}
		r = c.Get("/me")
		if r.TestID("consent-version") != "第 1 版" || r.TestID("consent-when") == "" || r.Doc.Find(`[data-testid="consent-version"]`).AttrOr("href", "") != "/privacy?v=1" {
			t.Fatalf("我的: %q %q", r.TestID("consent-version"), r.TestID("consent-when"))
		}
		if r = c.Get("/privacy?v=1"); r.StatusCode != 200 || r.TestID("privacy-old") != "" || !strings.Contains(r.TestID("privacy-text"), "儿童个人信息保护规则") {
			t.Fatalf("the text agreed to: %d", r.StatusCode)
		}
	})
}

// TestConsentAskedAgain: after an admin saves a version that asks again,
// a parent who agreed to the earlier one is sent to it at login and from
// every page until they agree; 不同意并退出 logs them out and the next
// login asks again. A revision that does not ask again asks nobody, and
// staff are never asked.
func TestConsentAskedAgain(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		a := newApp(t, g)
		a.user(t, auth.RoleAdmin, "王建国", "13800000001")
		a.user(t, auth.RoleTeacher, "李芳", "13800000002")
		a.user(t, auth.RoleParent, "张伟", "13900000001")
		admin, teacher, parent := apptest.NewClient(t, a.URL), apptest.NewClient(t, a.URL), apptest.NewClient(t, a.URL)
		admin.Login("13800000001", "secret-123")
		teacher.Login("13800000002", "secret-123")
		parent.Login("13900000001", "secret-123")
		if r := parent.Get("/groups"); r.StatusCode != 200 {
			t.Fatalf("before the change: %d", r.StatusCode)
		}

		// The admin's form: a refused save keeps what was typed.
		r := admin.Get("/admin/privacy")
		if r.StatusCode != 200 || !strings.Contains(r.Doc.Find(`textarea[name="policy"]`).Text(), "一、我们收集哪些信息") ||
			r.Doc.Find(`[data-testid="privacy-version"]`).Length() != 1 {
			t.Fatalf("admin page: %d", r.StatusCode)
		}
		policy := "本校新的隐私政策：只收集手机号和姓名。"
		edit := url.Values{"policy": {policy}, "children": {"儿童信息只给本班老师看。"}, "officer": {""}, "contact": {"021-12345678"}, "asks_again": {"1"}}
		r = admin.Post("/admin/privacy", edit)
		if r.StatusCode != 422 || r.Doc.Find(`textarea[name="policy"]`).Text() != policy || r.InputValue("contact") != "021-12345678" ||
			!strings.Contains(r.Doc.Find("#pv-officer-error").Text(), "请填写个人信息保护负责人") {
			t.Fatalf("refused save: %d %q", r.StatusCode, r.Doc.Find("#pv-officer-error").Text())
		}
		edit.Set("officer", "王建国（校长）")
		if r = admin.Post("/admin/privacy", edit); r.StatusCode != 303 {
			t.Fatalf("save: %d %s", r.StatusCode, r.TestID("alert-error"))
		}
		r = admin.Get("/admin/privacy")
		hist := r.Doc.Find(`[data-testid="privacy-version"]`)
		if r.TestID("flash") != "已保存为第 2 版，家长从现在起看到的是新版本。" || hist.Length() != 2 ||
			!strings.Contains(hist.First().Text(), "第 2 版") || !strings.Contains(hist.First().Text(), "王建国") ||
			!strings.Contains(hist.Last().Text(), "系统默认文本") || !strings.Contains(hist.Last().Text(), "已同意 1 人") {
			t.Fatalf("history: %q / %q", r.TestID("flash"), hist.Text())
		}
		if r = apptest.NewClient(t, a.URL).Get("/privacy"); !strings.Contains(r.TestID("privacy-text"), policy) || r.TestID("privacy-officer") != "王建国（校长） · 021-12345678" {
			t.Fatalf("the public notice: %q", r.TestID("privacy-officer"))
		}

		// The parent, at the next page and at the next login.
		if r = parent.Get("/groups"); r.StatusCode != 303 || r.Location() != "/privacy/consent?next=%2Fgroups" {
			t.Fatalf("a page after the change: %d %q", r.StatusCode, r.Location())
		}
		if r = teacher.Get("/groups"); r.StatusCode != 200 {
			t.Fatalf("staff asked: %d", r.StatusCode)
		}
		relog := func() *apptest.Response {
			t.Helper()
			parent.Get("/login")
			return parent.Post("/login", url.Values{"phone": {"13900000001"}, "password": {"secret-123"}})
		}
		if r = relog(); r.StatusCode != 303 || r.Location() != "/privacy/consent" {
			t.Fatalf("login after the change: %d %q", r.StatusCode, r.Location())
		}
		for _, path := range []string{"/", "/me", "/notices", "/me/access"} {
			if r = parent.Get(path); r.StatusCode != 303 || !strings.HasPrefix(r.Location(), "/privacy/consent") {
				t.Fatalf("%s before agreeing: %d %q", path, r.StatusCode, r.Location())
			}
		}
		r = parent.Get("/privacy/consent")
		if r.StatusCode != 200 || !strings.Contains(r.Body, "您之前同意的是第 1 版，现在是第 2 版") || !strings.Contains(r.TestID("privacy-text"), policy) {
			t.Fatalf("the consent page: %d", r.StatusCode)
		}
		// 不同意并退出: logged out, asked again at the next login.
		if r = parent.Post("/privacy/refuse", nil); r.StatusCode != 303 || r.Location() != "/login" {
			t.Fatalf("refuse: %d %q", r.StatusCode, r.Location())
		}
		if r = parent.Get("/login"); !strings.Contains(r.TestID("flash"), "您没有同意新的隐私政策，已退出登录") {
			t.Fatalf("after refusing: %q", r.TestID("flash"))
		}
		if r = parent.Get("/groups"); r.StatusCode != 303 || !strings.HasPrefix(r.Location(), "/login") {
			t.Fatalf("still logged in after refusing: %d %q", r.StatusCode, r.Location())
		}
		if r = relog(); r.Location() != "/privacy/consent" {
			t.Fatalf("login after refusing: %q", r.Location())
		}
		parent.Get("/privacy/consent")
		// Agreeing to a version that is no longer current shows the new one.
		if r = parent.Post("/privacy/consent", url.Values{"version": {"1"}, "next": {"/groups"}}); r.StatusCode != http.StatusConflict || !strings.Contains(r.TestID("alert-error"), "刚刚更新") {
			t.Fatalf("agreeing to an old version: %d", r.StatusCode)
		}
		if r = parent.Post("/privacy/consent", url.Values{"version": {"2"}, "next": {"/groups"}}); r.StatusCode != 303 || r.Location() != "/groups" {
			t.Fatalf("agree: %d %q", r.StatusCode, r.Location())
		}
		if r = parent.Get("/groups"); r.StatusCode != 200 || r.TestID("flash") != "已同意新的隐私政策，谢谢。" {
			t.Fatalf("after agreeing: %d %q", r.StatusCode, r.TestID("flash"))
		}
		if r = parent.Get("/me"); r.TestID("consent-version") != "第 2 版" || r.TestID("consent-ask") != "" {
			t.Fatalf("我的 after agreeing: %q", r.TestID("consent-version"))
		}
		// A revision that does not ask again: nobody is asked.
		edit.Del("asks_again")
		edit.Set("contact", "021-87654321")
		if r = admin.Post("/admin/privacy", edit); r.StatusCode != 303 {
			t.Fatalf("revision: %d", r.StatusCode)
		}
		if r = relog(); r.Location() != "/" {
			t.Fatalf("login after a revision: %q", r.Location())
		}
		if r = parent.Get("/me"); r.StatusCode != 200 || r.TestID("consent-version") != "第 2 版" || r.TestID("consent-ask") == "" {
			t.Fatalf("我的 after a revision: %d %q", r.StatusCode, r.TestID("consent-version"))
		}
	})
}

// csvRows reads a CSV download.
func csvRows(t *testing.T, r *apptest.Response) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Doc.Text(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	return rows
}

// TestReceiptsAccessLog is the "must show": the head teacher
// opening a notice's receipts and downloading them writes the access log
// (pii.view), and the parent reads her name at /me/access. A parent made
// moderator sees the same receipts with every other number masked, and
// writes nothing.
func TestReceiptsAccessLog(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		n := s.notice(t, true)
		path := fmt.Sprintf("/notices/%d/receipts", n.ID)
		parent := s.clients["parent-member"]
		if r := parent.Get("/me/access"); r.StatusCode != 200 || r.TestID("access-empty") != "还没有人查看过。" {
			t.Fatalf("access log before: %d %q", r.StatusCode, r.TestID("access-empty"))
		}
		// The parent moderator: masked numbers, on the page and in the CSV.
		mod := s.clients["moderator"]
		r := mod.Get(path)
		if r.StatusCode != 200 || strings.Contains(r.Body, "13900000001") || !strings.Contains(r.Body, "139****0001") || r.Doc.Find(`a[href^="tel:"]`).Length() != 0 {
			t.Fatalf("a parent moderator's receipts page shows full numbers or calls: %d", r.StatusCode)
		}
		for _, row := range csvRows(t, mod.Get(path+".csv"))[1:] {
			if !strings.Contains(row[1], "****") && row[0] != "王强" {
				t.Fatalf("a parent moderator's CSV has a full number: %v", row)
			}
		}
		// The head teacher: her class's parents in full, the other
		// teacher masked.
		owner := s.clients["owner"]
		r = owner.Get(path)
		if !strings.Contains(r.Body, "13900000001") || strings.Contains(r.Body, "13800000003") {
			t.Fatalf("the head teacher's receipts page")
		}
		rows := csvRows(t, owner.Get(path+".csv"))
		full := 0
		for _, row := range rows[1:] {
			if !strings.Contains(row[1], "*") {
				full++
			}
		}
		if full != 2 { // 张伟 and 王强; 陈志强 masked
			t.Fatalf("the head teacher's CSV: %d full numbers in %v", full, rows)
		}
		r = parent.Get("/me/access")
		lines := r.Doc.Find(`[data-testid="access-line"]`)
		if lines.Length() != 2 {
			t.Fatalf("access log: %d lines: %s", lines.Length(), r.Doc.Find(`[data-testid="access-log"]`).Text())
		}
		first, second := lines.Eq(0).Text(), lines.Eq(1).Text()
		if r.TestID("access-who") != "李芳" || r.TestID("access-what") != "导出了通知阅读情况（含手机号）" ||
			!strings.Contains(first, "通知“家长会通知”") || !strings.Contains(second, "李芳") || !strings.Contains(second, "查看了通知阅读情况") {
			t.Fatalf("access log lines:\n%s\n%s", first, second)
		}
		// Looking again the same day counts on the same line.
		owner.Get(path)
		if r = parent.Get("/me/access"); r.Doc.Find(`[data-testid="access-line"]`).Length() != 2 || !strings.Contains(r.Body, "当天 2 次") {
			t.Fatalf("second look: %s", r.Doc.Find(`[data-testid="access-log"]`).Text())
		}
		// Nothing written for the parent moderator's masked views; the
		// head teacher's are in the audit log, in words.
		moderator := s.world.ByPhone("13900000003")
		mine, _, err := s.world.Privacy.Access(context.Background(), s.world.ByPhone("13900000001"), privacy.AccessQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range mine {
			if l.ActorID == moderator.ID {
				t.Fatalf("a masked view was logged: %+v", l)
			}
		}
		log := s.clients["admin"].Get("/admin/audit?kind=privacy").Doc.Find(`[data-testid="audit"]`).Text()
		if !strings.Contains(log, "李芳 于") || !strings.Contains(log, "导出了通知阅读情况，涉及 2 人") || strings.Contains(log, "王强 于") {
			t.Fatalf("audit log:\n%s", log)
		}
		// Another family sees none of it.
		if r = s.clients["parent-other"].Get("/me/access"); r.TestID("access-empty") == "" {
			t.Fatal("another family sees 3-2's access log")
		}
	})
}

// TestFullNumbersRule: full phone numbers only to the person, admins, and
// the head teacher and staff moderators of a class for that class's
// parents; never to a parent moderator, on the members page, the join
// requests and the receipts (page and CSV).
func TestFullNumbersRule(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		ctx := context.Background()
		s.pendingRequest(t) // 137000000NN asks to join 3-2
		members := fmt.Sprintf("/groups/%d/members", s.c32.ID)
		requests := fmt.Sprintf("/groups/%d/requests", s.c32.ID)
		full := regexp.MustCompile(`1[3-9]\d{9}`)
		fulls := func(actor, path string) map[string]bool {
			t.Helper()
			r := s.clients[actor].Get(path)
			if r.StatusCode != 200 {
				t.Fatalf("%s %s: %d", actor, path, r.StatusCode)
			}
			out := map[string]bool{}
			r.Doc.Find(`[data-testid="member-phone"], [data-testid="request-phone"]`).Each(func(_ int, sel *goquery.Selection) {
				if p := strings.TrimSpace(sel.Text()); full.MatchString(p) {
					out[p] = true
				}
			})
			return out
		}
		// The parent moderator: their own number only.
		if got := fulls("moderator", members); len(got) != 1 || !got["13900000003"] {
			t.Errorf("parent moderator's members page: %v", got)
		}
		if got := fulls("moderator", requests); len(got) != 0 {
			t.Errorf("parent moderator's requests page: %v", got)
		}
		// The head teacher: the class's parents and herself, not the
		// other teacher; the applicant too.
		if got := fulls("owner", members); !got["13900000001"] || !got["13900000003"] || !got["13800000002"] || got["13800000003"] {
			t.Errorf("head teacher's members page: %v", got)
		}
		if got := fulls("owner", requests); len(got) != 1 {
			t.Errorf("head teacher's requests page: %v", got)
		}
		// A class teacher: masked until made moderator.
		if got := fulls("teacher-class", members); len(got) != 1 || !got["13800000003"] {
			t.Errorf("class teacher's members page: %v", got)
		}
		if err := s.world.Groups.SetModerator(ctx, s.world.ByPhone("13800000002"), s.c32.ID, s.world.ByPhone("13800000003").ID, true); err != nil {
			t.Fatal(err)
		}
		if got := fulls("teacher-class", members); !got["13900000001"] || got["13800000002"] {
			t.Errorf("staff moderator's members page: %v", got)
		}
		// The admin: everyone.
		if got := fulls("admin", members); !got["13900000001"] || !got["13800000003"] {
			t.Errorf("admin's members page: %v", got)
		}
		// The receipts CSV of a notice to 3-2, as the parent moderator.
		n := s.notice(t, false)
		for _, row := range csvRows(t, s.clients["moderator"].Get(fmt.Sprintf("/notices/%d/receipts.csv", n.ID)))[1:] {
			if full.MatchString(row[1]) && row[1] != "13900000003" {
				t.Errorf("parent moderator's CSV: %v", row)
			}
		}
		// The staff moderator's views are logged, for the family to read.
		r := s.clients["parent-member"].Get("/me/access")
		if !strings.Contains(r.Doc.Find(`[data-testid="access-log"]`).Text(), "陈志强") || !strings.Contains(r.Body, "查看了群成员名单") {
			t.Errorf("the parent's access log: %s", r.Doc.Find("main").Text())
		}
	})
}

// TestAccessLogCostsBatches: a page showing 500 parents' numbers writes
// its access log in the audit entry and batches of rows (one on MySQL,
// ten on SQLite, whose binding grows with the square of a statement's
// parameters), not one statement per parent; each parent can read it.
func TestAccessLogCostsBatches(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		counter := countStatements(t, g)
		a := newApp(t, g)
		a.world.Staff(matrixStaff)
		phones := a.world.BigClass(500)
		admin := apptest.NewClient(t, a.URL)
		admin.Login("13800000001", "secret-123")
		members := fmt.Sprintf("/groups/%d/members", a.world.ClassGroup(3, 2).ID)
		var status int
		sql := counter.during(func() { status = admin.Get(members).StatusCode })
		if status != 200 {
			t.Fatalf("members page: %d", status)
		}
		writes := 0
		for _, q := range sql {
			if strings.Contains(q, "pii_views") || strings.Contains(q, "audit_logs") {
				writes++
			}
		}
		// The page shows the 500 parents and the class's few staff.
		batch := privacy.ViewBatch(g)
		if most := 1 + (505+batch-1)/batch; writes < 2 || writes > most || most > 12 {
			t.Fatalf("%d statements write the access log of a page of 500, want 2 to %d of %d:\n%s", writes, most, len(sql), strings.Join(sql, "\n"))
		}
		parent := a.world.ByPhone(phones[499])
		lines, _, err := a.world.Privacy.Access(context.Background(), parent, privacy.AccessQuery{})
		if err != nil || len(lines) != 1 || lines[0].Actor != "王建国" || lines[0].Kind != privacy.KindMembers || lines[0].Label != "三年级(2)班家校群" {
			t.Fatalf("the 500th parent's access log: %+v %v", lines, err)
		}
	})
}

// TestAdminPagesLogViews: the office's pages that show personal data
// record it: the users list, a class's students (the child's family reads
// it), and the teachers' attendance, which a teacher reads at /me/access.
func TestAdminPagesLogViews(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	admin := s.clients["admin"]
	var classID uint64
	s.world.DB.Table("students").Select("class_id").Where("student_no = ?", "20230201").Scan(&classID)
	for _, path := range []string{"/admin/users", fmt.Sprintf("/admin/classes/%d", classID), "/attendance/daily", "/attendance/monthly.xlsx"} {
		if r := admin.Get(path); r.StatusCode != 200 {
			t.Fatalf("%s: %d", path, r.StatusCode)
		}
	}
	text := s.clients["parent-member"].Get("/me/access").Doc.Find(`[data-testid="access-log"]`).Text()
	for _, want := range []string{"王建国", "查看了用户列表（含手机号）", "查看了班级学生名单", "孩子 张小明 的信息"} {
		if !strings.Contains(text, want) {
			t.Errorf("parent's access log lacks %q:\n%s", want, text)
		}
	}
	text = s.clients["teacher-class"].Get("/me/access").Doc.Find(`[data-testid="access-log"]`).Text()
	for _, want := range []string{"查看了每日考勤", "导出了月度考勤 Excel（含手机号）", "2026年11月考勤"} {
		if !strings.Contains(text, want) {
			t.Errorf("teacher's access log lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(s.clients["admin"].Get("/me/access").Body, "查看了用户列表") {
		t.Error("the admin's own views are in her access log")
	}
}

// The notice's retention list follows the settings, a cooling-off period
// of 0 days included (erased at once, not the default 7).
func TestPrivacyNoticeFollowsRetentionSettings(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	admin := s.world.ByPhone("13800000001")
	if _, err := s.world.Settings.Update(context.Background(), admin, map[string]string{"retain_messages_days": "400", "erase_after_days": "0"}); err != nil {
		t.Fatal(err)
	}
	list := s.clients["anonymous"].Get("/privacy").TestID("retention")
	if !strings.Contains(list, "400 天") || !strings.Contains(list, "无冷静期，立即删除") || strings.Contains(list, "730 天") {
		t.Fatalf("the notice's retention list: %q", list)
	}
}

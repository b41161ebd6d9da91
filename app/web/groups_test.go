package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
	"jiaxiao/app/school"
)

const matrixRoster = `年级,班级,学号,姓名,家长姓名,家长手机,关系
3,2,20230201,张小明,张伟,13900000001,父亲
3,2,20230202,王芳,王强,13900000003,父亲
3,2,20230203,刘洋,刘敏,13900000004,母亲
3,2,20230204,陈思远,,,
3,2,20230205,杨子涵,,,
3,2,20230206,黄小米,,,
3,2,20230207,林一一,,,
3,3,20230301,赵雷,赵国庆,13900000006,父亲
`

const matrixStaff = `姓名,手机,角色,部门,任教班级,班主任
王建国,13800000001,管理员,校长室,,
李芳,13800000002,教师,语文教研组,3年级2班,3年级2班
陈志强,13800000003,教师,数学教研组,3年级2班,
赵敏,13800000004,教师,英语教研组,3年级3班,3年级3班
`

type school32 struct {
	*app
	c32, c33 group.Group
	clients  map[string]*apptest.Client
	// next student number for fresh join requests
	nextNo int
}

// newSchool builds a school where class 3-2 has its head teacher (owner),
// another teacher, an admitted parent, a parent moderator, and class 3-3
// has its own head teacher and parent.
func newSchool(t *testing.T, g *gorm.DB) *school32 {
	a := newApp(t, g)
	w := a.world
	roster := matrixRoster
	for i := 10; i < 60; i++ { // pupils for fresh join requests
		roster += fmt.Sprintf("3,2,202302%02d,学生%s,,,\n", i, string(rune('甲'+i)))
	}
	w.Students(roster, school.ImportOptions{})
	w.Staff(matrixStaff)
	s := &school32{app: a, c32: w.ClassGroup(3, 2), c33: w.ClassGroup(3, 3), clients: map[string]*apptest.Client{}, nextNo: 10}
	ctx := context.Background()
	admit := func(name, phone string, g group.Group, no, child, rel string) *auth.User {
		u := w.User(auth.RoleParent, name, phone)
		req, err := w.Groups.Join(ctx, u, g.InviteCode, group.JoinInput{StudentNo: no, StudentName: child, Relation: rel})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Groups.Approve(ctx, w.ByPhone("13800000001"), g.ID, req.ID); err != nil {
			t.Fatal(err)
		}
		return u
	}
	admit("张伟", "13900000001", s.c32, "20230201", "张小明", "父亲")
	mod := admit("王强", "13900000003", s.c32, "20230202", "王芳", "父亲")
	admit("赵国庆", "13900000006", s.c33, "20230301", "赵雷", "父亲")
	if err := w.Groups.SetModerator(ctx, w.ByPhone("13800000002"), s.c32.ID, mod.ID, true); err != nil {
		t.Fatal(err)
	}
	for actor, phone := range map[string]string{
		"parent-other": "13900000006", "parent-member": "13900000001", "owner": "13800000002",
		"teacher-class": "13800000003", "teacher-other": "13800000004", "moderator": "13900000003", "admin": "13800000001",
	} {
		c := apptest.NewClient(t, a.URL)
		c.Login(phone, "secret-123")
		s.clients[actor] = c
	}
	anon := apptest.NewClient(t, a.URL)
	anon.Get("/login")
	s.clients["anonymous"] = anon
	return s
}

// pendingRequest files a fresh join request in 3-2 and returns its id.
func (s *school32) pendingRequest(t *testing.T) uint64 {
	t.Helper()
	w := s.world
	s.nextNo++
	no := fmt.Sprintf("202302%02d", s.nextNo)
	var st school.Student
	if err := w.DB.Where("student_no = ?", no).Take(&st).Error; err != nil {
		t.Fatalf("no student %s left for a fresh request", no)
	}
	p := w.User(auth.RoleParent, "家长"+string(rune('甲'+s.nextNo)), fmt.Sprintf("1370000%04d", s.nextNo))
	req, err := w.Groups.Join(context.Background(), p, s.c32.InviteCode, group.JoinInput{StudentNo: no, StudentName: st.Name, Relation: "母亲"})
	if err != nil {
		t.Fatal(err)
	}
	return req.ID
}

var actors = []string{"anonymous", "parent-other", "parent-member", "teacher-class", "teacher-other", "moderator", "owner", "admin"}

func TestGroupPermissionMatrix(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		id := s.c32.ID
		gp := func(parts ...string) string { return fmt.Sprintf("/groups/%d%s", id, strings.Join(parts, "")) }
		member := map[string]int{"anonymous": 303, "parent-other": 404, "parent-member": 200, "teacher-class": 200, "teacher-other": 404, "moderator": 200, "owner": 200, "admin": 200}
		moderate := map[string]int{"anonymous": 303, "parent-other": 404, "parent-member": 403, "teacher-class": 403, "teacher-other": 404, "moderator": 200, "owner": 200, "admin": 200}
		for _, route := range []struct {
			path string
			want map[string]int
		}{
			{gp(), member}, {gp("/members"), member},
			{gp("/invite"), moderate}, {gp("/invite.png"), moderate}, {gp("/requests"), moderate},
		} {
			for _, actor := range actors {
				if r := s.clients[actor].Get(route.path); r.StatusCode != route.want[actor] {
					t.Errorf("GET %s as %s: %d, want %d", route.path, actor, r.StatusCode, route.want[actor])
				}
			}
		}
		// Content never leaks to outsiders: a parent of 3-3 learns nothing of 3-2.
		r := s.clients["parent-other"].Get(gp("/members"))
		if strings.Contains(r.Body, "张伟") || strings.Contains(r.Body, "13900000001") {
			t.Error("members of 3-2 shown to a parent of 3-3")
		}

		post := func(actor, path string, form url.Values) int {
			return s.clients[actor].Post(path, form).StatusCode
		}
		modPost := map[string]int{"anonymous": 401, "parent-other": 404, "parent-member": 403, "teacher-class": 403, "teacher-other": 404, "moderator": 303, "owner": 303, "admin": 303}
		for _, action := range []string{"/approve", "/reject"} {
			for _, actor := range actors {
				rid := s.pendingRequest(t)
				path := gp("/requests/", fmt.Sprint(rid), action)
				if got := post(actor, path, url.Values{"reason": {"不是本班家长"}}); got != modPost[actor] {
					t.Errorf("POST %s as %s: %d, want %d", path, actor, got, modPost[actor])
				}
				// Refused actors changed nothing.
				var req group.JoinRequest
				g.Where("id = ?", rid).Take(&req)
				if (modPost[actor] != 303) != (req.Status == group.Pending) {
					t.Errorf("%s as %s left the request %s", action, actor, req.Status)
				}
			}
		}
		for _, actor := range actors {
			if got := post(actor, gp("/requests/approve-matched"), nil); got != modPost[actor] {
				t.Errorf("approve-matched as %s: %d, want %d", actor, got, modPost[actor])
			}
		}
		// A request of 3-3 cannot be reached through 3-2's id.
		other := s.world.User(auth.RoleParent, "赵丽", "13600000001")
		req33, err := s.world.Groups.Join(context.Background(), other, s.c33.InviteCode, group.JoinInput{StudentNo: "20230301", StudentName: "赵雷", Relation: "母亲"})
		if err != nil {
			t.Fatal(err)
		}
		if got := post("owner", gp("/requests/", fmt.Sprint(req33.ID), "/approve"), nil); got != 404 {
			t.Errorf("3-3 request through 3-2: %d", got)
		}

		parentID := s.world.ByPhone("13900000001").ID
		appoint := map[string]int{"anonymous": 401, "parent-other": 404, "parent-member": 403, "teacher-class": 403, "teacher-other": 404, "moderator": 403, "owner": 303, "admin": 303}
		for _, actor := range actors {
			if got := post(actor, gp("/moderators/", fmt.Sprint(parentID)), nil); got != appoint[actor] {
				t.Errorf("appoint as %s: %d, want %d", actor, got, appoint[actor])
			}
			if got := post(actor, gp("/moderators/", fmt.Sprint(parentID), "/remove"), nil); got != appoint[actor] {
				t.Errorf("dismiss as %s: %d, want %d", actor, got, appoint[actor])
			}
		}
		rename := map[string]int{"anonymous": 401, "parent-other": 403, "parent-member": 403, "teacher-class": 403, "teacher-other": 403, "moderator": 403, "owner": 403, "admin": 303}
		for _, actor := range actors {
			if got := post(actor, gp("/rename"), url.Values{"name": {"三(2)班家长群"}}); got != rename[actor] {
				t.Errorf("rename as %s: %d, want %d", actor, got, rename[actor])
			}
		}
		for _, actor := range actors {
			if got := post(actor, gp("/invite/reset"), nil); got != modPost[actor] {
				t.Errorf("reset invite as %s: %d, want %d", actor, got, modPost[actor])
			}
		}
		// Unknown ids are 404 for everyone, admins included.
		for _, path := range []string{"/groups/999999", "/groups/abc/members", "/groups/999999/requests"} {
			if r := s.clients["admin"].Get(path); r.StatusCode != 404 {
				t.Errorf("GET %s: %d", path, r.StatusCode)
			}
		}
		// The admin pages are the admin's alone.
		for _, path := range []string{"/admin/roster", "/admin/users", "/admin/settings", "/admin/audit"} {
			for _, actor := range actors {
				want := 403
				switch actor {
				case "anonymous":
					want = 303
				case "admin":
					want = 200
				}
				if r := s.clients[actor].Get(path); r.StatusCode != want {
					t.Errorf("GET %s as %s: %d, want %d", path, actor, r.StatusCode, want)
				}
			}
		}
	})
}

func TestMembersPageMasksPhones(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	path := fmt.Sprintf("/groups/%d/members", s.c32.ID)
	r := s.clients["parent-member"].Get(path)
	if !strings.Contains(r.Body, "王芳爸爸") || !strings.Contains(r.Body, "139****0003") || strings.Contains(r.Body, "13900000003") {
		t.Fatalf("parent's view of members:\n%s", r.TestID("members"))
	}
	// A parent made moderator sees them masked too (issue 13); the head
	// teacher sees her class's parents in full.
	r = s.clients["moderator"].Get(path)
	if strings.Contains(r.Body, "13900000001") || !strings.Contains(r.Body, "139****0001") {
		t.Fatal("a parent moderator sees another parent's full number")
	}
	if r = s.clients["owner"].Get(path); !strings.Contains(r.Body, "13900000001") {
		t.Fatal("the head teacher sees her class's parents masked")
	}
}

func TestJoinOverHTTP(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		w := s.world
		w.User(auth.RoleParent, "刘敏", "13900000004")
		c := apptest.NewClient(t, s.URL)
		c.Login("13900000004", "secret-123")
		path := "/join/" + s.c32.InviteCode
		if r := c.Get(path); r.StatusCode != 200 || !strings.Contains(r.Body, "三年级(2)班") {
			t.Fatalf("join page %d", r.StatusCode)
		}
		if r := c.Get("/join/NOSUCHCODE"); r.StatusCode != 404 || !strings.Contains(r.Body, "邀请码无效") {
			t.Fatalf("bad code %d", r.StatusCode)
		}
		r := c.Post(path, url.Values{"student_no": {"20230203"}, "student_name": {"刘阳"}, "relation": {"母亲"}})
		if r.StatusCode != 422 || r.InputValue("student_name") != "刘阳" || !strings.Contains(r.TestID("alert-error"), "不符") {
			t.Fatalf("mismatch: %d %q", r.StatusCode, r.TestID("alert-error"))
		}
		// A transferred student gets the same generic answer.
		var st school.Student
		g.Where("student_no = ?", "20230204").Take(&st)
		if err := w.School.SetStudentStatus(context.Background(), auth.System, st.ID, school.Transferred); err != nil {
			t.Fatal(err)
		}
		r = c.Post(path, url.Values{"student_no": {"20230204"}, "student_name": {"陈思远"}, "relation": {"母亲"}})
		if r.StatusCode != 422 || !strings.Contains(r.TestID("alert-error"), "不符") {
			t.Fatalf("transferred: %d", r.StatusCode)
		}
		r = c.Post(path, url.Values{"student_no": {"20230203"}, "student_name": {"刘洋"}, "relation": {"母亲"}})
		if r.StatusCode != 303 || r.Location() != "/groups" {
			t.Fatalf("join: %d %s", r.StatusCode, r.Location())
		}
		if r = c.Get("/groups"); !strings.Contains(r.TestID("my-requests"), "待审核") {
			t.Fatalf("my requests: %q", r.TestID("my-requests"))
		}
		// htmx gets the panel back.
		r = c.Post(path, url.Values{"student_no": {"20230203"}, "student_name": {"刘洋"}, "relation": {"母亲"}}, "HX-Request", "true")
		if r.StatusCode != 422 || !strings.Contains(r.Body, "已提交过申请") || strings.Contains(r.Body, `class="site`) {
			t.Fatalf("htmx duplicate: %d %s", r.StatusCode, r.Body)
		}
		// A full quota is refused with a clear message.
		w.User(auth.RoleParent, "张丽", "13600000009")
		w.User(auth.RoleParent, "张桂兰", "13600000008")
		for _, phone := range []string{"13600000009", "13600000008"} {
			pc := apptest.NewClient(t, s.URL)
			pc.Login(phone, "secret-123")
			pc.Get(path)
			r = pc.Post(path, url.Values{"student_no": {"20230201"}, "student_name": {"张小明"}, "relation": {"其他监护人"}})
			if phone == "13600000009" && r.StatusCode != 303 {
				t.Fatalf("second guardian's request: %d", r.StatusCode)
			}
		}
		// Approve the second guardian (张小明 then has two), then a third is refused.
		owner := s.clients["owner"]
		rr := owner.Get(fmt.Sprintf("/groups/%d/requests", s.c32.ID))
		if n := rr.Doc.Find(`[data-testid="request"]`).Length(); n < 2 {
			t.Fatalf("owner sees %d requests", n)
		}
	})
}

func TestJoinLockoutOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	s.world.User(auth.RoleParent, "刘敏", "13900000004")
	c := apptest.NewClient(t, s.URL)
	c.Login("13900000004", "secret-123")
	path := "/join/" + s.c32.InviteCode
	for i := 0; i < 5; i++ {
		if r := c.Post(path, url.Values{"student_no": {"20230203"}, "student_name": {"猜一猜"}, "relation": {"母亲"}}); r.StatusCode != 422 {
			t.Fatalf("attempt %d: %d", i+1, r.StatusCode)
		}
	}
	r := c.Post(path, url.Values{"student_no": {"20230203"}, "student_name": {"刘洋"}, "relation": {"母亲"}})
	if r.StatusCode != http.StatusTooManyRequests || r.InputValue("student_name") != "刘洋" {
		t.Fatalf("locked out: %d", r.StatusCode)
	}
}

func multipartForm(t *testing.T, c *apptest.Client, path string, fields map[string]string, filename string, data []byte) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fields["_csrf"] = c.CSRF
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(req)
}

func TestRosterUploadPreviewAndApply(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		admin := s.clients["admin"]
		admin.Get("/admin/roster")
		bad := "年级,班级,学号,姓名,家长姓名,家长手机,关系\n3,2,20239000,钱多多,,,\n12,1,20239001,孙丽,,,\n3,2,20239002,周杰,周明,123,父亲\n3,3,20239000,钱多,,,\n"
		r := multipartForm(t, admin, "/admin/roster", map[string]string{"kind": "students", "step": "preview"}, "bad.csv", []byte(bad))
		if r.StatusCode != 422 || r.Doc.Find(`[data-testid="import-error"]`).Length() != 3 {
			t.Fatalf("bad roster: %d %s", r.StatusCode, r.TestID("import-errors"))
		}
		// A new roster without 3-3's 赵雷: preview lists him, apply with confirmation marks him.
		next := strings.Replace(matrixRoster, "3,3,20230301,赵雷,赵国庆,13900000006,父亲\n", "4,1,20220101,吴晓彤,,,\n", 1)
		r = multipartForm(t, admin, "/admin/roster", map[string]string{"kind": "students", "step": "preview"}, "名单.csv", []byte(next))
		if r.StatusCode != 200 || !strings.Contains(r.TestID("import-preview"), "赵雷") {
			t.Fatalf("preview: %d %s", r.StatusCode, r.TestID("import-preview"))
		}
		var n int64
		g.Model(&school.Student{}).Where("student_no = ?", "20220101").Count(&n)
		if n != 0 {
			t.Fatal("preview imported")
		}
		form := url.Values{"step": {"apply"}, "kind": {"students"}, "confirm_leavers": {"1"}}
		form.Set("filename", r.Doc.Find(`input[name="filename"]`).AttrOr("value", ""))
		form.Set("data", r.Doc.Find(`input[name="data"]`).AttrOr("value", ""))
		r = admin.Post("/admin/roster", form)
		if r.StatusCode != 200 || r.TestID("import-result") == "" {
			t.Fatalf("apply: %d", r.StatusCode)
		}
		var st school.Student
		g.Where("student_no = ?", "20230301").Take(&st)
		if st.Status != school.Transferred {
			t.Fatalf("赵雷 is %s", st.Status)
		}
		if in, _ := s.world.IsMember(s.c33.ID, s.world.ByPhone("13900000006").ID); in {
			t.Fatal("the transferred student's father is still in 3-3")
		}
		// Staff upload shows the activation codes once.
		staff := "姓名,手机,角色,部门,任教班级,班主任\n孙老师,13800000009,教师,语文教研组,4年级1班,4年级1班\n"
		r = multipartForm(t, admin, "/admin/roster", map[string]string{"kind": "staff", "step": "preview"}, "staff.csv", []byte(staff))
		form = url.Values{"step": {"apply"}, "kind": {"staff"}, "filename": {"staff.csv"}, "data": {r.Doc.Find(`input[name="data"]`).AttrOr("value", "")}}
		r = admin.Post("/admin/roster", form)
		code := strings.TrimSpace(r.Doc.Find(`[data-testid="codes"] code`).Text())
		if len(code) != 8 {
			t.Fatalf("activation code %q", code)
		}
		c := apptest.NewClient(t, s.URL)
		c.Get("/activate")
		r = c.Post("/activate", url.Values{"phone": {"13800000009"}, "code": {"WRONG123"}, "password": {"teacher-2026"}})
		if r.StatusCode != 422 || r.InputValue("phone") != "13800000009" {
			t.Fatalf("wrong code: %d", r.StatusCode)
		}
		r = c.Post("/activate", url.Values{"phone": {"13800000009"}, "code": {code}, "password": {"teacher-2026"}})
		if r.StatusCode != 303 {
			t.Fatalf("activate: %d", r.StatusCode)
		}
		if r = c.Get("/groups"); !strings.Contains(r.Body, "四年级(1)班家校群") {
			t.Fatal("activated head teacher does not see their class group")
		}
	})
}

func TestDepartOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	admin := s.clients["admin"]
	admin.Get("/admin/users")
	chen := s.world.ByPhone("13800000003")
	if r := admin.Post(fmt.Sprintf("/admin/users/%d/depart", chen.ID), nil); r.StatusCode != 303 {
		t.Fatalf("depart: %d", r.StatusCode)
	}
	// The departed teacher's open session is gone at once.
	if r := s.clients["teacher-class"].Get("/groups"); r.StatusCode != 303 {
		t.Fatalf("departed teacher still logged in: %d", r.StatusCode)
	}
	if r := s.clients["teacher-class"].Get(fmt.Sprintf("/groups/%d", s.c32.ID)); r.StatusCode != 303 {
		t.Fatalf("departed teacher still sees the group: %d", r.StatusCode)
	}
}

func TestSettingsForm(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	admin := s.clients["admin"]
	admin.Get("/admin/settings")
	r := admin.Post("/admin/settings", url.Values{"guardians_per_student": {"0"}, "work_start": {"8点"}})
	if r.StatusCode != 422 || r.InputValue("work_start") != "8点" || r.Doc.Find(`[data-testid="field-error"]`).Length() != 2 {
		t.Fatalf("bad settings: %d", r.StatusCode)
	}
	r = admin.Post("/admin/settings", url.Values{"guardians_per_student": {"3"}, "work_start": {"08:00"}})
	if r.StatusCode != 303 {
		t.Fatalf("save: %d", r.StatusCode)
	}
	if r = admin.Get("/admin/settings"); r.InputValue("guardians_per_student") != "3" || r.InputValue("work_end") != "17:30" {
		t.Fatal("settings not saved")
	}
}

func TestClassAndDepartmentPages(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	admin := s.clients["admin"]
	r := admin.Get("/admin/roster")
	href, _ := r.Doc.Find(`[data-testid="classes"] a`).First().Attr("href")
	r = admin.Get(href)
	if r.StatusCode != 200 || r.Doc.Find(`[data-testid="student"]`).Length() == 0 {
		t.Fatalf("class page %s: %d", href, r.StatusCode)
	}
	var st school.Student
	s.world.DB.Where("student_no = ?", "20230201").Take(&st)
	if r = admin.Post(fmt.Sprintf("/admin/students/%d/status", st.ID), url.Values{"status": {"graduated"}}); r.StatusCode != 303 {
		t.Fatalf("graduate: %d", r.StatusCode)
	}
	if in, _ := s.world.IsMember(s.c32.ID, s.world.ByPhone("13900000001").ID); in {
		t.Fatal("a graduated student's father is still in the class group")
	}
	if r = admin.Post(fmt.Sprintf("/admin/students/%d/status", st.ID), url.Values{"status": {"expelled"}}); r.StatusCode != 422 {
		t.Fatalf("unknown status: %d", r.StatusCode)
	}
	if r = s.clients["owner"].Post(fmt.Sprintf("/admin/students/%d/status", st.ID), url.Values{"status": {"enrolled"}}); r.StatusCode != 403 {
		t.Fatalf("teacher changing a status: %d", r.StatusCode)
	}
	r = admin.Get("/admin/departments")
	action, _ := r.Doc.Find(`[data-testid="department"] form`).First().Attr("action")
	if r = admin.Post(action, url.Values{"head": {fmt.Sprint(s.world.ByPhone("13800000002").ID)}}); r.StatusCode != 303 {
		t.Fatalf("set head: %d", r.StatusCode)
	}
	if r = admin.Post(action, url.Values{"head": {fmt.Sprint(s.world.ByPhone("13900000001").ID)}}); r.StatusCode != 422 {
		t.Fatalf("parent as head: %d", r.StatusCode)
	}
}

package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/notice"
	"jiaxiao/storage"
)

func (s *school32) notice(t *testing.T, requiresAck bool) notice.Notice {
	t.Helper()
	n, err := s.world.Notices.Compose(context.Background(), s.world.ByPhone("13800000002"), notice.ComposeInput{
		Title: "家长会通知", Body: "周五下午三点家长会。", Category: "通知", GroupIDs: []uint64{s.c32.ID}, RequiresAck: requiresAck})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNoticePermissionMatrix(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		n := s.notice(t, true)
		np := func(parts ...string) string { return fmt.Sprintf("/notices/%d%s", n.ID, strings.Join(parts, "")) }
		// Recipients: 3-2's members (the author, the owner 李芳, excluded). Admins see all.
		see := map[string]int{"anonymous": 303, "parent-other": 404, "parent-member": 200, "teacher-class": 200, "teacher-other": 404, "moderator": 200, "owner": 200, "admin": 200}
		receipts := map[string]int{"anonymous": 303, "parent-other": 404, "parent-member": 403, "teacher-class": 403, "teacher-other": 404, "moderator": 200, "owner": 200, "admin": 200}
		for path, want := range map[string]map[string]int{np(): see, np("/receipts"): receipts, np("/receipts.csv"): receipts} {
			for _, actor := range actors {
				if r := s.clients[actor].Get(path); r.StatusCode != want[actor] {
					t.Errorf("GET %s as %s: %d, want %d", path, actor, r.StatusCode, want[actor])
				}
			}
		}
		ack := map[string]int{"anonymous": 401, "parent-other": 404, "parent-member": 303, "teacher-class": 303, "teacher-other": 404, "moderator": 303, "owner": 403, "admin": 403}
		for _, actor := range actors {
			if got := s.clients[actor].Post(np("/ack"), nil).StatusCode; got != ack[actor] {
				t.Errorf("ack as %s: %d, want %d", actor, got, ack[actor])
			}
		}
		// DING: the author and admins; a second within five minutes is 429.
		ding := map[string]int{"anonymous": 401, "parent-other": 404, "parent-member": 403, "teacher-class": 403, "teacher-other": 404, "moderator": 403}
		for actor, want := range ding {
			if got := s.clients[actor].Post(np("/ding"), nil).StatusCode; got != want {
				t.Errorf("ding as %s: %d, want %d", actor, got, want)
			}
		}
		if got := s.clients["owner"].Post(np("/ding"), nil).StatusCode; got != 303 {
			t.Errorf("ding as author: %d", got)
		}
		if r := s.clients["admin"].Post(np("/ding"), nil); r.StatusCode != 429 || !strings.Contains(r.TestID("alert-error"), "5 分钟") {
			t.Errorf("second ding: %d", r.StatusCode)
		}
		s.world.Clock.Advance(5 * time.Minute)
		if got := s.clients["admin"].Post(np("/ding"), nil).StatusCode; got != 303 {
			t.Errorf("ding after 5 minutes: %d", got)
		}
		// Composing: staff only, to groups they may post in.
		s.clients["parent-member"].Get("/notices")
		if got := s.clients["parent-member"].Get("/notices/new").StatusCode; got != 403 {
			t.Errorf("parent compose page: %d", got)
		}
		if got := s.clients["parent-member"].Post("/notices", url.Values{"title": {"我的通知"}, "category": {"通知"}, "group_id": {fmt.Sprint(s.c32.ID)}}).StatusCode; got != 403 {
			t.Errorf("parent composing: %d", got)
		}
		if r := s.clients["teacher-other"].Post("/notices", url.Values{"title": {"跨班通知"}, "category": {"通知"}, "group_id": {fmt.Sprint(s.c32.ID)}}); r.StatusCode != 422 || r.InputValue("title") != "跨班通知" {
			t.Errorf("teacher to another class: %d", r.StatusCode)
		}
		// The archive: entries of one's own groups only.
		if _, err := s.world.Worker().RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		for actor, want := range map[string]int64{"parent-member": 1, "parent-other": 0, "teacher-other": 0, "admin": 1} {
			r := s.clients[actor].Get("/archive?q=" + url.QueryEscape("家长会"))
			if got := int64(r.Doc.Find(`[data-testid="archive-hit"]`).Length()); got != want {
				t.Errorf("archive search as %s: %d hits, want %d", actor, got, want)
			}
		}
		var entryID uint64
		g.Table("archive_entries").Where("notice_id = ?", n.ID).Pluck("id", &entryID)
		for actor, want := range map[string]int{"anonymous": 303, "parent-other": 404, "parent-member": 200, "teacher-other": 404, "admin": 200} {
			if got := s.clients[actor].Get(fmt.Sprintf("/archive/%d", entryID)).StatusCode; got != want {
				t.Errorf("archive entry as %s: %d, want %d", actor, got, want)
			}
		}
		// A parent who joined after the notice went out reads the entry,
		// with no link to an original that was never sent to them.
		late := s.freshMember(t)
		lc := apptest.NewClient(t, s.URL)
		lc.Login(late.Phone, "secret-123")
		entry := fmt.Sprintf("/archive/%d", entryID)
		if r := lc.Get(entry); r.StatusCode != 200 || r.Doc.Find(`a[href="`+np("")+`"]`).Length() != 0 {
			t.Errorf("late member's archive entry: %d, link to the notice shown: %v", r.StatusCode, r.Doc.Find(`a[href="`+np("")+`"]`).Length() != 0)
		}
		if r := s.clients["parent-member"].Get(entry); r.Doc.Find(`a[href="`+np("")+`"]`).Length() != 1 {
			t.Error("a recipient's archive entry has no link to the notice")
		}
	})
}

func TestNoticeOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	owner := s.clients["owner"]
	owner.Get("/notices/new")
	r := multipartForm(t, owner, "/notices", map[string]string{"title": "春游安排", "body": "周三春游，请带水杯。", "category": "活动",
		"group_id": fmt.Sprint(s.c32.ID), "requires_ack": "1"}, "春游须知.pdf", []byte("%PDF-1.4 spring"))
	if r.StatusCode != 303 || !strings.HasPrefix(r.Location(), "/notices/") {
		t.Fatalf("publish: %d %s", r.StatusCode, r.TestID("alert-error"))
	}
	path := r.Location()
	parent := s.clients["parent-member"]
	r = parent.Get(path)
	if r.StatusCode != 200 || r.TestID("ack") != "收到" || r.TestID("archive-state") != "归档中" {
		t.Fatalf("parent's view: %d %q %q", r.StatusCode, r.TestID("ack"), r.TestID("archive-state"))
	}
	href, _ := r.Doc.Find(`[data-testid="notice-attachment"]`).Attr("href")
	if got := parent.Get(href); got.StatusCode != 200 {
		t.Fatalf("attachment: %d", got.StatusCode)
	}
	if got := s.clients["parent-other"].Get(href); got.StatusCode != 404 {
		t.Fatalf("attachment for an outsider: %d", got.StatusCode)
	}
	if r = parent.Post(path+"/ack", nil); r.StatusCode != 303 {
		t.Fatalf("ack: %d", r.StatusCode)
	}
	r = owner.Get(path + "/receipts")
	if r.TestID("read-count") != "已读 1 / 3" || r.TestID("ack-count") != "已确认 1 / 3" {
		t.Fatalf("progress %q %q", r.TestID("read-count"), r.TestID("ack-count"))
	}
	resp := owner.Get(path + "/receipts.csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(resp.Doc.Text(), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 4 || strings.Join(rows[0], ",") != "姓名,手机,身份,学生,已读时间,确认时间" {
		t.Fatalf("csv: %v %v", rows, err)
	}
	// A bad form keeps what was typed.
	r = owner.Post("/notices", url.Values{"title": {"兼职刷单"}, "body": {"日结"}, "category": {"通知"}, "group_id": {fmt.Sprint(s.c32.ID)}})
	if r.StatusCode != 422 || r.InputValue("title") != "兼职刷单" || !strings.Contains(r.Body, "商业广告") {
		t.Fatalf("banned notice: %d", r.StatusCode)
	}
}

// Filing a document while MinIO is down answers 503 and keeps the title.
func TestArchiveUploadWhileStorageDown(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	m := apptest.StartMinIO(t)
	store, err := storage.NewMinIO(context.Background(), storage.MinIOOptions{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: "docs"})
	if err != nil {
		t.Fatal(err)
	}
	s.world.UseStore(store)
	m.Stop()
	owner := s.clients["owner"]
	owner.Get("/archive")
	r := multipartForm(t, owner, "/archive", map[string]string{"title": "十一月考勤报表", "category": "报表", "group_id": fmt.Sprint(s.c32.ID)}, "考勤.pdf", []byte("%PDF-1.4 report"))
	if r.StatusCode != 503 || r.InputValue("title") != "十一月考勤报表" {
		t.Fatalf("upload with MinIO down: %d", r.StatusCode)
	}
}

// With MinIO, a download checks access and then redirects to a short-lived
// presigned URL that names the file in Chinese.
func TestDownloadRedirectsToMinIO(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	store := apptest.MinIO(t)
	s.world.UseStore(store)
	p, err := file.Prepare("file", "作息时间表.pdf", []byte("%PDF-1.4 timetable"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.world.Notices.Compose(context.Background(), s.world.ByPhone("13800000002"), notice.ComposeInput{Title: "新作息时间", Category: "通知",
		GroupIDs: []uint64{s.c32.ID}, Files: []file.Prepared{p}})
	if err != nil {
		t.Fatal(err)
	}
	r := s.clients["parent-member"].Get(fmt.Sprintf("/notices/%d", n.ID))
	href, _ := r.Doc.Find(`[data-testid="notice-attachment"]`).Attr("href")
	r = s.clients["parent-member"].Get(href)
	if r.StatusCode != 302 || !strings.Contains(r.Location(), "X-Amz-Signature") {
		t.Fatalf("download: %d %s", r.StatusCode, r.Location())
	}
	resp, err := http.Get(r.Location())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "%PDF-1.4 timetable" || !strings.Contains(resp.Header.Get("Content-Disposition"), "filename*=UTF-8''%E4%BD%9C%E6%81%AF") {
		t.Fatalf("presigned GET: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Disposition"))
	}
	if r := s.clients["parent-other"].Get(href); r.StatusCode != 404 {
		t.Fatalf("outsider: %d", r.StatusCode)
	}
}

func TestHome(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	n := s.notice(t, true)
	r := s.clients["parent-member"].Get("/")
	if !strings.Contains(r.TestID("unread-notices"), "家长会通知") || r.TestID("todo-state") != "未读" || r.TestID("attendance-card") != "" {
		t.Fatalf("parent's home: %q", r.TestID("unread-notices"))
	}
	// Read but not yet acknowledged: still to do, as 待确认.
	s.clients["parent-member"].Get(fmt.Sprintf("/notices/%d", n.ID))
	if r = s.clients["parent-member"].Get("/"); r.TestID("todo-state") != "待确认" {
		t.Fatalf("a read notice that asks for 收到: %q", r.TestID("unread-notices"))
	}
	s.clients["parent-member"].Post(fmt.Sprintf("/notices/%d/ack", n.ID), nil)
	if r = s.clients["parent-member"].Get("/"); strings.Contains(r.TestID("unread-notices"), "家长会通知") {
		t.Fatal("an acknowledged notice still listed")
	}
	if r = s.clients["teacher-class"].Get("/"); !strings.Contains(r.TestID("attendance-card"), "今日考勤") {
		t.Fatalf("teacher's home: %q", r.TestID("attendance-card"))
	}
}

// TestReceiptsPages: the receipts of a notice to 130 parents come 100 to a
// page, unread first, with the counts over all of them.
func TestReceiptsPages(t *testing.T) {
	t.Parallel()
	a := newApp(t, apptest.SQLite(t))
	w := a.world
	w.BigClass(130)
	a.user(t, auth.RoleTeacher, "李芳", "13800000002") // active, so the roster keeps her password
	w.Staff("姓名,手机,角色,部门,任教班级,班主任\n李芳,13800000002,教师,语文教研组,3年级2班,3年级2班\n")
	head := w.ByPhone("13800000002")
	n, err := w.Notices.Compose(context.Background(), head, notice.ComposeInput{Title: "春游通知", Body: "周五春游。", Category: "活动",
		GroupIDs: []uint64{w.ClassGroup(3, 2).ID}, RequiresAck: true})
	if err != nil {
		t.Fatal(err)
	}
	reader := apptest.NewClient(t, a.URL)
	reader.Login("13700000000", "secret-123")
	reader.Get(fmt.Sprintf("/notices/%d", n.ID))

	c := apptest.NewClient(t, a.URL)
	c.Login("13800000002", "secret-123")
	r := c.Get(fmt.Sprintf("/notices/%d/receipts", n.ID))
	if r.StatusCode != 200 || r.TestID("read-count") != "已读 1 / 130" {
		t.Fatalf("page 1: %d %q", r.StatusCode, r.TestID("read-count"))
	}
	if rows := r.Doc.Find(`[data-testid="person"]`).Length(); rows != 100 {
		t.Fatalf("page 1 lists %d people", rows)
	}
	// 129 unread and the one reader not yet acknowledged: all of them, or either.
	if !strings.Contains(r.TestID("ding"), "130") || !strings.Contains(r.TestID("ding-unread"), "129") || !strings.Contains(r.TestID("ding-unacked"), "1 人") ||
		r.Doc.Find(`[data-testid="prev-page"]`).Length() != 0 {
		t.Fatalf("page 1: ding %q / %q / %q", r.TestID("ding"), r.TestID("ding-unread"), r.TestID("ding-unacked"))
	}
	// The reader is on page 2; page 1's section says where.
	if href, _ := r.Doc.Find(`[data-testid="section-unacked"] a`).Attr("href"); href != fmt.Sprintf("/notices/%d/receipts?page=2#unacked", n.ID) {
		t.Fatalf("page 1 points the unacknowledged to %q", href)
	}
	next, _ := r.Doc.Find(`[data-testid="next-page"]`).First().Attr("href")
	r = c.Get(next)
	if rows := r.Doc.Find(`[data-testid="person"]`).Length(); r.StatusCode != 200 || rows != 30 {
		t.Fatalf("page 2: %d with %d people", r.StatusCode, rows)
	}
	// The one reader is last, read but not acknowledged.
	if read := r.Doc.Find(`[data-testid="section-unacked"] [data-testid="person"]`); read.Length() != 1 {
		t.Fatalf("page 2 lists %d read but not acknowledged", read.Length())
	}
	if r.Doc.Find(`[data-testid="next-page"]`).Length() != 0 || r.Doc.Find(`[data-testid="prev-page"]`).Length() == 0 {
		t.Fatal("page 2 should link back, not on")
	}
}

// A DING in quiet hours tells the truth: who was reminded now, and how
// many parents will be at the end of quiet hours.
func TestDingInQuietHoursSaysQueued(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	n := s.notice(t, false)
	s.world.Clock.Set(time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)) // 22:00 in Shanghai
	owner := s.clients["owner"]
	r := owner.Post(fmt.Sprintf("/notices/%d/ding", n.ID), nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("DING: %d", r.StatusCode)
	}
	after := owner.Get(r.Location())
	page := after.Doc.Find("main").Text()
	if !strings.Contains(page, "正处于免打扰时段，提醒将于 07:00 发出") {
		t.Fatalf("the receipts page says: %q", strings.TrimSpace(page))
	}
	// The button waits out the five minutes, and says so.
	if _, off := after.Doc.Find(`[data-testid="ding"]`).Attr("disabled"); !off || !strings.Contains(after.TestID("ding-wait"), "5 分钟后") {
		t.Errorf("after a DING the button is enabled=%v and says %q", !off, after.TestID("ding-wait"))
	}
	s.world.Clock.Advance(5 * time.Minute)
	if _, off := owner.Get(r.Location()).Doc.Find(`[data-testid="ding"]`).Attr("disabled"); off {
		t.Error("the button still waits after five minutes")
	}
	// The message was said once: a reload does not repeat it, and the
	// query string cannot make the page say anything.
	if got := owner.Get(r.Location()).TestID("flash"); got != "" {
		t.Errorf("a reload says %q again", got)
	}
	if got := owner.Get(fmt.Sprintf("/notices/%d/receipts?dinged=%s", n.ID, url.QueryEscape("<b>全部已送达</b>"))).Body; strings.Contains(got, "全部已送达") {
		t.Fatal("text from the query string shown")
	}
}

package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/audit"
	"jiaxiao/app/file/filetest"
	"jiaxiao/app/group"
	"jiaxiao/app/notify"
)

// exportDoc is the part of data.json the tests read.
type exportDoc struct {
	Format  string `json:"format"`
	Account struct {
		Name, Phone, Role string
	} `json:"account"`
	Children []struct {
		Name, Class string
	} `json:"children"`
	Guardianships []struct {
		Student string `json:"student"`
	} `json:"guardianships"`
	Groups []struct {
		Name string `json:"name"`
	} `json:"groups"`
	Sessions []struct {
		Device string `json:"device"`
	} `json:"sessions"`
	JoinRequests []struct {
		Group, Student, Status string
	} `json:"join_requests"`
	Messages []struct {
		Body  string `json:"body"`
		Group string `json:"group"`
		File  *struct {
			Name, Path string
		} `json:"file"`
	} `json:"messages"`
	Notices []struct {
		Title   string  `json:"title"`
		ReadAt  *string `json:"read_at"`
		AckedAt *string `json:"acked_at"`
	} `json:"notices"`
	Notifications []struct {
		Title string `json:"title"`
	} `json:"notifications"`
	Punches []struct {
		At string `json:"at"`
	} `json:"punches"`
	Requests []struct {
		Kind, Reason, Status string
	} `json:"leave_and_makeup_requests"`
	Files []struct {
		Name, Path, Note string
	} `json:"files"`
	Limits struct {
		Cut []string `json:"cut"`
	} `json:"limits"`
}

// download fetches path raw (the test client parses pages as HTML).
func download(t *testing.T, c *apptest.Client, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.HTTP.Get(c.Base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", path, err)
	}
	return resp, body
}

// openExport downloads path, checks the answer is a zip download and
// returns data.json read, the raw data.json, and the zip's files by name.
func openExport(t *testing.T, c *apptest.Client, path string) (exportDoc, string, map[string][]byte) {
	t.Helper()
	resp, body := download(t, c, path)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %q: %.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("我的数据-")) {
		t.Errorf("Content-Disposition %q", cd)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("the export does not open as a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = b
	}
	raw, ok := files["data.json"]
	if !ok {
		t.Fatalf("no data.json in the zip: %v", keys(files))
	}
	var doc exportDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("data.json: %v\n%s", err, raw)
	}
	if doc.Format != "jiaxiao-export/1" {
		t.Errorf("format %q", doc.Format)
	}
	return doc, string(raw), files
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A parent's export holds their own account, children, groups, message
// (with its file, byte for byte), notices with read and 收到 times, join
// requests and notifications — and nobody else's. It is audited and
// limited to a few an hour.
func TestMeExportParent(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		ctx := context.Background()
		w := s.world
		c := s.clients["parent-member"] // 张伟, father of 张小明 in 3-2
		gp := fmt.Sprintf("/groups/%d", s.c32.ID)

		c.Get(gp)
		pdf := []byte("%PDF-1.4 张小明的请假条")
		if r := multipartForm(t, c, gp+"/messages", map[string]string{"body": "张伟写的请假说明"}, "请假条.pdf", pdf); r.StatusCode != 303 {
			t.Fatalf("upload: %d %s", r.StatusCode, r.TestID("alert-error"))
		}
		s.postAs(t, "13900000003", "王强写的消息") // another parent in the same group
		n := s.notice(t, true)
		c.Get(fmt.Sprintf("/notices/%d", n.ID))
		if r := c.Post(fmt.Sprintf("/notices/%d/ack", n.ID), nil); r.StatusCode != 303 {
			t.Fatalf("ack: %d", r.StatusCode)
		}
		// A join request of his own, still pending, for a child in 3-2.
		var st struct{ Name string }
		w.DB.Table("students").Where("student_no = ?", "20230259").Take(&st)
		if _, err := w.Groups.Join(ctx, w.ByPhone("13900000001"), s.c32.InviteCode, group.JoinInput{StudentNo: "20230259", StudentName: st.Name, Relation: "父亲"}); err != nil {
			t.Fatal(err)
		}
		var mine int64
		w.DB.Model(&notify.Notification{}).Where("user_id = ?", w.ByPhone("13900000001").ID).Count(&mine)
		if mine == 0 {
			t.Fatal("the parent has no notifications to export")
		}

		me := c.Get("/me")
		if link := me.Doc.Find(`[data-testid="me-data"] a[href="/me/export"]`); link.Length() != 1 || !strings.Contains(link.Text(), "导出我的数据") {
			t.Fatalf("我的 has no 导出我的数据 link: %q", me.TestID("me-data"))
		}
		doc, raw, files := openExport(t, c, "/me/export")
		if doc.Account.Name != "张伟" || doc.Account.Phone != "13900000001" || doc.Account.Role != "parent" {
			t.Errorf("account: %+v", doc.Account)
		}
		if len(doc.Children) != 1 || doc.Children[0].Name != "张小明" || doc.Children[0].Class != "三年级(2)班" {
			t.Errorf("children: %+v", doc.Children)
		}
		if len(doc.Guardianships) != 1 || doc.Guardianships[0].Student != "张小明" {
			t.Errorf("guardianships: %+v", doc.Guardianships)
		}
		if len(doc.Groups) != 2 {
			t.Errorf("groups: %+v", doc.Groups)
		}
		if len(doc.Messages) != 1 || doc.Messages[0].Body != "张伟写的请假说明" || doc.Messages[0].Group != s.c32.Name || doc.Messages[0].File == nil {
			t.Fatalf("messages: %+v", doc.Messages)
		}
		got, ok := files[doc.Messages[0].File.Path]
		if !ok || !bytes.Equal(got, pdf) || !strings.HasSuffix(doc.Messages[0].File.Path, "请假条.pdf") {
			t.Errorf("the message's file %q: in zip %v, bytes %q", doc.Messages[0].File.Path, ok, got)
		}
		if len(doc.Files) != 1 || doc.Files[0].Path != doc.Messages[0].File.Path {
			t.Errorf("files: %+v", doc.Files)
		}
		if len(doc.Notices) != 1 || doc.Notices[0].Title != "家长会通知" || doc.Notices[0].ReadAt == nil || doc.Notices[0].AckedAt == nil {
			t.Errorf("notices: %+v", doc.Notices)
		}
		// The pending one, and the one that admitted him, newest first.
		if len(doc.JoinRequests) != 2 || doc.JoinRequests[0].Student != st.Name || doc.JoinRequests[0].Status != "pending" || doc.JoinRequests[0].Group != s.c32.Name ||
			doc.JoinRequests[1].Student != "张小明" || doc.JoinRequests[1].Status != "approved" {
			t.Errorf("join requests: %+v", doc.JoinRequests)
		}
		if len(doc.Notifications) != int(mine) {
			t.Errorf("notifications: %d, want %d", len(doc.Notifications), mine)
		}
		if len(doc.Sessions) == 0 {
			t.Error("no sessions")
		}
		// Nobody else's data: not the other parent's message, children or phones.
		for _, other := range []string{"王强", "王芳", "赵雷", "刘洋", "13900000003", "13900000006"} {
			if strings.Contains(raw, other) {
				t.Errorf("data.json holds %q, someone else's", other)
			}
		}
		if strings.Contains(raw, `"punches"`) {
			t.Error("a parent's export has a punches section")
		}
		if _, ok := files["说明.txt"]; !ok {
			t.Error("no 说明.txt")
		}

		// Audited.
		var entries []audit.Entry
		w.DB.Where("action = ? AND actor_id = ?", "data.export", w.ByPhone("13900000001").ID).Find(&entries)
		if len(entries) != 1 || entries[0].Subject != fmt.Sprintf("user:%d", w.ByPhone("13900000001").ID) || entries[0].Detail != "files=1" {
			t.Errorf("audit entries: %+v", entries)
		}

		// Three an hour: the fourth is refused with a page saying when.
		for i := 2; i <= 3; i++ {
			if resp, _ := download(t, c, "/me/export"); resp.StatusCode != 200 {
				t.Fatalf("export %d: %d", i, resp.StatusCode)
			}
		}
		r := c.Get("/me/export")
		if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.Body, "每小时最多导出 3 次") {
			t.Fatalf("fourth export: %d %q", r.StatusCode, r.Doc.Find("main").Text())
		}
		w.Clock.Advance(61 * time.Minute)
		if resp, _ := download(t, c, "/me/export"); resp.StatusCode != 200 {
			t.Fatalf("an hour later: %d", resp.StatusCode)
		}
		if r := s.clients["anonymous"].Get("/me/export"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous export: %d", r.StatusCode)
		}
	})
}

// A teacher's export holds their punches and leave requests.
func TestMeExportStaff(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		c := s.clients["teacher-class"] // 陈志强
		c.Get("/attendance")
		if r := c.Post("/attendance/punch", url.Values{"lat": {"31.2305"}, "lng": {"121.4738"}, "accuracy": {"20"}}); r.StatusCode != 303 {
			t.Fatalf("punch: %d", r.StatusCode)
		}
		if r := c.Post("/attendance/leave", url.Values{"kind": {"病假"}, "start": {"2026-11-16T08:30"}, "end": {"2026-11-16T17:30"}, "reason": {"看牙医"}}); r.StatusCode != 303 {
			t.Fatalf("leave: %d %s", r.StatusCode, r.TestID("field-error"))
		}
		other := s.clients["teacher-other"]
		other.Get("/attendance")
		other.Post("/attendance/leave", url.Values{"kind": {"事假"}, "start": {"2026-11-17T08:30"}, "end": {"2026-11-17T17:30"}, "reason": {"赵敏的家事"}})

		doc, raw, _ := openExport(t, c, "/me/export")
		if doc.Account.Name != "陈志强" || doc.Account.Role != "teacher" {
			t.Errorf("account: %+v", doc.Account)
		}
		if len(doc.Punches) != 1 {
			t.Errorf("punches: %+v", doc.Punches)
		}
		if len(doc.Requests) != 1 || doc.Requests[0].Kind != "leave" || doc.Requests[0].Reason != "看牙医" || doc.Requests[0].Status != "pending" {
			t.Errorf("requests: %+v", doc.Requests)
		}
		if strings.Contains(raw, "赵敏的家事") {
			t.Error("another teacher's leave request is in the export")
		}
	})
}

// The files come out of MinIO as they went in.
func TestMeExportFromMinIO(t *testing.T) {
	t.Parallel()
	store := apptest.MinIO(t)
	s := newSchool(t, apptest.SQLite(t))
	s.world.UseStore(store)
	c := s.clients["parent-member"]
	gp := fmt.Sprintf("/groups/%d", s.c32.ID)
	c.Get(gp)
	png := filetest.PNG(40, 30, 8, 2)
	if r := multipartForm(t, c, gp+"/messages", map[string]string{"body": "照片"}, "作业.png", png); r.StatusCode != 303 {
		t.Fatalf("upload: %d %s", r.StatusCode, r.TestID("alert-error"))
	}
	doc, _, files := openExport(t, c, "/me/export")
	if len(doc.Files) != 1 || doc.Files[0].Path == "" {
		t.Fatalf("files: %+v", doc.Files)
	}
	var f struct{ StorageKey string }
	s.world.DB.Table("files").Select("storage_key").Take(&f)
	rc, _, err := store.Get(context.Background(), f.StorageKey)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(rc)
	rc.Close()
	if got := files[doc.Files[0].Path]; len(want) == 0 || !bytes.Equal(got, want) {
		t.Errorf("the photo in the zip (%d bytes) differs from MinIO's (%d bytes)", len(got), len(want))
	}
}

// loginAs logs c in with a user agent, as a phone would.
func loginAs(t *testing.T, c *apptest.Client, phone, ua string) {
	t.Helper()
	c.Get("/login")
	r := c.Post("/login", url.Values{"phone": {phone}, "password": {"secret-123"}}, "User-Agent", ua)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", phone, r.StatusCode)
	}
	c.Get("/")
}

const (
	uaWeChat = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN"
	uaEdge   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0"
)

// 我的 lists the groups and the devices logged in, this one marked;
// 退出其他设备 ends the others (their next page is the login) and keeps
// this one, says so once, and is audited.
func TestMeSessions(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		phone := "13900000001"
		phoneC, desk := apptest.NewClient(t, s.URL), apptest.NewClient(t, s.URL)
		loginAs(t, phoneC, phone, uaWeChat)
		loginAs(t, desk, phone, uaEdge)
		old := s.clients["parent-member"] // logged in by newSchool, no browser named

		r := phoneC.Get("/me")
		var groups []string
		r.Doc.Find(`[data-testid="me-group"]`).Each(func(_ int, g *goquery.Selection) {
			groups = append(groups, strings.Join(strings.Fields(g.Text()), " "))
		})
		if len(groups) != 2 || !strings.Contains(strings.Join(groups, "|"), s.c32.Name+" 班级家校群 · 成员") {
			t.Errorf("groups on 我的: %q", groups)
		}
		sessions := r.Doc.Find(`[data-testid="session"]`)
		if sessions.Length() != 3 {
			t.Fatalf("sessions listed: %d, want 3: %q", sessions.Length(), r.TestID("me-sessions"))
		}
		current := r.Doc.Find(`[data-testid="session"]:has([data-testid="session-current"])`)
		if current.Length() != 1 || strings.TrimSpace(current.Find(`[data-testid="session-device"]`).Text()) != "iPhone · 微信" {
			t.Errorf("the current session: %q", current.Text())
		}
		text := r.TestID("me-sessions")
		if !strings.Contains(text, "Windows 电脑 · Edge") || !strings.Contains(text, "IP 127.0.*.*") || strings.Contains(text, "127.0.0.1") {
			t.Errorf("sessions: %q", text)
		}

		r = phoneC.Post("/me/logout-others", nil)
		if r.StatusCode != http.StatusSeeOther || r.Location() != "/me" {
			t.Fatalf("退出其他设备: %d %q", r.StatusCode, r.Location())
		}
		r = phoneC.Get("/me")
		if r.StatusCode != 200 || !strings.Contains(r.TestID("flash"), "已退出其他 2 台设备") || r.Doc.Find(`[data-testid="session"]`).Length() != 1 ||
			r.TestID("only-this-device") == "" || r.Doc.Find(`[data-testid="logout-others"]`).Length() != 0 {
			t.Errorf("after 退出其他设备: %d flash %q sessions %q", r.StatusCode, r.TestID("flash"), r.TestID("me-sessions"))
		}
		for name, other := range map[string]*apptest.Client{"desk": desk, "old": old} {
			if r := other.Get("/"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login") {
				t.Errorf("%s after 退出其他设备: %d %q", name, r.StatusCode, r.Location())
			}
		}
		// Someone else's sessions are untouched.
		if r := s.clients["moderator"].Get("/"); r.StatusCode != 200 {
			t.Errorf("another parent was logged out: %d", r.StatusCode)
		}
		var entries []audit.Entry
		s.world.DB.Where("action = ?", "session.end_others").Find(&entries)
		if len(entries) != 1 || entries[0].Detail != "count=2" {
			t.Errorf("audit: %+v", entries)
		}
		// Again, with nothing to end: said so, nothing audited.
		phoneC.Post("/me/logout-others", nil)
		if r := phoneC.Get("/me"); !strings.Contains(r.TestID("flash"), "没有其他设备") {
			t.Errorf("second time: %q", r.TestID("flash"))
		}
		s.world.DB.Where("action = ?", "session.end_others").Find(&entries)
		if len(entries) != 1 {
			t.Errorf("audit after the second time: %d entries", len(entries))
		}
		if r := s.clients["anonymous"].Post("/me/logout-others", nil); r.StatusCode == http.StatusSeeOther && r.Location() == "/me" {
			t.Error("anonymous 退出其他设备 went through")
		}
	})
}

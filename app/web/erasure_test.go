package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
	"jiaxiao/app/message"
	"jiaxiao/app/notice"
)

// Who may open and use the closing page and the admin's erase.
func TestErasurePermissionMatrix(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		page := map[string]int{"anonymous": 303, "parent-other": 200, "parent-member": 200, "teacher-class": 200, "teacher-other": 200, "moderator": 200, "owner": 200, "admin": 200}
		for _, actor := range actors {
			if r := s.clients[actor].Get("/me/delete"); r.StatusCode != page[actor] {
				t.Errorf("GET /me/delete as %s: %d, want %d", actor, r.StatusCode, page[actor])
			}
		}
		// Staff are sent to the admin, in place; nobody anonymous closes anything.
		for actor, want := range map[string]int{"anonymous": 401, "teacher-class": 403, "owner": 403, "admin": 403} {
			r := s.clients[actor].Post("/me/delete", url.Values{"password": {"secret-123"}})
			if r.StatusCode != want {
				t.Errorf("POST /me/delete as %s: %d, want %d", actor, r.StatusCode, want)
			}
			if want == 403 && !strings.Contains(r.TestID("close-account-staff"), "管理员") {
				t.Errorf("POST /me/delete as %s does not say whom to ask: %q", actor, r.TestID("close-account-staff"))
			}
		}
		victim := s.world.ByPhone("13900000006")
		path := fmt.Sprintf("/admin/users/%d/erase", victim.ID)
		for actor, want := range map[string]int{"anonymous": 401, "parent-member": 403, "moderator": 403, "owner": 403, "teacher-other": 403} {
			if r := s.clients[actor].Post(path, url.Values{"reason": {"家长书面申请注销"}}); r.StatusCode != want {
				t.Errorf("POST %s as %s: %d, want %d", path, actor, r.StatusCode, want)
			}
		}
		if u, _ := s.world.Auth.User(context.Background(), victim.ID); u.Status != auth.StatusActive {
			t.Fatalf("a refused erase closed the account: %s", u.Status)
		}
		if r := s.clients["admin"].Post("/admin/users/999999/erase", url.Values{"reason": {"家长书面申请注销"}}); r.StatusCode != 404 {
			t.Errorf("erasing an unknown account: %d", r.StatusCode)
		}
	})
}

// 我的 has the section: a parent's link to /me/delete, a teacher's note
// to ask the admin. /me/delete says what happens; a wrong or missing
// password answers 422 in place; the right one logs out everywhere, leaves
// the groups at once (open pages of the other members get the new count),
// and the next login is refused with the reason.
func TestCloseOwnAccount(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		parent := s.clients["parent-member"]
		r := parent.Get("/me")
		if href := r.Doc.Find(`[data-testid="close-account-link"]`).AttrOr("href", ""); href != "/me/delete" {
			t.Fatalf("我的 has no way to close the account: %q", r.TestID("close-account"))
		}
		if r := s.clients["teacher-class"].Get("/me"); r.Doc.Find(`[data-testid="close-account-link"]`).Length() != 0 ||
			!strings.Contains(r.TestID("close-account-staff"), "管理员") {
			t.Fatalf("a teacher's 我的: %q", r.TestID("close-account"))
		}
		r = parent.Get("/me/delete")
		if !strings.Contains(r.TestID("close-warning"), "7 天后") || !strings.Contains(r.TestID("close-warning"), "张伟") ||
			r.Doc.Find(`[data-testid="close-form"] input[type=password][name=password]`).Length() != 1 ||
			!strings.Contains(r.Doc.Find(`[data-testid="close-form"]`).AttrOr("data-confirm", ""), "无法恢复") {
			t.Fatalf("the closing page: %q", r.TestID("close-page"))
		}
		for pw, want := range map[string]string{"": "请输入登录密码", "not-my-password": "密码不正确"} {
			r := parent.Post("/me/delete", url.Values{"password": {pw}})
			if r.StatusCode != 422 || !strings.Contains(r.TestID("field-error"), want) ||
				r.Doc.Find(`#close-password[aria-invalid=true]`).Length() != 1 {
				t.Fatalf("password %q: %d %q", pw, r.StatusCode, r.TestID("field-error"))
			}
		}
		if r := parent.Get("/"); r.StatusCode != 200 {
			t.Fatalf("a refused closing logged the parent out: %d", r.StatusCode)
		}
		// A second device, and the moderator's open feed of 3-2.
		other := apptest.NewClient(t, s.URL)
		other.Login("13900000001", "secret-123")
		stream := openStream(t, s.clients["moderator"], fmt.Sprintf("/events?group=%d", s.c32.ID))
		waitSubscribers(t, s.hub, 1)

		r = parent.Post("/me/delete", url.Values{"password": {"secret-123"}})
		if r.StatusCode != http.StatusSeeOther || r.Location() != "/login" || parent.Cookie("jx_session") != "" {
			t.Fatalf("closing: %d %q session=%q", r.StatusCode, r.Location(), parent.Cookie("jx_session"))
		}
		if got := parent.Get("/login").TestID("flash"); !strings.Contains(got, "已注销") || !strings.Contains(got, "7 天后删除") {
			t.Errorf("flash after closing: %q", got)
		}
		if r := other.Get("/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("the other device is still logged in: %d", r.StatusCode)
		}
		var members int64
		g.Model(&group.Member{}).Where("group_id = ?", s.c32.ID).Count(&members)
		for f := stream.next(); ; f = stream.next() {
			if f.name == group.EventCounts && strings.Contains(f.data, fmt.Sprintf(`"group":%d,`, s.c32.ID)) {
				if !strings.Contains(f.data, fmt.Sprintf(`"members":%d`, members)) {
					t.Errorf("the new count of 3-2 (%d): %q", members, f.data)
				}
				break
			}
		}
		r = parent.Post("/login", url.Values{"phone": {"13900000001"}, "password": {"secret-123"}})
		if r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.TestID("alert-error"), "该账号已注销") {
			t.Fatalf("login after closing: %d %q", r.StatusCode, r.TestID("alert-error"))
		}
		if body := s.clients["owner"].Get(fmt.Sprintf("/groups/%d/members", s.c32.ID)).Body; strings.Contains(body, "张伟") {
			t.Error("the members of 3-2 still list 张伟")
		}
	})
}

// The admin's 注销 on the users page: only on parents' cards, with a
// reason box and a confirmation; without a reason 422 on the card, the
// typed text kept; with one, the account is closed and the audit log
// says who, whom and why.
func TestAdminErasesParent(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		admin := s.clients["admin"]
		victim := s.world.ByPhone("13900000006")
		card := fmt.Sprintf("#user-%d", victim.ID)
		r := admin.Get("/admin/users")
		form := r.Doc.Find(card + ` [data-testid="erase-form"]`)
		if form.Length() != 1 || form.Find(`textarea[name=reason][maxlength="200"]`).Length() != 1 ||
			!strings.Contains(form.AttrOr("data-confirm", ""), "赵国庆") || !strings.Contains(form.AttrOr("data-confirm", ""), "7 天后") {
			t.Fatalf("no erase on the parent's card: %q", r.Doc.Find(card).Text())
		}
		teacher := s.world.ByPhone("13800000003")
		if n := r.Doc.Find(fmt.Sprintf(`#user-%d [data-testid="erase-form"]`, teacher.ID)).Length(); n != 0 {
			t.Error("a teacher's card offers 注销")
		}
		path := fmt.Sprintf("/admin/users/%d/erase", victim.ID)
		r = admin.Post(path, url.Values{"reason": {"好"}, "filter": {"parent"}})
		if r.StatusCode != 422 || !strings.Contains(r.Doc.Find(card+` [data-testid="field-error"]`).Text(), "注销理由") ||
			r.Doc.Find(card+` textarea[name=reason]`).Text() != "好" || r.Doc.Find(card+` details[open]`).Length() != 1 {
			t.Fatalf("erase without a real reason: %d %q", r.StatusCode, r.Doc.Find(card).Text())
		}
		r = admin.Post(path, url.Values{"reason": {"家长书面申请注销"}, "filter": {"parent"}})
		if r.StatusCode != http.StatusSeeOther || r.Location() != "/admin/users?role=parent" {
			t.Fatalf("erase: %d %q", r.StatusCode, r.Location())
		}
		r = admin.Get("/admin/users?role=parent")
		if !strings.Contains(r.TestID("flash"), "已注销该家长账号") || !strings.Contains(r.Doc.Find(card).Text(), "已注销") ||
			r.Doc.Find(card+` [data-testid="erase-form"]`).Length() != 0 {
			t.Fatalf("after the erase: %q / %q", r.TestID("flash"), r.Doc.Find(card).Text())
		}
		if got := s.clients["parent-other"].Get("/"); got.StatusCode != http.StatusSeeOther {
			t.Errorf("the parent is still logged in: %d", got.StatusCode)
		}
		if text := admin.Get("/admin/audit?kind=erasure").TestID("audit"); !strings.Contains(text, "王建国") ||
			!strings.Contains(text, "注销了 赵国庆 的家长账号，资料将在 7 天后删除，理由：家长书面申请注销") {
			t.Errorf("the audit log: %q", text)
		}
	})
}

// After the erasure job (on the fake clock, 7 days on): the feed shows
// 已注销用户 where the parent's messages were, the receipts still count
// them, and the receipts CSV has no trace of the phone.
func TestErasedParentInFeedAndReceipts(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		ctx := context.Background()
		m := s.postAs(t, "13900000001", "明天家长会我会准时到")
		n, err := s.world.Notices.Compose(ctx, s.world.ByPhone("13800000002"), notice.ComposeInput{Title: "家长会", Category: "通知", GroupIDs: []uint64{s.c32.ID}, RequiresAck: true})
		if err != nil {
			t.Fatal(err)
		}
		parent := s.clients["parent-member"]
		parent.Get(fmt.Sprintf("/notices/%d", n.ID))
		parent.Post(fmt.Sprintf("/notices/%d/ack", n.ID), nil)
		owner := s.clients["owner"]
		before := owner.Get(fmt.Sprintf("/notices/%d/receipts", n.ID))
		if r := parent.Post("/me/delete", url.Values{"password": {"secret-123"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("closing: %d", r.StatusCode)
		}
		s.world.Clock.Advance(7*24*time.Hour + time.Minute)
		if _, err := s.world.Worker().RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		feed := owner.Get(fmt.Sprintf("/groups/%d", s.c32.ID))
		item := feed.Doc.Find(fmt.Sprintf("#msg-%d", m.ID))
		if !strings.Contains(item.Text(), auth.ErasedName) || !strings.Contains(item.Text(), message.ErasedBody) ||
			strings.Contains(feed.Body, "明天家长会我会准时到") || strings.Contains(feed.Body, "张伟") {
			t.Fatalf("the feed after the erasure: %q", item.Text())
		}
		after := owner.Get(fmt.Sprintf("/notices/%d/receipts", n.ID))
		for _, id := range []string{"read-count", "ack-count"} {
			if before.TestID(id) == "" || after.TestID(id) != before.TestID(id) {
				t.Errorf("%s: %q before, %q after", id, before.TestID(id), after.TestID(id))
			}
		}
		csv := owner.Get(fmt.Sprintf("/notices/%d/receipts.csv", n.ID)).Body
		if strings.Contains(csv, "13900000001") || strings.Contains(csv, "张伟") || !strings.Contains(csv, auth.ErasedName+",,家长,,") {
			t.Errorf("the receipts CSV after the erasure:\n%s", csv)
		}
	})
}

// The privacy settings at /admin/settings: each with its words, bounds
// checked in place.
func TestPrivacySettings(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	admin := s.clients["admin"]
	r := admin.Get("/admin/settings")
	group := r.Doc.Find(`[data-testid="settings-group-privacy"]`)
	for name, want := range map[string]string{"erase_after_days": "7", "retain_messages_days": "730", "retain_notifications_days": "180",
		"retain_requests_days": "365", "retain_ip_days": "365", "retain_login_days": "30"} {
		f := group.Find(`[data-testid="setting-` + name + `"]`)
		if f.Find("input").AttrOr("value", "") != want || f.Find("label").Text() == "" || f.Find(`[data-testid="setting-help"]`).Text() == "" {
			t.Errorf("%s: %q", name, f.Text())
		}
	}
	r = admin.Post("/admin/settings", url.Values{"erase_after_days": {"91"}, "retain_messages_days": {"3"}})
	if r.StatusCode != 422 || r.Doc.Find(`[data-testid="setting-erase_after_days"] [data-testid="field-error"]`).Length() != 1 ||
		r.Doc.Find(`[data-testid="setting-retain_messages_days"] input`).AttrOr("value", "") != "3" {
		t.Fatalf("out of bounds: %d", r.StatusCode)
	}
	if r := admin.Post("/admin/settings", url.Values{"erase_after_days": {"3"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving: %d", r.StatusCode)
	}
	if got := s.clients["parent-member"].Get("/me/delete").TestID("close-warning"); !strings.Contains(got, "3 天后") {
		t.Errorf("the closing page after the change: %q", got)
	}
}

package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/event"
	"jiaxiao/app/group"
	"jiaxiao/app/school"
)

// headerCounts reads a group page's header: its member count and the
// number on its 入群申请 tab ("" when the tab shows none).
func headerCounts(t *testing.T, r *apptest.Response, groupID uint64) (members, pending string) {
	t.Helper()
	members = strings.TrimSpace(r.Doc.Find(`.group-head [data-testid="member-count"]`).Text())
	tab := r.Doc.Find(fmt.Sprintf("#g%d-pending-tab", groupID))
	if _, hidden := tab.Attr("hidden"); tab.Length() == 1 && !hidden {
		pending = strings.TrimSpace(tab.Text())
	}
	return members, pending
}

// followFlash fetches where a 303 leads and returns the page, failing
// unless it says want once (and only once: a reload says nothing).
func followFlash(t *testing.T, c *apptest.Client, r *apptest.Response, want string) *apptest.Response {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("want 303, got %d: %s", r.StatusCode, r.TestID("error"))
	}
	page := c.Get(r.Location())
	if got := page.TestID("flash"); !strings.Contains(got, want) {
		t.Fatalf("after %s the page says %q, want %q", r.Request.URL.Path, got, want)
	}
	if again := c.Get(r.Location()).TestID("flash"); again != "" {
		t.Fatalf("the flash %q came twice", again)
	}
	return page
}

// TestGroupActionsSayWhatHappened: every action on the members and
// requests pages ends on its page with one sentence saying what happened,
// and the numbers in the header, on 我的群 and on the home page are the
// new ones.
func TestGroupActionsSayWhatHappened(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		id := s.c32.ID
		gp := func(parts ...string) string { return fmt.Sprintf("/groups/%d%s", id, strings.Join(parts, "")) }
		owner := s.clients["owner"]
		first, second := s.pendingRequest(t), s.pendingRequest(t)
		r := owner.Get(gp("/requests"))
		members0, pending0 := headerCounts(t, r, id)
		if pending0 != "2" {
			t.Fatalf("the tab says 入群申请 %q with two requests waiting", pending0)
		}
		n0, _ := strconv.Atoi(members0)

		// Approved: the list says so; the tab and the header count follow.
		r = followFlash(t, owner, owner.Post(gp("/requests/", fmt.Sprint(first), "/approve"), nil), "已通过申请")
		if m, p := headerCounts(t, r, id); m != strconv.Itoa(n0+1) || p != "1" {
			t.Fatalf("after an approval: %s members, 入群申请 %q; want %d and 1", m, p, n0+1)
		}
		// 我的群 and the home page show the same numbers.
		for _, path := range []string{"/groups", "/"} {
			page := owner.Get(path)
			card := page.Doc.Find(fmt.Sprintf("#g%d-pending", id))
			if _, hidden := card.Attr("hidden"); card.Length() != 1 || hidden || !strings.Contains(card.Text(), "1 条入群申请待审核") {
				t.Errorf("%s: the pending line says %q", path, card.Text())
			}
			if got := strings.TrimSpace(page.Doc.Find(fmt.Sprintf("#g%d-members", id)).Text()); got != fmt.Sprintf("%d 人", n0+1) {
				t.Errorf("%s: the member count says %q, want %d 人", path, got, n0+1)
			}
		}

		// Rejected without a reason: answered in place, what was typed kept.
		r = owner.Post(gp("/requests/", fmt.Sprint(second), "/reject"), url.Values{"reason": {"否"}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("rejection with a one-character reason: %d", r.StatusCode)
		}
		card := r.Doc.Find(fmt.Sprintf("#r%d", second))
		if _, open := card.Find("details.reject").Attr("open"); !open {
			t.Error("the rejection panel is closed after the refusal")
		}
		if v, _ := card.Find(`input[name="reason"]`).Attr("value"); v != "否" {
			t.Errorf("the reason box holds %q", v)
		}
		if msg := card.Find(`[data-testid="field-error"]`).Text(); !strings.Contains(msg, "理由") {
			t.Errorf("beside the reason: %q", msg)
		}
		if r.TestID("flash") != "" {
			t.Error("a refusal says it succeeded")
		}
		r = followFlash(t, owner, owner.Post(gp("/requests/", fmt.Sprint(second), "/reject"), url.Values{"reason": {"学号与姓名不符"}}), "已驳回申请")
		if _, p := headerCounts(t, r, id); p != "" || r.TestID("no-requests") == "" {
			t.Fatalf("after the last request: 入群申请 %q", p)
		}
		if card := owner.Get("/groups").Doc.Find(fmt.Sprintf("#g%d-pending", id)); card.Length() != 1 {
			t.Error("the pending line is gone: a new request could not show live")
		} else if _, hidden := card.Attr("hidden"); !hidden {
			t.Errorf("the pending line shows %q with none waiting", card.Text())
		}

		// 一键通过: the numbers are in the sentence.
		s.world.User(auth.RoleParent, "刘敏", "13900000004") // on the roster for 刘洋
		if _, err := s.world.Groups.Join(context.Background(), s.world.ByPhone("13900000004"), s.c32.InviteCode,
			group.JoinInput{StudentNo: "20230203", StudentName: "刘洋", Relation: "母亲"}); err != nil {
			t.Fatal(err)
		}
		s.pendingRequest(t) // not on the roster: stays
		r = followFlash(t, owner, owner.Post(gp("/requests/approve-matched"), nil), "已通过 1 条花名册匹配的申请")
		if m, p := headerCounts(t, r, id); m != strconv.Itoa(n0+2) || p != "1" {
			t.Fatalf("after 一键通过: %s members, 入群申请 %q", m, p)
		}

		// Members: mute, unmute, appoint, dismiss, remove.
		target := s.freshMember(t)
		uid := fmt.Sprint(target.ID)
		r = followFlash(t, owner, owner.Post(gp("/members/", uid, "/mute"), url.Values{"minutes": {"60"}}), "已禁言 1 小时")
		if got := r.Doc.Find("#m" + uid + ` [data-testid="muted"]`).Text(); !strings.Contains(got, "禁言至") {
			t.Errorf("the muted member's card says %q", got)
		}
		if r.Doc.Find("#m"+uid+` [data-testid="unmute"]`).Length() != 1 {
			t.Error("no 解除禁言 in the muted member's menu")
		}
		followFlash(t, owner, owner.Post(gp("/members/", uid, "/unmute"), nil), "已解除禁言")
		r = followFlash(t, owner, owner.Post(gp("/moderators/", uid), nil), "已设为群管理员")
		if got := r.Doc.Find("#m" + uid + ` [data-testid="member-role"]`).Text(); got != "管理员" {
			t.Errorf("the new moderator's tag: %q", got)
		}
		followFlash(t, owner, owner.Post(gp("/moderators/", uid, "/remove"), nil), "已取消群管理员")
		r = owner.Get(gp("/members"))
		before, _ := headerCounts(t, r, id)
		r = followFlash(t, owner, owner.Post(gp("/members/", uid, "/remove"), url.Values{"reason": {"多次发布广告"}}), "已移出 1 位成员，TA 将不能再查看本群。")
		n, _ := strconv.Atoi(before)
		if m, _ := headerCounts(t, r, id); m != strconv.Itoa(n-1) || r.Doc.Find("#m"+uid).Length() != 0 {
			t.Fatalf("after the removal: %s members (was %d), the card gone: %v", m, n, r.Doc.Find("#m"+uid).Length() == 0)
		}
		if got := r.Doc.Find(`[data-testid="member"]`).Length(); got != n-1 {
			t.Fatalf("%d cards for %d members", got, n-1)
		}
	})
}

// TestRequestsOverHTMX: decided from the page with htmx, the answer is
// the list with the header's new numbers swapped where they stand; a
// refusal keeps the reason typed.
func TestRequestsOverHTMX(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	id := s.c32.ID
	owner := s.clients["owner"]
	a, b := s.pendingRequest(t), s.pendingRequest(t)
	members, _ := headerCounts(t, owner.Get(fmt.Sprintf("/groups/%d/requests", id)), id)
	n, _ := strconv.Atoi(members)
	r := owner.Post(fmt.Sprintf("/groups/%d/requests/%d/approve", id, a), nil, "HX-Request", "true")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.TestID("alert-ok"), "已通过") {
		t.Fatalf("htmx approval: %d %q", r.StatusCode, r.TestID("alert-ok"))
	}
	oob := func(sel string) *goquery.Selection { return r.Doc.Find(sel + `[hx-swap-oob="true"]`) }
	if got := strings.TrimSpace(oob(fmt.Sprintf("#g%d-members", id)).Text()); got != fmt.Sprintf("%d 人", n+1) {
		t.Errorf("swapped member count %q, want %d 人", got, n+1)
	}
	if got := strings.TrimSpace(oob(fmt.Sprintf("#g%d-pending-tab", id)).Text()); got != "1" {
		t.Errorf("swapped 入群申请 number %q, want 1", got)
	}
	r = owner.Post(fmt.Sprintf("/groups/%d/requests/%d/reject", id, b), url.Values{"reason": {" "}}, "HX-Request", "true")
	if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find(fmt.Sprintf(`#r%d [data-testid="field-error"]`, b)).Length() != 1 {
		t.Fatalf("htmx rejection without a reason: %d", r.StatusCode)
	}
	if strings.Contains(r.Body, `class="site`) {
		t.Error("htmx got a whole page")
	}
	// An approval refused for the child (no longer in the class) is
	// answered in that request's card, the list still there.
	c := s.pendingRequest(t)
	var req group.JoinRequest
	s.world.DB.Where("id = ?", c).Take(&req)
	if err := s.world.School.SetStudentStatus(context.Background(), auth.System, req.StudentID, school.Transferred); err != nil {
		t.Fatal(err)
	}
	r = owner.Post(fmt.Sprintf("/groups/%d/requests/%d/approve", id, c), nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc.Find(fmt.Sprintf(`#r%d [data-testid="alert-error"]`, c)).Text(), "不在本班在读") {
		t.Fatalf("approval of a transferred pupil: %d %q", r.StatusCode, r.TestID("alert-error"))
	}
	if r.Doc.Find(`[data-testid="request"]`).Length() != 2 {
		t.Errorf("%d requests listed after the refusal, want 2", r.Doc.Find(`[data-testid="request"]`).Length())
	}
}

// countsFrame waits for the stream's live counts event of a change made
// after event id from (earlier ones, of the setup, are passed over).
func countsFrame(t *testing.T, st *stream, from uint64) map[string]int {
	t.Helper()
	for {
		f := st.next()
		if f.name != group.EventCounts || f.id <= from {
			continue
		}
		var v map[string]int
		if err := json.Unmarshal([]byte(f.data), &v); err != nil {
			t.Fatalf("counts data %q: %v", f.data, err)
		}
		return v
	}
}

// countsRecipients are the users told of the last change of groupID's
// counts, from the events table.
func countsRecipients(t *testing.T, g *gorm.DB, groupID, after uint64) []uint64 {
	t.Helper()
	var ids []uint64
	if err := g.Model(&event.Event{}).Where("kind = ? AND ref_id = ? AND id > ?", group.EventCounts, groupID, after).Order("user_id").Pluck("user_id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

func newestEventID(t *testing.T, g *gorm.DB) uint64 {
	t.Helper()
	var id *uint64
	if err := g.Model(&event.Event{}).Select("MAX(id)").Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	if id == nil {
		return 0
	}
	return *id
}

// TestLiveCountsReachOtherPages: while one moderator approves, rejects
// or removes, another moderator's open pages (any page: the stream of
// every page carries the user's events) get the group's new numbers, and
// so does a member's open feed, without the pending number; a new join
// request reaches the moderators only. Nobody outside the group is told.
func TestLiveCountsReachOtherPages(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		id := s.c32.ID
		w := s.world
		waiting := s.pendingRequest(t)
		r := s.clients["moderator"].Get(fmt.Sprintf("/groups/%d/requests", id))
		members, pending := headerCounts(t, r, id)
		n, _ := strconv.Atoi(members)
		p, _ := strconv.Atoi(pending)

		mod := openStream(t, s.clients["moderator"], "/events")
		admin := openStream(t, s.clients["admin"], "/events")
		parent := openStream(t, s.clients["parent-member"], fmt.Sprintf("/events?group=%d", id))
		waitSubscribers(t, s.hub, 3)
		staff := func(phone string) uint64 { return w.ByPhone(phone).ID }
		moderators := []uint64{staff("13800000001"), staff("13800000002"), staff("13900000003")} // admin, head teacher, parent moderator
		slices.Sort(moderators)

		// A parent asks to join: the moderators' pages count one more.
		from := newestEventID(t, g)
		s.pendingRequest(t)
		if v := countsFrame(t, mod, from); v["group"] != int(id) || v["pending"] != p+1 || v["members"] != n {
			t.Fatalf("new request, the moderator's page got %v; want %d pending, %d members", v, p+1, n)
		}
		if v := countsFrame(t, admin, from); v["pending"] != p+1 {
			t.Fatalf("new request, the admin's page got %v", v)
		}
		if got := countsRecipients(t, g, id, from); !slices.Equal(got, moderators) {
			t.Fatalf("a new request was told to %v, want the moderators and admins %v", got, moderators)
		}

		// Approved by the head teacher over HTTP: one more member, one less waiting.
		from = newestEventID(t, g)
		owner := s.clients["owner"]
		owner.Get(fmt.Sprintf("/groups/%d/requests", id))
		if r := owner.Post(fmt.Sprintf("/groups/%d/requests/%d/approve", id, waiting), nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", r.StatusCode)
		}
		if v := countsFrame(t, mod, from); v["pending"] != p || v["members"] != n+1 {
			t.Fatalf("approval, the moderator's page got %v; want %d pending, %d members", v, p, n+1)
		}
		v := countsFrame(t, parent, from)
		if _, told := v["pending"]; told || v["members"] != n+1 {
			t.Fatalf("approval, a member's feed got %v; want %d members and no pending", v, n+1)
		}
		told := countsRecipients(t, g, id, from)
		var inGroup []uint64
		g.Model(&group.Member{}).Where("group_id = ?", id).Order("user_id").Pluck("user_id", &inGroup)
		for _, u := range told {
			if !slices.Contains(inGroup, u) && u != staff("13800000001") {
				t.Errorf("user %d, outside the group, was told of its counts", u)
			}
		}
		if len(told) != len(inGroup)+1 { // the admin is not in the class group
			t.Errorf("an approval was told to %d users for %d members and the admin", len(told), len(inGroup))
		}

		// Rejected: only the moderators hear.
		rejected := s.pendingRequest(t)
		from = newestEventID(t, g)
		if err := w.Groups.Reject(context.Background(), w.ByPhone("13800000002"), id, rejected, "不是本班家长"); err != nil {
			t.Fatal(err)
		}
		if v := countsFrame(t, mod, from); v["pending"] != p {
			t.Fatalf("rejection, the moderator's page got %v", v)
		}
		if got := countsRecipients(t, g, id, from); !slices.Equal(got, moderators) {
			t.Fatalf("a rejection was told to %v", got)
		}

		// Removed: one member less, on the other moderator's page and the member's feed.
		target := s.freshMember(t)
		from = newestEventID(t, g)
		if err := w.Groups.Remove(context.Background(), w.ByPhone("13800000002"), id, target.ID, "发广告", false); err != nil {
			t.Fatal(err)
		}
		if v := countsFrame(t, mod, from); v["members"] != n+1 {
			t.Fatalf("removal, the moderator's page got %v; want %d members", v, n+1)
		}
		if v := countsFrame(t, parent, from); v["members"] != n+1 {
			t.Fatalf("removal, a member's feed got %v", v)
		}
	})
}

// TestRemovedParentSeesWhy: a parent removed from a class group who
// opens an old link (the feed, the members, a message) is told they were
// removed, why, and what they can do, with a way home (403); someone
// never in the group still finds nothing there (404). Admitted again, the
// links work.
func TestRemovedParentSeesWhy(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		id := s.c32.ID
		m := s.postAs(t, "13900000001", "明天带作业本")
		parent := s.clients["parent-member"]
		owner := s.clients["owner"]
		owner.Get(fmt.Sprintf("/groups/%d/members", id))
		zhang := s.world.ByPhone("13900000001")
		if r := owner.Post(fmt.Sprintf("/groups/%d/members/%d/remove", id, zhang.ID), url.Values{"reason": {"多次发布与教学无关的内容"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", r.StatusCode)
		}
		links := []string{fmt.Sprintf("/groups/%d", id), fmt.Sprintf("/groups/%d/members", id), fmt.Sprintf("/groups/%d/messages/%d", id, m.ID)}
		for _, path := range links {
			r := parent.Get(path)
			box := r.Doc.Find(`[data-testid="error"]`)
			if r.StatusCode != http.StatusForbidden || box.Find("h2").Text() != "您已被移出本群" {
				t.Fatalf("%s: %d %q", path, r.StatusCode, box.Text())
			}
			if !strings.Contains(box.Text(), "移出理由：多次发布与教学无关的内容") || !strings.Contains(box.Text(), "再次申请") {
				t.Errorf("%s says %q", path, box.Text())
			}
			if href, _ := box.Find("a").Attr("href"); href != "/" {
				t.Errorf("%s: the way out leads to %q", path, href)
			}
		}
		// Strangers learn nothing.
		for _, actor := range []string{"parent-other", "teacher-other"} {
			r := s.clients[actor].Get(links[0])
			if r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "移出") {
				t.Errorf("%s: %d %q", actor, r.StatusCode, r.TestID("error"))
			}
		}
		// Banned: told they may not ask again.
		target := s.freshMember(t)
		if err := s.world.Groups.Remove(context.Background(), s.world.ByPhone("13800000002"), id, target.ID, "骚扰其他家长", true); err != nil {
			t.Fatal(err)
		}
		banned := apptest.NewClient(t, s.URL)
		banned.Login(target.Phone, "secret-123")
		if r := banned.Get(links[0]); r.StatusCode != http.StatusForbidden || !strings.Contains(r.TestID("error"), "禁止再次申请") {
			t.Errorf("banned: %d %q", r.StatusCode, r.TestID("error"))
		}
		// Admitted again: the old links work.
		req, err := s.world.Groups.Join(context.Background(), zhang, s.c32.InviteCode, group.JoinInput{StudentNo: "20230201", StudentName: "张小明", Relation: "父亲"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.world.Groups.Approve(context.Background(), s.world.ByPhone("13800000002"), id, req.ID); err != nil {
			t.Fatal(err)
		}
		if r := parent.Get(links[0]); r.StatusCode != http.StatusOK {
			t.Errorf("readmitted: %d", r.StatusCode)
		}
	})
}

// TestMembersPageStructure: each member is a card with the name the
// class knows them by, their real name, tags and a phone number as the
// viewer may see it; what a moderator may do to them sits in a menu,
// closed until asked for, with a role change behind its own
// confirmation. A refused mute answers in place.
func TestMembersPageStructure(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	path := fmt.Sprintf("/groups/%d/members", s.c32.ID)
	card := func(r *apptest.Response, phone string) *goquery.Selection {
		return r.Doc.Find(fmt.Sprintf("#m%d", s.world.ByPhone(phone).ID))
	}
	r := s.clients["owner"].Get(path)
	if n := r.Doc.Find(`ul[data-testid="members"] > li[data-testid="member"]`).Length(); n != 4 {
		t.Fatalf("%d member cards, want 4", n)
	}
	if r.Doc.Find("details[open]").Length() != 0 {
		t.Error("a menu is open before anyone asked")
	}
	zhang := card(r, "13900000001")
	if zhang.Find(".member-name").Text() != "张小明爸爸" || zhang.Find(".member-real").Text() != "张伟" {
		t.Errorf("张伟's card: %q", zhang.Text())
	}
	if href, _ := zhang.Find(`a[data-testid="member-phone"]`).Attr("href"); href != "tel:13900000001" {
		t.Errorf("the head teacher's tap-to-call: %q", href)
	}
	menu := zhang.Find("details.member-menu")
	for _, sel := range []string{`[data-testid="mute-form"] select[name="minutes"]`, `[data-testid="remove-form"] input[name="reason"]`, `details.confirm [data-testid="appoint"]`} {
		if menu.Find(sel).Length() != 1 {
			t.Errorf("张伟's menu lacks %s", sel)
		}
	}
	if _, open := menu.Find("details.confirm").Attr("open"); open {
		t.Error("the role change is open without being asked for")
	}
	if !strings.Contains(menu.Find("details.confirm").Text(), "可以审核入群申请") {
		t.Errorf("the role change does not say what it means: %q", menu.Find("details.confirm").Text())
	}
	if card(r, "13900000003").Find(`details.confirm [data-testid="dismiss"]`).Length() != 1 {
		t.Error("no 取消管理员 for the parent moderator")
	}
	for phone, tag := range map[string]string{"13800000002": "班主任", "13800000003": "老师", "13900000003": "管理员"} {
		if got := card(r, phone).Find(".tag").Text(); !strings.Contains(got, tag) {
			t.Errorf("%s's tags %q, want %s", phone, got, tag)
		}
	}
	if card(r, "13800000002").Find("details").Length() != 0 {
		t.Error("the head teacher has a menu for herself")
	}

	// A parent moderator: parents only, and no role changes.
	r = s.clients["moderator"].Get(path)
	if card(r, "13800000003").Find("details").Length() != 0 {
		t.Error("a parent moderator may act on a teacher")
	}
	if zh := card(r, "13900000001"); zh.Find("details.member-menu").Length() != 1 || zh.Find("details.confirm").Length() != 0 {
		t.Error("a parent moderator's menu for a parent is wrong")
	}
	// A plain member: masked numbers, no menus.
	r = s.clients["parent-member"].Get(path)
	if r.Doc.Find("details").Length() != 0 || card(r, "13900000003").Find(`[data-testid="member-phone"]`).Text() != "139****0003" {
		t.Errorf("a member's view: %d menus, phone %q", r.Doc.Find("details").Length(), card(r, "13900000003").Find(`[data-testid="member-phone"]`).Text())
	}
	if card(r, "13900000003").Find(`a[href^="tel:"]`).Length() != 0 {
		t.Error("a masked number is a tap-to-call link")
	}

	// A mute of a length not offered: in place, beside the length.
	owner := s.clients["owner"]
	owner.Get(path)
	r = owner.Post(fmt.Sprintf("/groups/%d/members/%d/mute", s.c32.ID, s.world.ByPhone("13900000001").ID), url.Values{"minutes": {"7"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("mute for 7 minutes: %d", r.StatusCode)
	}
	zhang = card(r, "13900000001")
	if _, open := zhang.Find("details.member-menu").Attr("open"); !open || r.Doc.Find("details[open]").Length() != 1 {
		t.Error("the refused member's menu is not the one open")
	}
	sel := zhang.Find(`select[name="minutes"]`)
	described, _ := sel.Attr("aria-describedby")
	if msg := r.Doc.Find("#" + described).Text(); !strings.Contains(msg, "禁言时长") {
		t.Errorf("beside the length: %q", msg)
	}
}

// TestJoinAndSettingsInPlace: a join link with a code that opens no class
// answers on 我的群 with the code kept; a request filed says so once; a
// refused group name or word is answered on the settings page with what
// was typed; settings changed say so.
func TestJoinAndSettingsInPlace(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	s.world.User(auth.RoleParent, "刘敏", "13900000004")
	c := apptest.NewClient(t, s.URL)
	c.Login("13900000004", "secret-123")
	r := c.Get("/join/nosuch9")
	if r.StatusCode != http.StatusNotFound || r.InputValue("code") != "NOSUCH9" || !strings.Contains(r.Doc.Find("#code-error").Text(), "邀请码无效") {
		t.Fatalf("a bad invite link: %d, box %q, %q", r.StatusCode, r.InputValue("code"), r.Doc.Find("#code-error").Text())
	}
	path := "/join/" + s.c32.InviteCode
	c.Get(path)
	followFlash(t, c, c.Post(path, url.Values{"student_no": {"20230203"}, "student_name": {"刘洋"}, "relation": {"母亲"}}), "申请已提交")

	admin := s.clients["admin"]
	mod := fmt.Sprintf("/groups/%d/moderation", s.c32.ID)
	admin.Get(mod)
	r = admin.Post(fmt.Sprintf("/groups/%d/rename", s.c32.ID), url.Values{"name": {"班"}})
	if r.StatusCode != http.StatusUnprocessableEntity || r.InputValue("name") != "班" {
		t.Fatalf("a one-character name: %d, box %q", r.StatusCode, r.InputValue("name"))
	}
	if msg := r.Doc.Find("#group-name-error").Text(); !strings.Contains(msg, "2–30") {
		t.Errorf("beside the name: %q", msg)
	}
	r = followFlash(t, admin, admin.Post(fmt.Sprintf("/groups/%d/rename", s.c32.ID), url.Values{"name": {"三(2)班家长群"}}), "群名称已修改")
	if r.TestID("group-name") != "三(2)班家长群" {
		t.Errorf("the header says %q", r.TestID("group-name"))
	}
	owner := s.clients["owner"]
	owner.Get(mod)
	r = followFlash(t, owner, owner.Post(fmt.Sprintf("/groups/%d/mute-all", s.c32.ID), url.Values{"on": {"1"}}), "已开启全员禁言")
	if r.TestID("mute-all-state") != "已开启" {
		t.Errorf("mute-all state %q", r.TestID("mute-all-state"))
	}
	followFlash(t, owner, owner.Post(fmt.Sprintf("/groups/%d/words", s.c32.ID), url.Values{"pattern": {"代购"}, "category": {"ads"}, "action": {"review"}}), "已添加到本群词库")
	r = owner.Post(fmt.Sprintf("/groups/%d/words", s.c32.ID), url.Values{"pattern": {"代购"}, "category": {"ads"}, "action": {"review"}})
	if r.StatusCode != http.StatusUnprocessableEntity || r.InputValue("pattern") != "代购" || !strings.Contains(r.Doc.Find("#word-error").Text(), "已有") {
		t.Fatalf("a word twice: %d %q", r.StatusCode, r.Doc.Find("#word-error").Text())
	}
	if v, _ := r.Doc.Find(`select[name="action"] option[selected]`).Attr("value"); v != "review" {
		t.Errorf("the action chosen was lost: %q", v)
	}
}

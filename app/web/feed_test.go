package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/filter"
	"jiaxiao/app/group"
	"jiaxiao/app/message"
	"jiaxiao/app/wordlist"
)

// postAs stores a message directly, moving the clock on so that the rate
// limit never gets in the way of a test.
func (s *school32) postAs(t *testing.T, phone, body string) message.Message {
	t.Helper()
	s.world.Clock.Advance(2 * time.Minute)
	m, err := s.world.Messages.Post(context.Background(), s.world.ByPhone(phone), s.c32.ID, message.PostInput{Body: body})
	if err != nil {
		t.Fatalf("post %q: %v", body, err)
	}
	return m
}

// freshMember admits a new parent to 3-2 and returns them.
func (s *school32) freshMember(t *testing.T) *auth.User {
	t.Helper()
	rid := s.pendingRequest(t)
	if err := s.world.Groups.Approve(context.Background(), s.world.ByPhone("13800000002"), s.c32.ID, rid); err != nil {
		t.Fatal(err)
	}
	var req group.JoinRequest
	s.world.DB.Where("id = ?", rid).Take(&req)
	u, _ := s.world.Auth.User(context.Background(), req.ParentID)
	return &u
}

func TestFeedPermissionMatrix(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		ctx := context.Background()
		gp := func(parts ...string) string { return fmt.Sprintf("/groups/%d%s", s.c32.ID, strings.Join(parts, "")) }
		member := map[string]int{"anonymous": 303, "parent-other": 404, "parent-member": 200, "teacher-class": 200, "teacher-other": 404, "moderator": 200, "owner": 200, "admin": 200}
		moderate := map[string]int{"anonymous": 303, "parent-other": 404, "parent-member": 403, "teacher-class": 403, "teacher-other": 404, "moderator": 200, "owner": 200, "admin": 200}
		modPost := map[string]int{"anonymous": 401, "parent-other": 404, "parent-member": 403, "teacher-class": 403, "teacher-other": 404, "moderator": 303, "owner": 303, "admin": 303}
		post := map[string]int{"anonymous": 401, "parent-other": 404, "parent-member": 303, "teacher-class": 303, "teacher-other": 404, "moderator": 303, "owner": 303, "admin": 303}

		m := s.postAs(t, "13900000001", "明天带作业本")
		mp := gp("/messages/", fmt.Sprint(m.ID))
		for path, want := range map[string]map[string]int{gp(): member, mp: member, gp("/moderation"): moderate} {
			for _, actor := range actors {
				if r := s.clients[actor].Get(path); r.StatusCode != want[actor] {
					t.Errorf("GET %s as %s: %d, want %d", path, actor, r.StatusCode, want[actor])
				}
			}
		}
		for _, actor := range actors {
			s.world.Clock.Advance(2 * time.Minute)
			if got := s.clients[actor].Post(gp("/messages"), url.Values{"body": {"大家好，我是" + actor}}).StatusCode; got != post[actor] {
				t.Errorf("post as %s: %d, want %d", actor, got, post[actor])
			}
		}
		// Deleting someone else's message: moderators only.
		author := s.freshMember(t)
		for _, actor := range actors {
			victim := s.postAs(t, author.Phone, "一条消息 "+actor)
			path := gp("/messages/", fmt.Sprint(victim.ID), "/delete")
			if got := s.clients[actor].Post(path, url.Values{"reason": {"与教学无关"}}).StatusCode; got != modPost[actor] {
				t.Errorf("delete as %s: %d, want %d", actor, got, modPost[actor])
			}
		}
		// Held messages: approve and reject. A held message is hidden from
		// everyone but its author and the moderators.
		heldPost := map[string]int{"anonymous": 401, "parent-other": 404, "parent-member": 403, "teacher-class": 404, "teacher-other": 404, "moderator": 303, "owner": 303, "admin": 303}
		for _, action := range []string{"/approve", "/reject"} {
			for _, actor := range actors {
				held := s.postAs(t, "13900000001", "帮忙投票 "+actor+action)
				if held.Status != message.Held {
					t.Fatalf("not held: %+v", held)
				}
				path := gp("/messages/", fmt.Sprint(held.ID), action)
				if got := s.clients[actor].Post(path, url.Values{"reason": {"请勿拉票"}}).StatusCode; got != heldPost[actor] {
					t.Errorf("%s as %s: %d, want %d", action, actor, got, heldPost[actor])
				}
			}
		}
		// Word list, mute-all, mutes, removal.
		for i, actor := range actors {
			if got := s.clients[actor].Post(gp("/words"), url.Values{"pattern": {fmt.Sprintf("禁词%d", i)}, "category": {"ads"}, "action": {"block"}}).StatusCode; got != modPost[actor] {
				t.Errorf("add word as %s: %d, want %d", actor, got, modPost[actor])
			}
		}
		for _, actor := range actors {
			if err := s.world.Words.Add(ctx, s.world.ByPhone("13800000002"), s.c32.ID, "删词"+actor, filter.Ads, filter.Block); err != nil {
				t.Fatal(err)
			}
			var w wordlist.Word
			g.Where("group_id = ? AND pattern = ?", s.c32.ID, "删词"+actor).Take(&w)
			if got := s.clients[actor].Post(gp("/words/", fmt.Sprint(w.ID), "/delete"), nil).StatusCode; got != modPost[actor] {
				t.Errorf("delete word as %s: %d, want %d", actor, got, modPost[actor])
			}
		}
		for _, actor := range actors {
			if got := s.clients[actor].Post(gp("/mute-all"), url.Values{"on": {"0"}}).StatusCode; got != modPost[actor] {
				t.Errorf("mute-all as %s: %d, want %d", actor, got, modPost[actor])
			}
		}
		for _, actor := range actors {
			target := s.freshMember(t)
			if got := s.clients[actor].Post(gp("/members/", fmt.Sprint(target.ID), "/mute"), url.Values{"minutes": {"5"}}).StatusCode; got != modPost[actor] {
				t.Errorf("mute as %s: %d, want %d", actor, got, modPost[actor])
			}
			if got := s.clients[actor].Post(gp("/members/", fmt.Sprint(target.ID), "/remove"), url.Values{"reason": {"发布广告"}}).StatusCode; got != modPost[actor] {
				t.Errorf("remove as %s: %d, want %d", actor, got, modPost[actor])
			}
		}
		// The live stream: outsiders are refused before anything streams.
		for actor, want := range map[string]int{"anonymous": 303, "parent-other": 404, "teacher-other": 404} {
			if r := s.clients[actor].Get("/events?group=" + fmt.Sprint(s.c32.ID)); r.StatusCode != want {
				t.Errorf("events as %s: %d, want %d", actor, r.StatusCode, want)
			}
		}
	})
}

func TestPostOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	c := s.clients["parent-member"]
	path := fmt.Sprintf("/groups/%d/messages", s.c32.ID)
	c.Get(fmt.Sprintf("/groups/%d", s.c32.ID))
	r := c.Post(path, url.Values{"body": {"兼职刷单，日结三百"}})
	if r.StatusCode != 422 || !strings.Contains(r.Body, "商业广告") || !strings.Contains(r.Doc.Find(`textarea[name="body"]`).Text(), "兼职刷单，日结三百") {
		t.Fatalf("banned: %d %s", r.StatusCode, r.TestID("alert-error"))
	}
	r = c.Post(path, url.Values{"body": {"兼职刷单"}}, "HX-Request", "true")
	if r.StatusCode != 422 || !strings.Contains(r.Body, "商业广告") || strings.Contains(r.Body, `class="site`) {
		t.Fatalf("banned via htmx: %d", r.StatusCode)
	}
	s.world.Clock.Advance(2 * time.Minute)
	if r = c.Post(path, url.Values{"body": {"老师好，收到"}}); r.StatusCode != 303 {
		t.Fatalf("post: %d", r.StatusCode)
	}
	r = s.clients["moderator"].Get(fmt.Sprintf("/groups/%d", s.c32.ID))
	if !strings.Contains(r.TestID("messages"), "老师好，收到") || !strings.Contains(r.TestID("messages"), "张小明爸爸") {
		t.Fatalf("feed: %s", r.TestID("messages"))
	}
	if err := s.world.Groups.MuteMember(context.Background(), s.world.ByPhone("13800000002"), s.c32.ID, s.world.ByPhone("13900000001").ID, 60); err != nil {
		t.Fatal(err)
	}
	s.world.Clock.Advance(time.Minute)
	if r = c.Post(path, url.Values{"body": {"为什么禁言我"}}); r.StatusCode != 403 {
		t.Fatalf("muted: %d", r.StatusCode)
	}
	if r = c.Get(fmt.Sprintf("/groups/%d", s.c32.ID)); !strings.Contains(r.TestID("no-post"), "禁言") {
		t.Fatalf("muted feed: %q", r.TestID("no-post"))
	}
}

// readEvent reads SSE lines until one event (name and data) is complete.
func readEvent(t *testing.T, sc *bufio.Scanner) (string, string) {
	t.Helper()
	var name string
	var data []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		case line == "" && name != "":
			return name, strings.Join(data, "\n")
		}
	}
	return "", ""
}

func TestLiveFeedAndRemoval(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		c := s.clients["parent-member"]
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/events?group=%d", s.URL, s.c32.ID), nil)
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		sc := bufio.NewScanner(resp.Body)
		waitSubscribers(t, s.hub, 1) // the stream is subscribed before anything is posted
		m := s.postAs(t, "13800000002", "同学们明天八点到校")
		name, data := readEvent(t, sc)
		if name != "message" || !strings.Contains(data, "同学们明天八点到校") || !strings.Contains(data, fmt.Sprintf("msg-%d", m.ID)) {
			t.Fatalf("live message: %s %s", name, data)
		}
		if err := s.world.Messages.Delete(context.Background(), s.world.ByPhone("13800000002"), s.c32.ID, m.ID, ""); err != nil {
			t.Fatal(err)
		}
		if name, data = readEvent(t, sc); name != "deleted" || !strings.Contains(data, `data-replace="1"`) || !strings.Contains(data, fmt.Sprintf(`id="msg-%d"`, m.ID)) {
			t.Fatalf("live deletion: %s %s", name, data)
		}
		// Removed: the page is told, then the stream ends.
		if err := s.world.Groups.Remove(context.Background(), s.world.ByPhone("13800000002"), s.c32.ID, s.world.ByPhone("13900000001").ID, "多次发布广告", false); err != nil {
			t.Fatal(err)
		}
		for {
			name, data = readEvent(t, sc)
			if name != "badge" {
				break
			}
		}
		if name != "removed" || !strings.Contains(data, "removed-notice") {
			t.Fatalf("removal: %s %s", name, data)
		}
		if name, _ = readEvent(t, sc); name != "" {
			t.Fatalf("stream went on after removal: %s", name)
		}
		if r := c.Get(fmt.Sprintf("/groups/%d", s.c32.ID)); r.StatusCode != 403 || !strings.Contains(r.TestID("error"), "您已被移出本群") {
			t.Fatalf("removed member's feed: %d %q", r.StatusCode, r.TestID("error"))
		}
		if r := c.Get("/notifications"); !strings.Contains(r.Body, "多次发布广告") {
			t.Fatal("removal reason not in the notification centre")
		}
	})
}

func TestFeedMatrixRest(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	ctx := context.Background()
	gp := func(parts ...string) string { return fmt.Sprintf("/groups/%d%s", s.c32.ID, strings.Join(parts, "")) }
	modPost := map[string]int{"anonymous": 401, "parent-other": 404, "parent-member": 403, "teacher-class": 403, "teacher-other": 404, "moderator": 303, "owner": 303, "admin": 303}
	head := s.world.ByPhone("13800000002")
	for _, actor := range actors {
		target := s.freshMember(t)
		if err := s.world.Groups.MuteMember(ctx, head, s.c32.ID, target.ID, 60); err != nil {
			t.Fatal(err)
		}
		if got := s.clients[actor].Post(gp("/members/", fmt.Sprint(target.ID), "/unmute"), nil).StatusCode; got != modPost[actor] {
			t.Errorf("unmute as %s: %d, want %d", actor, got, modPost[actor])
		}
	}
	// Opening the school group to parents: admins only.
	schoolG := s.world.KindGroup(group.KindSchool)
	admitted := map[string]int{"anonymous": 401, "parent-other": 403, "parent-member": 403, "teacher-class": 403, "teacher-other": 403, "moderator": 403, "owner": 403, "admin": 303}
	for _, actor := range actors {
		if got := s.clients[actor].Post(fmt.Sprintf("/groups/%d/posting", schoolG.ID), url.Values{"on": {"1"}}).StatusCode; got != admitted[actor] {
			t.Errorf("open posting as %s: %d, want %d", actor, got, admitted[actor])
		}
	}
	// The school word list: admins only.
	adminOnly := map[string]int{"anonymous": 303, "parent-other": 403, "parent-member": 403, "teacher-class": 403, "teacher-other": 403, "moderator": 403, "owner": 403, "admin": 200}
	for _, actor := range actors {
		if got := s.clients[actor].Get("/admin/words").StatusCode; got != adminOnly[actor] {
			t.Errorf("GET /admin/words as %s: %d, want %d", actor, got, adminOnly[actor])
		}
		want := adminOnly[actor]
		if want == 303 {
			want = 401
		} else if want == 200 {
			want = 303
		}
		if got := s.clients[actor].Post("/admin/words", url.Values{"pattern": {"校外培训" + actor}, "category": {"ads"}, "action": {"review"}}).StatusCode; got != want {
			t.Errorf("POST /admin/words as %s: %d, want %d", actor, got, want)
		}
	}
	// A file posted in 3-2 is for 3-2's members only.
	c := s.clients["parent-member"]
	c.Get(gp())
	r := multipartForm(t, c, gp("/messages"), map[string]string{"body": "请假条"}, "请假条.pdf", []byte("%PDF-1.4 leave note"))
	if r.StatusCode != 303 {
		t.Fatalf("upload: %d %s", r.StatusCode, r.TestID("alert-error"))
	}
	r = s.clients["owner"].Get(gp())
	href, ok := r.Doc.Find(`[data-testid="attachment"]`).Attr("href")
	if !ok {
		t.Fatal("no attachment link in the feed")
	}
	member := map[string]int{"anonymous": 303, "parent-other": 404, "parent-member": 200, "teacher-class": 200, "teacher-other": 404, "moderator": 200, "owner": 200, "admin": 200}
	for _, actor := range actors {
		r := s.clients[actor].Get(href)
		if r.StatusCode != member[actor] {
			t.Errorf("GET %s as %s: %d, want %d", href, actor, r.StatusCode, member[actor])
		}
		if r.StatusCode == 200 && !strings.Contains(r.Header.Get("Content-Disposition"), "filename*=UTF-8''%E8%AF%B7%E5%81%87%E6%9D%A1.pdf") {
			t.Errorf("Content-Disposition %q", r.Header.Get("Content-Disposition"))
		}
	}
	if r := s.clients["admin"].Get("/files/999999"); r.StatusCode != 404 {
		t.Errorf("unknown file: %d", r.StatusCode)
	}
	// A member's live stream opens.
	ctx2, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx2, http.MethodGet, fmt.Sprintf("%s/events?group=%d", s.URL, s.c32.ID), nil)
	resp, err := s.clients["teacher-class"].HTTP.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("member's stream: %v", err)
	}
	resp.Body.Close()
}

// msgItems are the feed's messages on a page, oldest first.
func msgItems(r *apptest.Response) *goquery.Selection {
	return r.Doc.Find(`#messages > li.msg, body > li.msg`)
}

// The feed opens on its newest page, newest last; ?before= pages back by
// the oldest message shown, a bounded page at a time, as a whole page or
// (htmx, scrolling up) the page alone; a cursor that is no message id is
// refused, and one from another group shows nothing of it.
func TestFeedPaging(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	ctx := context.Background()
	total := 2*message.PageSize + 20
	var ids []uint64
	for i := 0; i < total; i++ {
		s.world.Clock.Advance(time.Minute)
		m, err := s.world.Messages.Post(ctx, s.world.ByPhone("13800000002"), s.c32.ID, message.PostInput{Body: fmt.Sprintf("第%03d条", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	s.world.Clock.Advance(2 * time.Minute)
	other, err := s.world.Messages.Post(ctx, s.world.ByPhone("13900000006"), s.c33.ID, message.PostInput{Body: "三班的消息"})
	if err != nil {
		t.Fatal(err)
	}
	c := s.clients["parent-member"]
	feed := fmt.Sprintf("/groups/%d", s.c32.ID)
	bodies := func(r *apptest.Response) []string {
		var out []string
		msgItems(r).Each(func(_ int, m *goquery.Selection) {
			out = append(out, m.Find(`[data-testid="message-body"]`).Text())
		})
		return out
	}

	r := c.Get(feed)
	got := bodies(r)
	if len(got) != message.PageSize || got[len(got)-1] != fmt.Sprintf("第%03d条", total-1) || got[0] != fmt.Sprintf("第%03d条", total-message.PageSize) {
		t.Fatalf("newest page: %d messages, %q … %q", len(got), got[0], got[len(got)-1])
	}
	older, _ := r.Doc.Find(`[data-testid="older"]`).Attr("href")
	if want := fmt.Sprintf("%s?before=%d", feed, ids[total-message.PageSize]); older != want {
		t.Fatalf("older link %q, want %q", older, want)
	}
	if hx, _ := r.Doc.Find(`[data-testid="older"]`).Attr("hx-get"); hx != older {
		t.Fatalf("the older link loads %q by htmx", hx)
	}
	if r.Doc.Find(`[data-testid="newer"]`).Length() != 0 || !strings.Contains(r.Header.Get("Vary"), "HX-Request") {
		t.Fatalf("newest page: newer link or no Vary (%q)", r.Header.Get("Vary"))
	}

	// Without JavaScript: the page before, with a way back.
	r = c.Get(older)
	got = bodies(r)
	if r.StatusCode != 200 || len(got) != message.PageSize || got[len(got)-1] != fmt.Sprintf("第%03d条", total-message.PageSize-1) {
		t.Fatalf("older page: %d, %d messages, last %q", r.StatusCode, len(got), got[len(got)-1])
	}
	if href, _ := r.Doc.Find(`[data-testid="newer"]`).Attr("href"); href != feed {
		t.Fatalf("back to the newest: %q", href)
	}
	if r.Doc.Find(`[data-testid="compose"]`).Length() != 1 {
		t.Fatal("no composer on an older page")
	}

	// htmx: the page alone, to replace the link; the last one says so.
	r = c.Get(older, "HX-Request", "true")
	if r.StatusCode != 200 || strings.Contains(r.Body, `class="site`) || strings.Contains(r.Body, `data-testid="compose"`) {
		t.Fatalf("htmx older page: %d, a whole page?", r.StatusCode)
	}
	if n := msgItems(r).Length(); n != message.PageSize {
		t.Fatalf("htmx older page: %d messages", n)
	}
	next, _ := r.Doc.Find(`li#older [data-testid="older"]`).Attr("hx-get")
	r = c.Get(next, "HX-Request", "true")
	got = bodies(r)
	if len(got) != 20 || got[0] != "第000条" || r.Doc.Find(`[data-testid="older-end"]`).Length() != 1 || r.Doc.Find(`[data-testid="older"]`).Length() != 0 {
		t.Fatalf("last page: %d messages from %q, end marker %d", len(got), got[0], r.Doc.Find(`[data-testid="older-end"]`).Length())
	}

	for _, bad := range []string{"abc", "0", "-5", "007", "1e3", "99999999999999999999", strings.Repeat("9", 200)} {
		if r := c.Get(feed+"?before="+url.QueryEscape(bad), "HX-Request", "true"); r.StatusCode != 400 {
			t.Errorf("before=%.20s: %d, want 400", bad, r.StatusCode)
		}
	}
	// A cursor past any of 3-2's ids: 3-2's newest page, nothing of 3-3's.
	r = c.Get(fmt.Sprintf("%s?before=%d", feed, other.ID+1000))
	if r.StatusCode != 200 || strings.Contains(r.Body, "三班的消息") || len(bodies(r)) != message.PageSize {
		t.Fatalf("cursor past the end: %d, %d messages", r.StatusCode, len(bodies(r)))
	}
}

// Own messages are marked for the viewer (on the right, no name), staff
// are tagged, others carry their names; the same messages look the same
// to everyone else.
func TestFeedOwnAndTags(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		s.postAs(t, "13800000002", "班主任的话")
		s.postAs(t, "13800000003", "任课老师的话")
		s.postAs(t, "13900000001", "家长的话")
		s.postAs(t, "13800000001", "校长的话")
		view := func(actor string) map[string]*goquery.Selection {
			r := s.clients[actor].Get(fmt.Sprintf("/groups/%d", s.c32.ID))
			out := map[string]*goquery.Selection{}
			msgItems(r).Each(func(_ int, m *goquery.Selection) { out[m.Find(`[data-testid="message-body"]`).Text()] = m })
			return out
		}
		parent := view("parent-member")
		mine := parent["家长的话"]
		if !mine.HasClass("own") || mine.AttrOr("data-own", "") != "1" || mine.Find(`[data-testid="author"]`).Length() != 0 || mine.Find(".avatar").Length() != 0 {
			html, _ := goquery.OuterHtml(mine)
			t.Fatalf("own message: %s", html)
		}
		for body, want := range map[string]string{"班主任的话": "李芳|班主任", "任课老师的话": "陈志强|老师", "校长的话": "王建国|老师"} {
			m := parent[body]
			if m.HasClass("own") {
				t.Errorf("%s marked as the parent's own", body)
			}
			if got := m.Find(`[data-testid="author"]`).Text() + "|" + m.Find(`[data-testid="author-tag"]`).Text(); got != want {
				t.Errorf("%s: %q, want %q", body, got, want)
			}
		}
		owner := view("owner")
		if !owner["班主任的话"].HasClass("own") || owner["家长的话"].HasClass("own") {
			t.Fatal("the head teacher's own message not marked for them, or the parent's marked")
		}
		if got := owner["家长的话"].Find(`[data-testid="author"]`).Text() + "|" + owner["家长的话"].Find(".real").Text(); got != "张小明爸爸|张伟" {
			t.Fatalf("a parent as the class knows them: %q", got)
		}
		if owner["家长的话"].Find(`[data-testid="author-tag"]`).Length() != 0 {
			t.Fatal("a parent tagged")
		}
	})
}

// menuOf is the menu items a message offers its viewer.
func menuOf(m *goquery.Selection) string {
	var items []string
	for _, id := range []string{"menu-copy", "menu-recall", "menu-delete"} {
		if m.Find(`[data-testid="`+id+`"]`).Length() > 0 {
			items = append(items, strings.TrimPrefix(id, "menu-"))
		}
	}
	return strings.Join(items, ",")
}

// The menu offers what the viewer may do, and the server holds to it: the
// author takes a message back only within the window, moderators delete
// with a reason (a missing one answered in place), everyone copies.
func TestFeedMenu(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	feed := fmt.Sprintf("/groups/%d", s.c32.ID)
	m := s.postAs(t, "13900000001", "明天几点放学？")
	item := func(actor string, id uint64) *goquery.Selection {
		t.Helper()
		r := s.clients[actor].Get(feed)
		it := r.Doc.Find(fmt.Sprintf("#msg-%d", id))
		if it.Length() != 1 {
			t.Fatalf("%s sees no message %d", actor, id)
		}
		return it
	}
	for actor, want := range map[string]string{"parent-member": "copy,recall", "teacher-class": "copy", "moderator": "copy,delete", "owner": "copy,delete", "admin": "copy,delete"} {
		if got := menuOf(item(actor, m.ID)); got != want {
			t.Errorf("menu for %s: %q, want %q", actor, got, want)
		}
	}
	left := item("parent-member", m.ID).Find(`[data-testid="menu-recall"]`).AttrOr("data-recall-left", "")
	if left != "120" {
		t.Fatalf("recall left %q s, want 120", left)
	}
	s.world.Clock.Advance(message.RecallWindow - 30*time.Second)
	if left := item("parent-member", m.ID).Find(`[data-testid="menu-recall"]`).AttrOr("data-recall-left", ""); left != "30" {
		t.Fatalf("recall left %q s after 90 s, want 30", left)
	}
	s.world.Clock.Advance(31 * time.Second)
	if got := menuOf(item("parent-member", m.ID)); got != "copy" {
		t.Fatalf("menu after the window: %q", got)
	}
	c := s.clients["parent-member"]
	del := fmt.Sprintf("%s/messages/%d/delete", feed, m.ID)
	if r := c.Post(del, nil, "HX-Request", "true"); r.StatusCode != 403 || !strings.Contains(r.Body, "不能撤回") {
		t.Fatalf("late recall: %d %s", r.StatusCode, r.Body)
	}
	if r := c.Get(fmt.Sprintf("%s/messages/%d", feed, m.ID)); r.TestID("delete-form") != "" || r.Doc.Find(`[data-testid="delete-form"]`).Length() != 0 {
		t.Fatal("the message page offers 撤回 after the window")
	}

	// A moderator's missing reason: 422 in place, the menu open, the reason kept.
	mod := s.clients["moderator"]
	r := mod.Post(del, url.Values{"reason": {"x"}}, "HX-Request", "true")
	if r.StatusCode != 422 || r.Doc.Find(`details.msg-menu[open]`).Length() != 1 || r.Doc.Find(`input[name="reason"]`).AttrOr("value", "") != "x" ||
		!strings.Contains(r.TestID("field-error"), "请填写删除理由") || r.Doc.Find(`input[name="reason"]`).AttrOr("aria-describedby", "") == "" {
		t.Fatalf("moderator without a reason (htmx): %d %s", r.StatusCode, r.Body)
	}
	r = mod.Post(del, url.Values{"reason": {"x"}})
	if r.StatusCode != 422 || r.Doc.Find(`[data-testid="delete-form"] input[name="reason"]`).AttrOr("value", "") != "x" || !strings.Contains(r.TestID("field-error"), "请填写删除理由") {
		t.Fatalf("moderator without a reason: %d %s", r.StatusCode, r.TestID("field-error"))
	}
	r = mod.Post(del, url.Values{"reason": {"与教学无关"}}, "HX-Request", "true")
	if r.StatusCode != 200 || strings.TrimSpace(r.Doc.Find(`[data-testid="message-gone"]`).Text()) != "此消息已被删除" || r.Doc.Find(`[data-testid="message-body"]`).Length() != 0 {
		t.Fatalf("moderator deletion (htmx): %d %s", r.StatusCode, r.Body)
	}
	if got := menuOf(item("parent-member", m.ID)); got != "" || item("moderator", m.ID).Find("details").Length() != 0 {
		t.Fatalf("a deleted message still has a menu: %q", got)
	}

	// The author within the window, by htmx: the placeholder comes back.
	own := s.postAs(t, "13900000001", "发错了")
	r = c.Post(fmt.Sprintf("%s/messages/%d/delete", feed, own.ID), nil, "HX-Request", "true")
	if r.StatusCode != 200 || r.Doc.Find(`[data-testid="message-gone"]`).Text() != "你撤回了一条消息" {
		t.Fatalf("recall (htmx): %d %s", r.StatusCode, r.Body)
	}
	if got := item("owner", own.ID).Find(`[data-testid="message-gone"]`).Text(); got != "张小明爸爸 撤回了一条消息" {
		t.Fatalf("others see %q", got)
	}

	// A moderator's own message past the window: 删除 with a reason.
	mine := s.postAs(t, "13900000003", "本周五开家长会")
	s.world.Clock.Advance(3 * time.Minute)
	if got := menuOf(item("moderator", mine.ID)); got != "copy,delete" {
		t.Fatalf("moderator's own late message: %q", got)
	}
}

// Day dividers head each day in the school's time zone: a message at
// 00:30 in Shanghai is that day's though UTC still says the day before.
func TestFeedDayDividers(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	ctx := context.Background()
	y, mo, d := time.Now().In(shanghai).Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, shanghai)
	earlier := today.AddDate(0, 0, -3).Add(12 * time.Hour)
	posts := []time.Time{earlier, earlier.Add(time.Hour), today.AddDate(0, 0, -1).Add(30 * time.Minute), today.Add(2 * time.Second)}
	for i, at := range posts {
		s.world.Clock.Set(at)
		if _, err := s.world.Messages.Post(ctx, s.world.ByPhone("13800000002"), s.c32.ID, message.PostInput{Body: fmt.Sprintf("消息%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	r := s.clients["parent-member"].Get(fmt.Sprintf("/groups/%d", s.c32.ID))
	var got []string
	r.Doc.Find(`#messages > li`).Each(func(_ int, li *goquery.Selection) {
		if li.HasClass("day") {
			got = append(got, "["+li.Text()+" "+li.AttrOr("data-day", "")+"]")
		} else {
			got = append(got, li.Find(`[data-testid="message-body"]`).Text())
		}
	})
	weekdays := []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
	first := fmt.Sprintf("%d月%d日 %s", earlier.Month(), earlier.Day(), weekdays[earlier.Weekday()])
	if earlier.Year() != today.Year() {
		first = fmt.Sprintf("%d年%s", earlier.Year(), first)
	}
	want := []string{
		"[" + first + " " + earlier.Format("2006-01-02") + "]", "消息0", "消息1",
		"[昨天 " + today.AddDate(0, 0, -1).Format("2006-01-02") + "]", "消息2",
		"[今天 " + today.Format("2006-01-02") + "]", "消息3",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("feed:\n got %s\nwant %s", strings.Join(got, " "), strings.Join(want, " "))
	}
	if clock := r.Doc.Find(`#messages li.msg [data-testid="message-time"]`).Last().Text(); clock != "00:00" {
		t.Fatalf("time under today's message: %q", clock)
	}
}

// A message the server refuses comes back in the composer, 422 (or the
// status the refusal calls for) with the text kept and the reason beside
// it; one it takes comes back at the end of the feed with a fresh composer.
func TestComposeInPlace(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	c := s.clients["parent-member"]
	feed := fmt.Sprintf("/groups/%d", s.c32.ID)
	post := feed + "/messages"
	for _, tc := range []struct {
		body, reason string
	}{
		{"兼职刷单，日结三百", "商业广告"},
		{strings.Repeat("长", message.MaxBody+1), "消息太长"},
		{"   ", "请输入消息内容"},
	} {
		s.world.Clock.Advance(time.Minute)
		r := c.Post(post, url.Values{"body": {tc.body}}, "HX-Request", "true")
		if r.StatusCode != 422 || r.Doc.Find(`#composer`).Length() != 1 || strings.Contains(r.Body, `class="site`) {
			t.Fatalf("%.10s: %d, not the composer alone", tc.body, r.StatusCode)
		}
		if !strings.Contains(r.TestID("alert-error"), tc.reason) || r.Doc.Find(`textarea[name="body"]`).Text() != tc.body {
			t.Fatalf("%.10s: alert %q, text kept %v", tc.body, r.TestID("alert-error"), r.Doc.Find(`textarea[name="body"]`).Text() == tc.body)
		}
		if r.Doc.Find(`[data-testid="compose-send"]`).AttrOr("disabled", "no") != "no" {
			t.Fatal("发送 left disabled")
		}
	}
	// A file of a kind not taken: 422 naming it, the text kept.
	c.Get(feed)
	r := multipartForm(t, c, post, map[string]string{"body": "看看这个"}, "病毒.exe", []byte("MZ\x90\x00"))
	if r.StatusCode != 422 || r.Doc.Find(`textarea[name="body"]`).Text() != "看看这个" || r.TestID("alert-error") == "" {
		t.Fatalf("bad file: %d %q", r.StatusCode, r.TestID("alert-error"))
	}

	// Taken: a fresh composer and the message appended, once by its id.
	s.world.Clock.Advance(time.Minute)
	r = c.Post(post, url.Values{"body": {"老师辛苦了"}}, "HX-Request", "true")
	if r.StatusCode != 200 || r.Doc.Find(`textarea[name="body"]`).Text() != "" {
		t.Fatalf("sent: %d", r.StatusCode)
	}
	added := r.Doc.Find(`ol[hx-swap-oob="beforeend:#messages"] > li.msg`)
	id := added.AttrOr("id", "")
	if added.Length() != 1 || !added.HasClass("own") || added.Find(`[data-testid="message-body"]`).Text() != "老师辛苦了" ||
		!strings.HasPrefix(id, "msg-") || menuOf(added) != "copy,recall" {
		t.Fatalf("sent message in the answer: %s", r.Body)
	}
	// Held: shown to its author as held.
	for i := 0; i < 3; i++ {
		s.world.Clock.Advance(time.Minute)
		r = c.Post(post, url.Values{"body": {"请大家帮忙点赞"}}, "HX-Request", "true")
	}
	if held := r.Doc.Find(`ol[hx-swap-oob] > li.msg`); !held.HasClass("held") || !strings.Contains(held.Find(`[data-testid="held-note"]`).Text(), "待审核") {
		t.Fatalf("held message in the answer: %s", r.Body)
	}
	// Muted: 403 with the reason, for the page's script to show.
	if err := s.world.Groups.MuteMember(context.Background(), s.world.ByPhone("13800000002"), s.c32.ID, s.world.ByPhone("13900000001").ID, 60); err != nil {
		t.Fatal(err)
	}
	s.world.Clock.Advance(time.Minute)
	r = c.Post(post, url.Values{"body": {"为什么"}}, "HX-Request", "true")
	if r.StatusCode != 403 || !strings.Contains(r.TestID("alert-error"), "禁言") || r.Doc.Find(`textarea[name="body"]`).Text() != "为什么" {
		t.Fatalf("muted: %d %q", r.StatusCode, r.TestID("alert-error"))
	}
}

// Live messages come to each viewer as they see them: the author's on the
// right with 撤回, a moderator's with 删除, everyone else's plain; a
// recall says who took it back, and "你" to the author.
func TestLiveFeedVersions(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	path := fmt.Sprintf("/events?group=%d", s.c32.ID)
	author := openStream(t, s.clients["parent-member"], path)
	mod := openStream(t, s.clients["moderator"], path)
	plain := openStream(t, s.clients["teacher-class"], path)
	waitSubscribers(t, s.hub, 3)
	m := s.postAs(t, "13900000001", "谢谢老师")
	parse := func(st *stream, name string) *goquery.Selection {
		t.Helper()
		f := st.next()
		if f.name != name {
			t.Fatalf("event %q, want %q", f.name, name)
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader("<ol>" + f.data + "</ol>"))
		if err != nil {
			t.Fatal(err)
		}
		return doc.Find(fmt.Sprintf("li#msg-%d", m.ID))
	}
	a, md, p := parse(author, "message"), parse(mod, "message"), parse(plain, "message")
	if a.Length() != 1 || md.Length() != 1 || p.Length() != 1 {
		t.Fatalf("one rendering per event: %d %d %d", a.Length(), md.Length(), p.Length())
	}
	if !a.HasClass("own") || menuOf(a) != "copy,recall" || md.HasClass("own") || menuOf(md) != "copy,delete" || p.HasClass("own") || menuOf(p) != "copy" {
		t.Fatalf("versions: author own=%v %q, moderator own=%v %q, member own=%v %q",
			a.HasClass("own"), menuOf(a), md.HasClass("own"), menuOf(md), p.HasClass("own"), menuOf(p))
	}
	if a.AttrOr("data-day-label", "") == "" || a.Find(`input[name="_csrf"]`).Length() != 0 {
		t.Fatal("a live message without its day, or with a token shared by many")
	}
	if err := s.world.Messages.Delete(context.Background(), s.world.ByPhone("13900000001"), s.c32.ID, m.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := parse(author, "deleted").Find(`[data-testid="message-gone"]`).Text(); got != "你撤回了一条消息" {
		t.Fatalf("the author sees %q", got)
	}
	for _, st := range []*stream{mod, plain} {
		if got := parse(st, "deleted").Find(`[data-testid="message-gone"]`).Text(); got != "张小明爸爸 撤回了一条消息" {
			t.Fatalf("others see %q", got)
		}
	}
}

// A held message reaches only its author and the moderators, live; when it
// is rejected it leaves the author's feed.
func TestLiveHeldAndRejected(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	path := fmt.Sprintf("/events?group=%d", s.c32.ID)
	author := openStream(t, s.clients["parent-member"], path)
	mod := openStream(t, s.clients["moderator"], path)
	waitSubscribers(t, s.hub, 2)
	held := s.postAs(t, "13900000001", "帮忙投票给我家孩子")
	if held.Status != message.Held {
		t.Fatalf("not held: %+v", held)
	}
	id := fmt.Sprintf("msg-%d", held.ID)
	for who, st := range map[string]*stream{"author": author, "moderator": mod} {
		f := st.next()
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader("<ol>" + f.data + "</ol>"))
		li := doc.Find("li#" + id)
		if f.name != "held" || !li.HasClass("held") || !strings.Contains(li.Find(`[data-testid="held-note"]`).Text(), "待审核") {
			t.Fatalf("%s: %s %s", who, f.name, f.data)
		}
		if want := map[string]string{"author": "copy,recall", "moderator": "copy,delete"}[who]; menuOf(li) != want {
			t.Fatalf("%s's menu on the held message: %q, want %q", who, menuOf(li), want)
		}
	}
	if err := s.world.Messages.Decide(context.Background(), s.world.ByPhone("13800000002"), s.c32.ID, held.ID, false, "请勿拉票"); err != nil {
		t.Fatal(err)
	}
	f := author.next()
	if f.name != "deleted" || !strings.Contains(f.data, `id="`+id+`"`) || !strings.Contains(f.data, `data-drop="1"`) {
		t.Fatalf("rejection on the author's page: %s %s", f.name, f.data)
	}
}

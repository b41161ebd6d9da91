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
		if name, data = readEvent(t, sc); name != "deleted" || !strings.Contains(data, `hx-swap-oob="outerHTML"`) {
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

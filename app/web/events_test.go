package web_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/event"
	"jiaxiao/app/web"
)

// frame is one SSE event as a browser's EventSource sees it.
type frame struct {
	id         uint64
	name, data string
}

// stream is an open /events response read in the background.
type stream struct {
	t      *testing.T
	frames chan frame
	cancel context.CancelFunc
}

// openStream opens path (an /events URL) as c, with extra header pairs.
func openStream(t *testing.T, c *apptest.Client, path string, header ...string) *stream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		resp.Body.Close()
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	s := &stream{t: t, frames: make(chan frame, 1024), cancel: cancel}
	t.Cleanup(cancel)
	go func() {
		defer close(s.frames)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var f frame
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				f.id, _ = strconv.ParseUint(strings.TrimPrefix(line, "id: "), 10, 64)
			case strings.HasPrefix(line, "event: "):
				f.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			case line == "" && f.name != "":
				f.data = strings.Join(data, "\n")
				s.frames <- f
				f, data = frame{}, nil
			}
		}
	}()
	return s
}

// next returns the next frame that is not a badge, failing after 10 s.
func (s *stream) next() frame {
	s.t.Helper()
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				s.t.Fatal("stream ended")
			}
			if f.name == event.Badge {
				continue
			}
			return f
		case <-time.After(10 * time.Second):
			s.t.Fatal("no event within 10 s")
		}
	}
}

// ended waits for the server to end the stream.
func (s *stream) ended(within time.Duration) error {
	deadline := time.After(within)
	for {
		select {
		case _, ok := <-s.frames:
			if !ok {
				return nil
			}
		case <-deadline:
			return errors.New("stream still open")
		}
	}
}

func waitSubscribers(t *testing.T, h *event.Hub, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.Subscribers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers, want %d", h.Subscribers(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestEventsReconnect: a page that reconnects with the id of the last
// event it saw (the header of a reconnecting EventSource, or the
// parameter app.js adds when htmx makes a new one) is sent what it missed,
// in order and once; a page that missed too much is told to reload.
func TestEventsReconnect(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		c := s.clients["parent-member"]
		path := fmt.Sprintf("/events?group=%d", s.c32.ID)
		first := openStream(t, c, path)
		waitSubscribers(t, s.hub, 1)
		m1 := s.postAs(t, "13800000002", "第一条")
		f := first.next()
		if f.name != event.Message || f.id == 0 || !strings.Contains(f.data, fmt.Sprintf("msg-%d", m1.ID)) {
			t.Fatalf("first message: %+v", f)
		}
		seen := f.id
		first.cancel()
		waitSubscribers(t, s.hub, 0)

		m2 := s.postAs(t, "13800000002", "第二条")
		m3 := s.postAs(t, "13800000002", "第三条")
		id := func(n uint64) string { return strconv.FormatUint(n, 10) }
		for _, how := range []func() (string, []string){
			func() (string, []string) { return path, []string{"Last-Event-ID", id(seen)} },
			func() (string, []string) { return path + "&last_event_id=" + id(seen), nil },
			// The header, kept by the EventSource, is newer than the URL.
			func() (string, []string) {
				return path + "&last_event_id=" + id(1<<40), []string{"Last-Event-ID", id(seen)}
			},
		} {
			p, header := how()
			again := openStream(t, c, p, header...)
			var got []string
			var last uint64
			for len(got) < 2 {
				f := again.next()
				if f.id <= seen {
					continue // a late commit may be sent twice, never lost
				}
				if f.id <= last {
					t.Fatalf("ids out of order: %d after %d", f.id, last)
				}
				last = f.id
				got = append(got, f.data)
			}
			if !strings.Contains(got[0], fmt.Sprintf("msg-%d", m2.ID)) || !strings.Contains(got[1], fmt.Sprintf("msg-%d", m3.ID)) {
				t.Fatalf("%s %v: replay %q", p, header, got)
			}
			// Then it goes on live, without repeating the replay.
			m4 := s.postAs(t, "13800000002", "第四条")
			f := again.next()
			if !strings.Contains(f.data, fmt.Sprintf("msg-%d", m4.ID)) {
				t.Fatalf("live after replay: %+v", f)
			}
			again.cancel()
			waitSubscribers(t, s.hub, 0)
			seen = f.id
			m2, m3 = s.postAs(t, "13800000002", "第五条"), s.postAs(t, "13800000002", "第六条")
		}

		// More missed than a page is sent: it reloads.
		rows := make([]event.Event, 501)
		for i := range rows {
			rows[i] = event.Event{GroupID: s.c32.ID, Kind: event.Message, RefID: m3.ID, CreatedAt: time.Now().UTC()}
		}
		if err := g.CreateInBatches(rows, 200).Error; err != nil {
			t.Fatal(err)
		}
		late := openStream(t, c, path, "Last-Event-ID", strconv.FormatUint(seen, 10))
		if f := late.next(); f.name != "reload" {
			t.Fatalf("want reload, got %+v", f)
		}
		if err := late.ended(5 * time.Second); err != nil {
			t.Fatal(err)
		}
	})
}

// TestEventsEndOnClose: closing the hub (shutdown) ends every open stream
// at once, and a stream opened after it ends at once too.
func TestEventsEndOnClose(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	var streams []*stream
	for _, actor := range []string{"parent-member", "owner", "admin"} {
		streams = append(streams, openStream(t, s.clients[actor], fmt.Sprintf("/events?group=%d", s.c32.ID)))
		streams = append(streams, openStream(t, s.clients[actor], "/events"))
	}
	waitSubscribers(t, s.hub, len(streams))
	s.hub.Close()
	for i, st := range streams {
		if err := st.ended(2 * time.Second); err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
	}
	if err := openStream(t, s.clients["owner"], "/events").ended(2 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestEventsPokeAfterChange: a POST wakes the hub, so the message reaches
// the stream at once although the hub polls once an hour.
func TestEventsPokeAfterChange(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	w, g := s.world, s.world.DB
	slow := event.NewHub(event.HubOptions{DB: g, Poll: time.Hour, Log: apptest.Logger()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go slow.Run(ctx)
	<-slow.Ready()
	o := web.OptionsFor(w.Services, slow)
	o.Metrics = prometheus.NewRegistry()
	srv := httptest.NewServer(web.New(o))
	defer srv.Close()
	defer slow.Close() // first: it ends the stream Close would wait for
	owner, parent := apptest.NewClient(t, srv.URL), apptest.NewClient(t, srv.URL)
	owner.Login("13800000002", "secret-123")
	parent.Login("13900000001", "secret-123")
	owner.Get(fmt.Sprintf("/groups/%d", s.c32.ID))
	st := openStream(t, parent, fmt.Sprintf("/events?group=%d", s.c32.ID))
	waitSubscribers(t, slow, 1)
	w.Clock.Advance(time.Hour)
	if r := owner.Post(fmt.Sprintf("/groups/%d/messages", s.c32.ID), url.Values{"body": {"明天春游"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: %d", r.StatusCode)
	}
	if f := st.next(); !strings.Contains(f.data, "明天春游") {
		t.Fatalf("got %+v", f)
	}
}

func TestWriteEvent(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	web.WriteEvent(&b, 42, "message", "a\r\nb\rc\nd\n\nid: 7")
	want := "id: 42\nevent: message\ndata: a\ndata: b\ndata: c\ndata: d\ndata: \ndata: id: 7\n\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}

func TestCoalesce(t *testing.T) {
	t.Parallel()
	in := []event.Event{{ID: 1, Kind: event.Badge}, {ID: 2, Kind: event.Message}, {ID: 3, Kind: event.Badge}, {ID: 4, Kind: event.Badge}, {ID: 5, Kind: event.Deleted}}
	var ids []uint64
	for _, e := range web.Coalesce(in) {
		ids = append(ids, e.ID)
	}
	if fmt.Sprint(ids) != "[2 4 5]" {
		t.Fatalf("got %v", ids)
	}
}

// TestSharedRenderOnce: thousands of streams asking for the same message
// at once render it once.
func TestSharedRenderOnce(t *testing.T) {
	t.Parallel()
	var c web.SharedItems
	var renders atomic.Int32
	release := make(chan struct{})
	render := func() (string, error) {
		renders.Add(1)
		<-release
		return "<li>", nil
	}
	ctx := context.Background()
	now := time.Now()
	var wg sync.WaitGroup
	results := make([]string, 3000)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = web.Get(&c, ctx, 1, now, render)
		}()
	}
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Fatalf("rendered %d times", n)
	}
	for i, r := range results {
		if r != "<li>" {
			t.Fatalf("result %d: %q", i, r)
		}
	}
	// A failure is not remembered: the next caller renders again.
	boom := func() (string, error) { return "", errors.New("boom") }
	if _, err := web.Get(&c, ctx, 2, now, boom); err == nil {
		t.Fatal("want the error")
	}
	if html, err := web.Get(&c, ctx, 2, now, func() (string, error) { return "<p>", nil }); err != nil || html != "<p>" {
		t.Fatalf("after a failure: %q %v", html, err)
	}
}

// TestStreamsEndOnLogout: logging out ends that session's open streams
// at once, on this instance and on another; the same user's other
// sessions keep theirs.
func TestStreamsEndOnLogout(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		a, b := newApp(t, g), newApp(t, g)
		a.user(t, auth.RoleParent, "张伟", "13900139000")
		phone := apptest.NewClient(t, a.URL)
		phone.Login("13900139000", "secret-123")
		laptop := apptest.NewClient(t, a.URL)
		laptop.Login("13900139000", "secret-123")
		onA := openStream(t, phone, "/events")
		// The same phone's session, with a page open on the other instance.
		onB := openStream(t, apptest.NewClient(t, b.URL), "/events", "Cookie", "jx_session="+phone.Cookie("jx_session"))
		other := openStream(t, laptop, "/events")
		waitSubscribers(t, a.hub, 2)
		waitSubscribers(t, b.hub, 1)
		if r := phone.Post("/logout", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", r.StatusCode)
		}
		for name, s := range map[string]*stream{"this instance": onA, "the other instance": onB} {
			if err := s.ended(3 * time.Second); err != nil {
				t.Fatalf("stream on %s after logout: %v", name, err)
			}
		}
		if err := other.ended(300 * time.Millisecond); err == nil {
			t.Fatal("the other session's stream ended too")
		}
	})
}

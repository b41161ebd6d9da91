package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"jiaxiao/app/event"
	"jiaxiao/app/group"
	"jiaxiao/app/message"
	groupviews "jiaxiao/views/group"
	"jiaxiao/views/layout"
)

const (
	// replayLimit is how many missed events a reconnecting page is sent;
	// a page that missed more is told to reload.
	replayLimit = 500
	// drainLimit is how many queued events one write handles, so badge
	// changes queued together cost one count query.
	drainLimit = 64
	// reloadEvent makes a page reload (static/js/app.js): it missed too much.
	reloadEvent = "reload"
)

// pokeAfterChange wakes the event hub once a request that may have
// changed something has been handled: its transaction has committed by
// then, so the events it published can be read at once rather than at the
// next poll.
func (s *Server) pokeAfterChange(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if s.hub != nil {
				s.hub.Poke()
			}
		}
		return err
	}
}

// sharedItems renders a visible or deleted message once for every page
// that receives it live, however many ask at the same moment; the entries
// expire after a minute. V is what is kept: the HTML, and for messages
// the view the viewers' own versions are rendered from (liveMessage).
type sharedItems[V any] struct {
	mu    sync.Mutex
	m     map[uint64]*sharedItem[V] // key → rendering
	swept time.Time
}

type sharedItem[V any] struct {
	done chan struct{} // closed when val and err are set
	val  V
	err  error
	at   time.Time
}

// get returns the rendering of key, calling render only if no other
// caller has or is doing so; the others wait for it.
func (c *sharedItems[V]) get(ctx context.Context, key uint64, now time.Time, render func() (V, error)) (V, error) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[uint64]*sharedItem[V]{}
	}
	if it, ok := c.m[key]; ok {
		c.mu.Unlock()
		select {
		case <-it.done:
			return it.val, it.err
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
	it := &sharedItem[V]{done: make(chan struct{}), at: now}
	c.m[key] = it
	if now.Sub(c.swept) > 10*time.Second {
		c.swept = now
		for id, old := range c.m {
			if now.Sub(old.at) > time.Minute {
				delete(c.m, id)
			}
		}
	}
	c.mu.Unlock()
	it.val, it.err = render()
	if it.err != nil {
		// Let the next caller try again rather than remember a failure.
		c.mu.Lock()
		if c.m[key] == it {
			delete(c.m, key)
		}
		c.mu.Unlock()
	}
	close(it.done)
	return it.val, it.err
}

// liveMessage is a message event rendered for every member, with the view
// its author's and the moderators' versions are rendered from.
type liveMessage struct {
	view message.View
	html string
}

// Versions of a live message, each rendered once: as every member sees
// it, with 删除 for moderators, with 撤回 for its author (on the right).
const (
	forMembers uint64 = iota
	forModerators
	forAuthor
	forModeratingAuthor
	versions
)

// liveItem is a visible or deleted message for viewer v: the members'
// version, or the author's or moderators' own, each rendered once.
func (s *Server) liveItem(ctx context.Context, v viewer, e event.Event) (string, error) {
	// One stream renders for all; it must not fail them all by going away.
	shared := context.WithoutCancel(ctx)
	base, err := s.shared.get(ctx, e.ID*versions+forMembers, s.now(), func() (liveMessage, error) {
		m, err := s.messages.Shared(shared, e.GroupID, e.RefID)
		if err != nil {
			return liveMessage{}, err
		}
		if e.Kind == event.Deleted {
			m.Status = message.Deleted
		}
		it := s.chatItem(e.GroupID, m, viewer{}, 0, "")
		if m.Status == message.Deleted {
			html, err := renderString(shared, groupviews.ReplaceItem(it))
			return liveMessage{view: m, html: html}, err
		}
		html, err := renderString(shared, groupviews.MessageItem(it))
		return liveMessage{view: m, html: html}, err
	})
	if err != nil {
		return "", err
	}
	m := base.view
	version := forMembers
	if v.moderator {
		version = forModerators
	}
	if m.AuthorID == v.id {
		version += forAuthor
	}
	deleted := m.Status == message.Deleted
	if deleted && m.AuthorID == v.id {
		version = forAuthor // 你撤回了一条消息; no menu either way
	}
	if version == forMembers || (deleted && version != forAuthor) {
		return base.html, nil
	}
	own, err := s.shared.get(ctx, e.ID*versions+version, s.now(), func() (liveMessage, error) {
		it := s.chatItem(e.GroupID, m, v, s.messages.RecallLeft(m.Message, v.id), "")
		if deleted {
			html, err := renderString(shared, groupviews.ReplaceItem(it))
			return liveMessage{html: html}, err
		}
		html, err := renderString(shared, groupviews.MessageItem(it))
		return liveMessage{html: html}, err
	})
	return own.html, err
}

func renderString(ctx context.Context, cmps ...templ.Component) (string, error) {
	var b bytes.Buffer
	for _, c := range cmps {
		if err := c.Render(ctx, &b); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// lastEventID is the id of the last event the page saw: the Last-Event-ID
// header an EventSource sends when it reconnects by itself, or the
// last_event_id parameter static/js/app.js adds when htmx's SSE extension
// makes a new EventSource after an error (which sends no header).
func lastEventID(c echo.Context) uint64 {
	v := c.Request().Header.Get("Last-Event-ID")
	if v == "" {
		v = c.QueryParam("last_event_id")
	}
	return optionalID(v)
}

// events is the user's live stream (Server-Sent Events): their badge, and
// with ?group= the messages of a group they may see. A reconnecting page
// is first sent what it missed, or told to reload if that is too much. A
// page whose user is removed from the group is told so and the stream
// ends; so does a stream whose session ended (logout on any device of
// that session, a departure), and every stream when the hub closes.
func (s *Server) events(c echo.Context) error {
	u := userOf(c)
	ctx := c.Request().Context()
	var groupID uint64
	me := viewer{id: u.ID}
	if g := c.QueryParam("group"); g != "" {
		id, ok := parseID(g)
		if !ok {
			return echo.ErrNotFound
		}
		a, err := s.groups.Access(ctx, u, id)
		if err != nil {
			return err
		}
		groupID, me.moderator = id, a.CanModerate()
	}
	// Subscribe before looking back, so that nothing falls between the
	// two; what both find is sent once.
	sub := s.hub.Subscribe(u.ID, groupID)
	defer s.hub.Unsubscribe(sub)
	var missed []event.Event
	complete := true
	if last := lastEventID(c); last > 0 {
		if f := s.hub.Floor(); f > 0 && f <= last {
			last = f - 1 // it may have missed events that committed late
		}
		var err error
		if missed, complete, err = s.hub.Missed(ctx, last, u.ID, groupID, replayLimit); err != nil {
			return err
		}
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": connected\n\n")
	if !complete {
		writeEvent(w, 0, reloadEvent, reloadEvent)
		w.Flush()
		return nil
	}
	sent := make(map[uint64]struct{}, len(missed))
	for _, e := range missed {
		sent[e.ID] = struct{}{}
	}
	if s.send(ctx, w, me, missed) {
		return nil
	}
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
			w.Flush()
		case e, ok := <-sub.C:
			if !ok {
				return nil // cut off or shut down: the page reconnects and catches up
			}
			batch, open := drain(sub.C, e)
			if len(sent) > 0 {
				batch = unsent(batch, sent)
			}
			if accountChanged(batch) && !s.signedIn(ctx, c) {
				return nil // logged out or account closed: nothing more reaches this page
			}
			if s.send(ctx, w, me, batch) || !open {
				return nil
			}
		}
	}
}

// accountChanged reports whether the batch tells of a change to the
// user's account or sessions (a logout anywhere, a departure).
func accountChanged(batch []event.Event) bool {
	for _, e := range batch {
		if e.Kind == event.Account {
			return true
		}
	}
	return false
}

// signedIn checks the stream's session again. The hub's listeners have
// already dropped the cached session, so this reads the database.
func (s *Server) signedIn(ctx context.Context, c echo.Context) bool {
	token, _ := c.Get(ctxToken).(string)
	_, err := s.auth.Authenticate(ctx, token)
	return err == nil
}

// drain returns first and the events queued behind it, up to drainLimit,
// and whether the channel is still open.
func drain(c <-chan event.Event, first event.Event) ([]event.Event, bool) {
	batch := []event.Event{first}
	for len(batch) < drainLimit {
		select {
		case e, ok := <-c:
			if !ok {
				return batch, false
			}
			batch = append(batch, e)
		default:
			return batch, true
		}
	}
	return batch, true
}

// unsent drops the events the replay already sent, forgetting them: an
// id comes at most once from the hub.
func unsent(batch []event.Event, sent map[uint64]struct{}) []event.Event {
	out := batch[:0]
	for _, e := range batch {
		if _, ok := sent[e.ID]; ok {
			delete(sent, e.ID)
			continue
		}
		out = append(out, e)
	}
	return out
}

// send writes a batch of events for viewer v and flushes. It reports
// whether the stream is over (the user was removed from the group).
func (s *Server) send(ctx context.Context, w *echo.Response, v viewer, batch []event.Event) bool {
	defer w.Flush()
	for _, e := range coalesce(batch) {
		name, html, err := s.renderEvent(ctx, v, e)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("events: render", "kind", e.Kind, "ref", e.RefID, "err", err)
			}
			continue
		}
		if name == "" {
			continue
		}
		writeEvent(w, e.ID, name, html)
		if e.Kind == event.Removed {
			return true
		}
	}
	return false
}

// coalesce drops every badge change but the last of a batch: the badge
// shows the count when it is rendered, so one count query does for all.
func coalesce(batch []event.Event) []event.Event {
	last := -1
	for i, e := range batch {
		if e.Kind == event.Badge {
			last = i
		}
	}
	out := batch[:0]
	for i, e := range batch {
		if e.Kind != event.Badge || i == last {
			out = append(out, e)
		}
	}
	return out
}

// writeEvent writes one SSE event. Every line break the data may hold
// (\r\n, \r or \n, all of which end an SSE line) starts a new data line,
// so no data can end the frame early or forge a field.
func writeEvent(w io.Writer, id uint64, name, data string) {
	var b strings.Builder
	if id > 0 {
		fmt.Fprintf(&b, "id: %d\n", id)
	}
	fmt.Fprintf(&b, "event: %s\n", name)
	data = strings.ReplaceAll(data, "\r\n", "\n")
	data = strings.ReplaceAll(data, "\r", "\n")
	for _, line := range strings.Split(data, "\n") {
		b.WriteString("data: ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	_, _ = io.WriteString(w, b.String())
}

// renderEvent turns an event into the SSE event name and the HTML htmx
// swaps, for viewer v (their own messages and moderators' menus differ).
func (s *Server) renderEvent(ctx context.Context, v viewer, e event.Event) (string, string, error) {
	switch e.Kind {
	case event.Message, event.Deleted:
		if e.Kind == event.Deleted && e.UserID != 0 {
			// A held message rejected, told to its author alone: it leaves
			// their feed, as it is gone from it on the next visit.
			html, err := renderString(ctx, groupviews.DropItem("msg-"+strconv.FormatUint(e.RefID, 10)))
			return e.Kind, html, err
		}
		html, err := s.liveItem(ctx, v, e)
		return e.Kind, html, err
	case event.Held:
		u, err := s.auth.User(ctx, v.id)
		if err != nil {
			return "", "", err
		}
		a, m, err := s.messages.Get(ctx, &u, e.GroupID, e.RefID)
		if err != nil {
			return "", "", err
		}
		it := s.chatItem(e.GroupID, m, viewer{id: v.id, moderator: a.CanModerate()}, m.RecallLeft, "")
		if m.Status == message.Deleted || m.Status == message.Rejected {
			html, err := renderString(ctx, groupviews.ReplaceItem(it))
			return event.Deleted, html, err
		}
		html, err := renderString(ctx, groupviews.MessageItem(it))
		return event.Held, html, err
	case group.EventCounts:
		return s.countsEvent(ctx, v.id, e.RefID)
	case event.Removed:
		html, err := renderString(ctx, groupviews.Removed())
		return event.Removed, html, err
	case event.Badge:
		// A notice to the whole school changes thousands of badges at
		// once; a few counts at a time leave the database's connections
		// to the requests of the people using the app meanwhile.
		select {
		case s.badgeReads <- struct{}{}:
		case <-ctx.Done():
			return "", "", ctx.Err()
		}
		n, err := s.centre.Unread(ctx, v.id)
		<-s.badgeReads
		if err != nil {
			return "", "", err
		}
		html, err := renderString(ctx, layout.Badge(n))
		return event.Badge, html, err
	}
	return "", "", nil
}

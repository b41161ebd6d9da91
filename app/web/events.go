package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
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
// expire after a minute.
type sharedItems struct {
	mu    sync.Mutex
	m     map[uint64]*sharedItem // event id → rendering
	swept time.Time
}

type sharedItem struct {
	done chan struct{} // closed when html and err are set
	html string
	err  error
	at   time.Time
}

// get returns the rendering of eventID, calling render only if no other
// caller has or is doing so; the others wait for it.
func (c *sharedItems) get(ctx context.Context, eventID uint64, now time.Time, render func() (string, error)) (string, error) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[uint64]*sharedItem{}
	}
	if it, ok := c.m[eventID]; ok {
		c.mu.Unlock()
		select {
		case <-it.done:
			return it.html, it.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	it := &sharedItem{done: make(chan struct{}), at: now}
	c.m[eventID] = it
	if now.Sub(c.swept) > 10*time.Second {
		c.swept = now
		for id, old := range c.m {
			if now.Sub(old.at) > time.Minute {
				delete(c.m, id)
			}
		}
	}
	c.mu.Unlock()
	it.html, it.err = render()
	if it.err != nil {
		// Let the next caller try again rather than remember a failure.
		c.mu.Lock()
		if c.m[eventID] == it {
			delete(c.m, eventID)
		}
		c.mu.Unlock()
	}
	close(it.done)
	return it.html, it.err
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
	if g := c.QueryParam("group"); g != "" {
		id, ok := parseID(g)
		if !ok {
			return echo.ErrNotFound
		}
		if _, err := s.groups.Access(ctx, u, id); err != nil {
			return err
		}
		groupID = id
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
	if s.send(ctx, w, u.ID, missed) {
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
			if s.send(ctx, w, u.ID, batch) || !open {
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

// send writes a batch of events and flushes. It reports whether the
// stream is over (the user was removed from the group).
func (s *Server) send(ctx context.Context, w *echo.Response, userID uint64, batch []event.Event) bool {
	defer w.Flush()
	for _, e := range coalesce(batch) {
		name, html, err := s.renderEvent(ctx, userID, e)
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

// renderEvent turns an event into the SSE event name and the HTML htmx swaps.
func (s *Server) renderEvent(ctx context.Context, userID uint64, e event.Event) (string, string, error) {
	switch e.Kind {
	case event.Message, event.Deleted:
		// One stream renders for all; it must not fail them all by going away.
		shared := context.WithoutCancel(ctx)
		html, err := s.shared.get(ctx, e.ID, s.now(), func() (string, error) {
			m, err := s.messages.Shared(shared, e.GroupID, e.RefID)
			if err != nil {
				return "", err
			}
			it := s.item(e.GroupID, m)
			if e.Kind == event.Deleted || m.Status == message.Deleted {
				it.Status = "deleted"
				return renderString(shared, groupviews.ReplaceItem(it))
			}
			return renderString(shared, groupviews.DropItem(it.DOMID), groupviews.MessageItem(it))
		})
		return e.Kind, html, err
	case event.Held:
		u, err := s.auth.User(ctx, userID)
		if err != nil {
			return "", "", err
		}
		_, m, err := s.messages.Get(ctx, &u, e.GroupID, e.RefID)
		if err != nil {
			return "", "", err
		}
		it := s.item(e.GroupID, m)
		if m.Status == message.Deleted || m.Status == message.Rejected {
			it.Status = "deleted"
			html, err := renderString(ctx, groupviews.ReplaceItem(it))
			return event.Deleted, html, err
		}
		html, err := renderString(ctx, groupviews.DropItem(it.DOMID), groupviews.MessageItem(it))
		return event.Held, html, err
	case group.EventCounts:
		return s.countsEvent(ctx, userID, e.RefID)
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
		n, err := s.centre.Unread(ctx, userID)
		<-s.badgeReads
		if err != nil {
			return "", "", err
		}
		html, err := renderString(ctx, layout.Badge(n))
		return event.Badge, html, err
	}
	return "", "", nil
}

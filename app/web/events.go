package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"jiaxiao/app/event"
	"jiaxiao/app/message"
	groupviews "jiaxiao/views/group"
	"jiaxiao/views/layout"
)

// sharedItems renders a visible or deleted message once for every page
// that receives it live; the entries expire after a minute.
type sharedItems struct {
	mu sync.Mutex
	m  map[uint64]sharedItem // event id → rendered HTML
}

type sharedItem struct {
	html string
	at   time.Time
}

func (c *sharedItems) get(eventID uint64, now time.Time, render func() (string, error)) (string, error) {
	c.mu.Lock()
	if it, ok := c.m[eventID]; ok {
		c.mu.Unlock()
		return it.html, nil
	}
	c.mu.Unlock()
	html, err := render()
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[uint64]sharedItem{}
	}
	c.m[eventID] = sharedItem{html: html, at: now}
	for id, it := range c.m {
		if now.Sub(it.at) > time.Minute {
			delete(c.m, id)
		}
	}
	return html, nil
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

// events is the user's live stream (Server-Sent Events): their badge, and
// with ?group= the messages of a group they may see. A page whose user is
// removed from the group is told so and the stream ends.
func (s *Server) events(c echo.Context) error {
	u := userOf(c)
	ctx := c.Request().Context()
	var groupID uint64
	if g := c.QueryParam("group"); g != "" {
		id, err := strconv.ParseUint(g, 10, 64)
		if err != nil {
			return echo.ErrNotFound
		}
		if _, err := s.groups.Access(ctx, u, id); err != nil {
			return err
		}
		groupID = id
	}
	sub := s.hub.Subscribe(u.ID, groupID)
	defer s.hub.Unsubscribe(sub)
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": connected\n\n")
	w.Flush()
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
				return nil // too slow: the page reconnects and catches up
			}
			name, html, err := s.renderEvent(ctx, u.ID, e)
			if err != nil {
				s.log.Warn("events: render", "kind", e.Kind, "ref", e.RefID, "err", err)
				continue
			}
			if name == "" {
				continue
			}
			writeEvent(w, name, html)
			w.Flush()
			if e.Kind == event.Removed {
				return nil
			}
		}
	}
}

func writeEvent(w *echo.Response, name, data string) {
	fmt.Fprintf(w, "event: %s\n", name)
	for _, line := range strings.Split(data, "\n") {
		fmt.Fprintf(w, "data: %s\n", line)
	}
	fmt.Fprint(w, "\n")
}

// renderEvent turns an event into the SSE event name and the HTML htmx swaps.
func (s *Server) renderEvent(ctx context.Context, userID uint64, e event.Event) (string, string, error) {
	switch e.Kind {
	case event.Message, event.Deleted:
		html, err := s.shared.get(e.ID, s.now(), func() (string, error) {
			m, err := s.messages.Shared(ctx, e.GroupID, e.RefID)
			if err != nil {
				return "", err
			}
			it := s.item(e.GroupID, m)
			if e.Kind == event.Deleted || m.Status == message.Deleted {
				it.Status = "deleted"
				return renderString(ctx, groupviews.ReplaceItem(it))
			}
			return renderString(ctx, groupviews.DropItem(it.DOMID), groupviews.MessageItem(it))
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
	case event.Removed:
		html, err := renderString(ctx, groupviews.Removed())
		return event.Removed, html, err
	case event.Badge:
		n, err := s.centre.Unread(ctx, userID)
		if err != nil {
			return "", "", err
		}
		html, err := renderString(ctx, layout.Badge(n))
		return event.Badge, html, err
	}
	return "", "", nil
}

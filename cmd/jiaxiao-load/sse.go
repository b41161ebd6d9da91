package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// streams are open /events connections that watch for the marked messages
// of one phase: a message's body carries "jxload<tag>n<k>e", and each
// stream records when the data of message k first reached it.
type streams struct {
	base     time.Time
	marker   []byte
	msgs     int
	tr       *http.Transport
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	recv     [][]time.Duration // [stream][message]: since base, 0 = not yet
	got      atomic.Int64
	ended    atomic.Int64 // streams the server closed
	opened   int
	failed   int
	firstErr string
	openTime time.Duration
}

func markerFor(tag string, k int) string { return fmt.Sprintf("jxload%sn%de", tag, k) }

// openStreams opens n streams on path, user i%len(users) for stream i, at
// most 64 at a time, and returns once every stream has answered or failed
// (or timeout passed).
func openStreams(ctx context.Context, base, path string, users []*vuser, n, msgs int, tag string, timeout time.Duration) *streams {
	sctx, cancel := context.WithCancel(ctx)
	s := &streams{base: time.Now(), marker: []byte("jxload" + tag + "n"), msgs: msgs, cancel: cancel, recv: make([][]time.Duration, n)}
	s.tr = &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		DisableCompression:    true,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
	}
	hc := &http.Client{Transport: s.tr}
	var mu sync.Mutex
	var opening sync.WaitGroup
	sem := make(chan struct{}, 64)
	deadline := time.Now().Add(timeout)
	start := time.Now()
	for i := 0; i < n; i++ {
		if time.Now().After(deadline) || ctx.Err() != nil {
			mu.Lock()
			s.failed += n - i
			if s.firstErr == "" {
				s.firstErr = "timeout opening streams"
			}
			mu.Unlock()
			break
		}
		sem <- struct{}{}
		opening.Add(1)
		u := users[i%len(users)]
		s.recv[i] = make([]time.Duration, msgs)
		go func(i int) {
			defer opening.Done()
			defer func() { <-sem }()
			req, err := http.NewRequestWithContext(sctx, http.MethodGet, base+path, nil)
			if err == nil {
				req.Header.Set("Cookie", u.cookie())
				req.Header.Set("Accept", "text/event-stream")
			}
			var resp *http.Response
			if err == nil {
				resp, err = hc.Do(req)
			}
			if err == nil && resp.StatusCode != 200 {
				resp.Body.Close()
				err = fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
			}
			mu.Lock()
			if err != nil {
				s.failed++
				if s.firstErr == "" {
					s.firstErr = err.Error()
				}
				mu.Unlock()
				return
			}
			s.opened++
			mu.Unlock()
			s.wg.Add(1)
			go s.read(sctx, i, resp)
		}(i)
	}
	opening.Wait()
	s.openTime = time.Since(start)
	return s
}

func (s *streams) read(ctx context.Context, i int, resp *http.Response) {
	defer s.wg.Done()
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 8<<10), 8<<20)
	rec := s.recv[i]
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte("data:")) {
			continue
		}
		at := bytes.Index(line, s.marker)
		if at < 0 {
			continue
		}
		k := 0
		digits := 0
		for _, c := range line[at+len(s.marker):] {
			if c < '0' || c > '9' {
				break
			}
			k = k*10 + int(c-'0')
			digits++
		}
		if digits > 0 && k < len(rec) && rec[k] == 0 {
			rec[k] = time.Since(s.base)
			s.got.Add(1)
		}
	}
	if ctx.Err() == nil {
		s.ended.Add(1)
	}
}

// waitAll waits until every open stream has every message, or timeout.
func (s *streams) waitAll(ctx context.Context, timeout time.Duration) bool {
	want := int64(s.opened * s.msgs)
	deadline := time.Now().Add(timeout)
	for s.got.Load() < want {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// waitEnded waits until the server has closed every open stream, or timeout.
func (s *streams) waitEnded(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for s.ended.Load() < int64(s.opened) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// close ends every stream and waits for the readers.
func (s *streams) close() {
	s.cancel()
	s.wg.Wait()
	s.tr.CloseIdleConnections()
}

// deliveries returns, after close, the delivery latencies measured from
// each message's POST start (sent[k], since the streams' base) and how many
// deliveries are missing.
func (s *streams) deliveries(sent []time.Duration) (samples, int) {
	var lat samples
	missing := 0
	for _, rec := range s.recv {
		if rec == nil {
			continue
		}
		for k := 0; k < len(sent) && k < len(rec); k++ {
			if sent[k] < 0 {
				continue // the POST failed: nothing to deliver
			}
			if rec[k] == 0 {
				missing++
				continue
			}
			lat = append(lat, rec[k]-sent[k])
		}
	}
	return lat.sorted(), missing
}

// posted is what posting marked messages measured.
type posted struct {
	sent     []time.Duration // POST start since the streams' base; -1: failed
	lat      samples
	errs     int
	firstErr string
}

// postMarked posts count messages carrying markers into a group, one every
// pause, each by the next poster, and records when each POST started.
func postMarked(ctx context.Context, hc *http.Client, base string, groupID uint64, posters func() *vuser, s *streams, tag string, count int, pause time.Duration) posted {
	var p posted
	texts := []string{"各位家长早上好，今天天气转凉，请给孩子添衣。", "提醒：本周五下午放学时间提前到三点半。", "运动会报名表请于周三前交给班主任。",
		"图书馆本周开放借阅，欢迎同学们前往。", "请家长督促孩子按时完成课外阅读。"}
	path := fmt.Sprintf("/groups/%d/messages", groupID)
	for k := 0; k < count; k++ {
		if ctx.Err() != nil {
			break
		}
		u := posters()
		if err := ensureCSRF(ctx, hc, base, u); err != nil {
			p.sent = append(p.sent, -1)
			p.errs++
			if p.firstErr == "" {
				p.firstErr = err.Error()
			}
			continue
		}
		body := fmt.Sprintf("%s %s", texts[k%len(texts)], markerFor(tag, k))
		t0 := time.Now()
		st, _, err := post(ctx, hc, base, path, u, url.Values{"body": {body}})
		d := time.Since(t0)
		if err == nil && st != http.StatusSeeOther {
			err = fmt.Errorf("POST %s: status %d", path, st)
		}
		if err != nil {
			p.sent = append(p.sent, -1)
			p.errs++
			if p.firstErr == "" {
				p.firstErr = err.Error()
			}
		} else {
			p.sent = append(p.sent, t0.Sub(s.base))
			p.lat = append(p.lat, d)
		}
		if k < count-1 {
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
		}
	}
	p.lat = p.lat.sorted()
	return p
}

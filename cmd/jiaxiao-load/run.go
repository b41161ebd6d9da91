package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// runner plays the phases and fills the table.
type runner struct {
	o       options
	log     *slog.Logger
	quiet   *slog.Logger
	table   table
	tmp     string
	bin     string
	hc      *http.Client
	poster  int
	started []*server
	// loadStart is /proc/loadavg when the run began: other work on the
	// machine shows in every figure.
	loadStart string
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func (r *runner) header() string {
	commit := r.o.label
	if commit == "" {
		commit = "unknown commit"
		if out, err := exec.Command("git", "describe", "--always", "--dirty", "--abbrev=7").Output(); err == nil {
			commit = strings.TrimSpace(string(out))
		}
	}
	if r.o.bin != "" {
		commit += " (server binary " + r.o.bin + ")"
	}
	mode := "full"
	if r.o.quick {
		mode = "quick"
	}
	return fmt.Sprintf("jiaxiao-load, %s run on %s: %d CPUs, %s, %d students, %d connections, %s per page, %d streams, %d messages; load average %s at the start, %s at the end",
		mode, commit, runtime.NumCPU(), runtime.Version(), r.o.students, r.o.conns, r.o.pageDur, r.o.streams, r.o.messages, r.loadStart, loadAvg())
}

func (r *runner) fail(scenario, db string, err error) {
	r.log.Error("phase failed", "scenario", scenario, "db", db, "err", err)
	r.table.add(row{scenario: scenario, db: db, errs: "FAIL", note: oneLine(err.Error())})
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

func (r *runner) run(ctx context.Context) error {
	if n, err := raiseNoFile(); err != nil {
		r.log.Warn("could not raise the open-file limit", "err", err)
	} else {
		r.log.Info("open-file limit", "nofile", n)
	}
	tmp, err := os.MkdirTemp("", "jiaxiao-load-")
	if err != nil {
		return err
	}
	r.tmp = tmp
	defer func() {
		for _, s := range r.started {
			select {
			case <-s.done:
			default:
				s.kill()
			}
		}
		if r.o.keep {
			r.log.Info("kept", "dir", tmp)
			return
		}
		os.RemoveAll(tmp)
	}()
	r.bin = r.o.bin
	if r.bin == "" {
		r.log.Info("building jiaxiao")
		if r.bin, err = buildBinary(ctx, tmp); err != nil {
			return err
		}
	}
	r.hc = newHTTP(r.o.conns)
	if r.o.mysql {
		if err := r.mysqlPhases(ctx); err != nil {
			return err
		}
	}
	if r.o.sqlite && ctx.Err() == nil {
		if err := r.sqlitePhases(ctx); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (r *runner) start(ctx context.Context, name string, env map[string]string) (*server, error) {
	s, err := startServer(ctx, name, r.bin, r.tmp, env)
	if err != nil {
		return nil, err
	}
	r.started = append(r.started, s)
	r.log.Info("server started", "name", name, "url", s.base, "pid", s.cmd.Process.Pid)
	return s, nil
}

func (r *runner) mysqlPhases(ctx context.Context) error {
	const db = "MySQL"
	if err := ensureMariaDB(ctx, r.o.mysqlDSN); err != nil {
		return err
	}
	name, dsn, drop, err := createDatabase(ctx, r.o.mysqlDSN)
	if err != nil {
		return err
	}
	if r.o.keep {
		r.log.Info("keeping database", "name", name)
	} else {
		defer drop()
	}
	dataDir := filepath.Join(r.tmp, "mysql-data")
	w, err := buildSchool(ctx, r.log, r.quiet, "mysql", dsn, dataDir, r.o.students, r.o.feedMessages, -1)
	if err != nil {
		return fmt.Errorf("build the school on MySQL: %w", err)
	}
	r.addBuildRow(db, w)
	env := map[string]string{"JIAXIAO_DB_DRIVER": "mysql", "JIAXIAO_DB_DSN": dsn, "JIAXIAO_DATA_DIR": dataDir, "JIAXIAO_STORAGE": "file"}
	a, err := r.start(ctx, "mysql-a", env)
	if err != nil {
		return err
	}
	r.pages(ctx, db, a, w)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	noticeID := r.live(ctx, a, w)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if noticeID != 0 {
		r.ack(ctx, a, w, noticeID)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if b, err := r.start(ctx, "mysql-b", env); err != nil {
		r.fail("second instance", db, err)
	} else {
		r.cross(ctx, a, b, w, "without broker")
		b.stop(30 * time.Second)
	}
	r.sigterm(ctx, a, w)
	if r.o.redisURL != "" && ctx.Err() == nil {
		env["JIAXIAO_REDIS_URL"] = r.o.redisURL
		a2, err := r.start(ctx, "mysql-a-redis", env)
		if err != nil {
			r.fail("two instances with JIAXIAO_REDIS_URL", db, err)
			return nil
		}
		b2, err := r.start(ctx, "mysql-b-redis", env)
		if err != nil {
			r.fail("two instances with JIAXIAO_REDIS_URL", db, err)
			a2.stop(30 * time.Second)
			return nil
		}
		r.cross(ctx, a2, b2, w, "with JIAXIAO_REDIS_URL")
		b2.stop(30 * time.Second)
		a2.stop(30 * time.Second)
	}
	return nil
}

func (r *runner) sqlitePhases(ctx context.Context) error {
	const db = "SQLite"
	dataDir := filepath.Join(r.tmp, "sqlite-data")
	dsn := filepath.Join(dataDir, "jiaxiao.db")
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return err
	}
	w, err := buildSchool(ctx, r.log, r.quiet, "sqlite", dsn, dataDir, r.o.students, r.o.feedMessages, 500)
	if err != nil {
		return fmt.Errorf("build the school on SQLite: %w", err)
	}
	r.addBuildRow(db, w)
	s, err := r.start(ctx, "sqlite", map[string]string{"JIAXIAO_DB_DRIVER": "sqlite", "JIAXIAO_DB_DSN": dsn, "JIAXIAO_DATA_DIR": dataDir, "JIAXIAO_STORAGE": "file"})
	if err != nil {
		return err
	}
	r.pages(ctx, db, s, w)
	s.stop(30 * time.Second)
	return nil
}

func (r *runner) addBuildRow(db string, w *world) {
	r.table.add(row{scenario: "build the school (roster imports, bulk parents, group sync, feeds, notices)", db: db, max: ms(w.buildTime),
		note: fmt.Sprintf("%d students, %d staff, %d parents with sessions; sessions minted in %s", r.o.students, len(w.admins)+len(w.teachers), len(w.parents), ms(w.sessionsTime))})
}

// nextPoster returns the next teacher, in turn, so nobody meets the
// per-user rate limit.
func (r *runner) nextPoster(w *world) *vuser {
	u := w.teachers[r.poster%len(w.teachers)]
	r.poster++
	return u
}

var cssHref = regexp.MustCompile(`href="(/static/[^"]*\.css[^"]*)"`)

// pages loads each page at r.o.conns connections for r.o.pageDur.
func (r *runner) pages(ctx context.Context, db string, s *server, w *world) {
	st, body, err := get(ctx, r.hc, s.base, "/login", nil)
	if err != nil || st != 200 {
		r.fail("pages", db, fmt.Errorf("GET /login: %d %v", st, err))
		return
	}
	css := ""
	for _, m := range cssHref.FindAllSubmatch(body, -1) {
		if css == "" || strings.Contains(string(m[1]), "app") {
			css = string(m[1])
		}
	}
	if css == "" {
		r.fail("pages", db, fmt.Errorf("no stylesheet on /login"))
		return
	}
	parent := func(i int64) *vuser { return w.parents[int(i)%len(w.parents)] }
	type page struct {
		name string
		at   func(i int64) (string, *vuser)
	}
	receipts := fmt.Sprintf("/notices/%d/receipts", w.receipts)
	sheet := fmt.Sprintf("/homework/%d/submissions", w.sheet)
	list := []page{
		{"static CSS `" + strings.SplitN(css, "?", 2)[0] + "`", func(int64) (string, *vuser) { return css, nil }},
		{"home `/` (parents)", func(i int64) (string, *vuser) { return "/", parent(i) }},
		{"class feed `/groups/:id` (parents, their class)", func(i int64) (string, *vuser) {
			p := parent(i)
			return fmt.Sprintf("/groups/%d", p.classGroup), p
		}},
		{"`/notices` (parents)", func(i int64) (string, *vuser) { return "/notices", parent(i) }},
		{fmt.Sprintf("receipts `/notices/:id/receipts` (%d recipients, admin)", w.recipients), func(i int64) (string, *vuser) {
			return receipts, w.admins[int(i)%len(w.admins)]
		}},
		{fmt.Sprintf("homework sheet `/homework/:id/submissions` (%d students, head teacher)", w.sheetLines), func(int64) (string, *vuser) {
			return sheet, w.sheetHead
		}},
		{"its CSV `/homework/:id/submissions.csv`", func(int64) (string, *vuser) { return sheet + ".csv", w.sheetHead }},
		{fmt.Sprintf("school's day `/admin/student-leave?date=` (%d away, admin)", w.away), func(i int64) (string, *vuser) {
			return "/admin/student-leave?date=" + w.leaveDay, w.admins[int(i)%len(w.admins)]
		}},
		{"its CSV `/admin/student-leave.csv?date=`", func(i int64) (string, *vuser) {
			return "/admin/student-leave.csv?date=" + w.leaveDay, w.admins[int(i)%len(w.admins)]
		}},
	}
	var static float64
	for _, p := range list {
		if ctx.Err() != nil {
			return
		}
		// Warm up: a few requests, and stop here if the page does not answer 200.
		path, u := p.at(0)
		if st, _, err := get(ctx, r.hc, s.base, path, u); err != nil || st != 200 {
			r.fail(p.name, db, fmt.Errorf("GET %s: status %d %v", path, st, err))
			continue
		}
		closedLoop(ctx, r.hc, r.o.conns, r.o.pageDur/10, 0, r.o.phaseTimeout, r.getPage(s.base, p.at))
		res := closedLoop(ctx, r.hc, r.o.conns, r.o.pageDur, 0, r.o.pageDur+r.o.phaseTimeout, r.getPage(s.base, p.at))
		note := ""
		if static == 0 {
			static = res.rate()
		} else if static > 0 {
			note = fmt.Sprintf("%.1f %% of static", 100*res.rate()/static)
		}
		if res.timeout {
			note = strings.TrimPrefix(note+"; timeout", "; ")
		}
		if res.firstErr != "" {
			note = strings.TrimPrefix(note+"; first error: "+oneLine(res.firstErr), "; ")
		}
		r.table.add(row{scenario: p.name, db: db, rate: perSec(res.n, res.elapsed), p50: ms(res.lat.q(0.5)), p99: ms(res.lat.q(0.99)),
			max: ms(res.lat.max()), errs: fmt.Sprintf("%d of %d", res.errs, res.n), note: note})
		r.log.Info("page", "db", db, "page", p.name, "rate", perSec(res.n, res.elapsed), "p50", ms(res.lat.q(0.5)), "p99", ms(res.lat.q(0.99)), "errors", res.errs)
	}
}

func (r *runner) getPage(base string, at func(int64) (string, *vuser)) request {
	return func(ctx context.Context, hc *http.Client, _ int, seq int64) error {
		path, u := at(seq)
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			return err
		}
		if u != nil {
			req.Header.Set("Cookie", sessionCookie+"="+u.token)
		}
		return expectStatus(ctx, hc, req, http.StatusOK)
	}
}

// streamUsers are everyone with a session: parents first, then staff.
func streamUsers(w *world) []*vuser {
	users := append([]*vuser{}, w.parents...)
	users = append(users, w.teachers...)
	return append(users, w.admins...)
}

// live plays the streams on the school group with messages posted, then
// the notice to the whole school followed by a message in a class group.
// It returns the notice's id (0 if it could not be sent).
func (r *runner) live(ctx context.Context, a *server, w *world) uint64 {
	const db = "MySQL"
	n, m := r.o.streams, r.o.messages
	// CSRF tokens first, so the posts measure only themselves.
	var posters []*vuser
	for k := 0; k < m; k++ {
		u := r.nextPoster(w)
		if err := ensureCSRF(ctx, r.hc, a.base, u); err != nil {
			r.fail("SSE", db, err)
			return 0
		}
		posters = append(posters, u)
	}
	tag := randomLetters(6)
	r.log.Info("opening streams", "count", n)
	ss := openStreams(ctx, a.base, fmt.Sprintf("/events?group=%d", w.schoolGroup), streamUsers(w), n, m, tag, r.o.phaseTimeout)
	_, rssOpen := a.memory()
	openNote := fmt.Sprintf("opened in %s; server VmRSS %.0f MiB with them open", ms(ss.openTime), rssOpen)
	if ss.firstErr != "" {
		openNote += "; first error: " + oneLine(ss.firstErr)
	}
	r.table.add(row{scenario: fmt.Sprintf("open %d SSE streams on the school group `/events?group=:id`", n), db: db,
		rate: perSec(ss.opened, ss.openTime), errs: fmt.Sprintf("%d of %d", ss.failed, n), note: openNote})
	r.log.Info("streams open", "opened", ss.opened, "failed", ss.failed, "took", ms(ss.openTime))
	i := 0
	p := postMarked(ctx, r.hc, a.base, w.schoolGroup, func() *vuser { u := posters[i%len(posters)]; i++; return u }, ss, tag, m, r.o.msgEvery)
	complete := ss.waitAll(ctx, r.o.phaseTimeout)
	hwm, rss := a.memory()
	r.table.add(row{scenario: fmt.Sprintf("POST `/groups/:id/messages` with %d streams watching", ss.opened), db: db,
		p50: ms(p.lat.q(0.5)), p99: ms(p.lat.q(0.99)), max: ms(p.lat.max()), errs: fmt.Sprintf("%d of %d", p.errs, m),
		note: strings.TrimSuffix(fmt.Sprintf("%d messages, one every %s; %s", m, r.o.msgEvery, oneLine(p.firstErr)), "; ")})

	// The notice to the whole school, then at once a message in a class
	// group, with the school-group streams still open.
	cg := w.classGroups[0]
	var watchers []*vuser
	for _, pa := range w.parents {
		if pa.classGroup == cg && len(watchers) < 10 {
			watchers = append(watchers, pa)
		}
	}
	tag2 := randomLetters(6)
	ws := openStreams(ctx, a.base, fmt.Sprintf("/events?group=%d", cg), watchers, len(watchers), 1, tag2, r.o.phaseTimeout)
	admin, head := w.admins[0], w.heads[cg]
	var noticeID uint64
	noticeScenario := fmt.Sprintf("notice to the whole school (%d recipients), then a message in a class group: delivery to %d streams on it", w.recipients, ws.opened)
	if err := ensureCSRF(ctx, r.hc, a.base, admin); err != nil {
		r.fail(noticeScenario, db, err)
	} else if err := ensureCSRF(ctx, r.hc, a.base, head); err != nil {
		r.fail(noticeScenario, db, err)
	} else {
		t0 := time.Now()
		st, loc, err := post(ctx, r.hc, a.base, "/notices", admin, url.Values{"title": {"关于明日全校停课的紧急通知"}, "body": {"因天气原因，明日全校停课一天，请家长安排好孩子。"},
			"category": {"通知"}, "group_id": {strconv.FormatUint(w.schoolGroup, 10)}, "requires_ack": {"1"}})
		noticeTook := time.Since(t0)
		if err == nil && st != http.StatusSeeOther {
			err = fmt.Errorf("POST /notices: status %d", st)
		}
		if err == nil {
			if mm := regexp.MustCompile(`/notices/(\d+)`).FindStringSubmatch(loc); mm != nil {
				noticeID, _ = strconv.ParseUint(mm[1], 10, 64)
			}
		}
		if err != nil || noticeID == 0 {
			r.fail(noticeScenario, db, fmt.Errorf("notice not sent (location %q): %v", loc, err))
		} else {
			pm := postMarked(ctx, r.hc, a.base, cg, func() *vuser { return head }, ws, tag2, 1, 0)
			ws.waitAll(ctx, 30*time.Second)
			ws.close()
			lat, missing := ws.deliveries(pm.sent)
			note := fmt.Sprintf("POST /notices took %s; the message POST %s", ms(noticeTook), ms(pm.lat.max()))
			if pm.errs > 0 {
				note += "; message POST failed: " + oneLine(pm.firstErr)
			} else if len(lat) > 0 {
				note += fmt.Sprintf("; arrived %s after the notice POST started", ms(lat.max()+pm.sent[0]-t0.Sub(ws.base)))
			}
			r.table.add(row{scenario: noticeScenario, db: db, p50: ms(lat.q(0.5)), p99: ms(lat.q(0.99)), max: ms(lat.max()),
				errs: fmt.Sprintf("%d missing", missing), note: note})
		}
	}
	ws.close()
	// Wait a little more for the school-group deliveries if they were late.
	if !complete {
		complete = ss.waitAll(ctx, 5*time.Second)
	}
	ss.close()
	lat, missing := ss.deliveries(p.sent)
	note := fmt.Sprintf("server VmHWM %.0f MiB, VmRSS %.0f MiB; %d streams closed by the server", hwm, rss, ss.ended.Load())
	if !complete {
		note += "; timeout waiting for deliveries"
	}
	r.table.add(row{scenario: fmt.Sprintf("delivery to %d streams, from the start of the POST", ss.opened), db: db,
		p50: ms(lat.q(0.5)), p99: ms(lat.q(0.99)), max: ms(lat.max()),
		errs: fmt.Sprintf("%d of %d missing", missing, missing+len(lat)), note: note})
	r.log.Info("live", "delivered", len(lat), "missing", missing, "p99", ms(lat.q(0.99)))
	return noticeID
}

// ack has every parent (or r.o.ackParents) open the notice and acknowledge
// it, at r.o.conns connections.
func (r *runner) ack(ctx context.Context, a *server, w *world, noticeID uint64) {
	const db = "MySQL"
	n := len(w.parents)
	if r.o.ackParents > 0 && r.o.ackParents < n {
		n = r.o.ackParents
	}
	var mu sync.Mutex
	var opens, acks samples
	path := fmt.Sprintf("/notices/%d", noticeID)
	res := closedLoop(ctx, r.hc, r.o.conns, 0, int64(n), r.o.phaseTimeout*2, func(ctx context.Context, hc *http.Client, _ int, seq int64) error {
		u := w.parents[seq]
		u.csrf, u.csrfCookie = "", ""
		t0 := time.Now()
		st, _, err := get(ctx, hc, a.base, path, u)
		d := time.Since(t0)
		if err == nil && (st != 200 || u.csrf == "") {
			err = fmt.Errorf("GET %s: status %d", path, st)
		}
		if err != nil {
			return err
		}
		t1 := time.Now()
		st, _, err = post(ctx, hc, a.base, path+"/ack", u, nil)
		d2 := time.Since(t1)
		if err == nil && st != http.StatusSeeOther {
			err = fmt.Errorf("POST %s/ack: status %d", path, st)
		}
		mu.Lock()
		opens = append(opens, d)
		if err == nil {
			acks = append(acks, d2)
		}
		mu.Unlock()
		return err
	})
	opens, acks = opens.sorted(), acks.sorted()
	acked := -1
	if g, err := openDB(ctx, r.quiet, "mysql", w.dsn); err == nil {
		var c int64
		if g.WithContext(ctx).Table("receipts").Where("notice_id = ? AND acked_at IS NOT NULL", noticeID).Count(&c).Error == nil {
			acked = int(c)
		}
		if d, err := g.DB(); err == nil {
			d.Close()
		}
	}
	note := fmt.Sprintf("%d parents, each GET then POST; %d receipts acknowledged in the database", n, acked)
	if res.timeout {
		note += "; timeout"
	}
	if res.firstErr != "" {
		note += "; first error: " + oneLine(res.firstErr)
	}
	r.table.add(row{scenario: "parents open the notice `GET /notices/:id`", db: db, rate: perSec(len(opens), res.elapsed),
		p50: ms(opens.q(0.5)), p99: ms(opens.q(0.99)), max: ms(opens.max()), errs: fmt.Sprintf("%d of %d", n-len(opens), n)})
	r.table.add(row{scenario: "parents acknowledge it `POST /notices/:id/ack`", db: db, rate: perSec(len(acks), res.elapsed),
		p50: ms(acks.q(0.5)), p99: ms(acks.q(0.99)), max: ms(acks.max()), errs: fmt.Sprintf("%d of %d", n-len(acks), n), note: note})
	r.log.Info("ack", "parents", n, "acks", len(acks), "errors", res.errs)
}

// cross posts on instance a and measures delivery to streams on instance b.
func (r *runner) cross(ctx context.Context, a, b *server, w *world, how string) {
	const db = "MySQL"
	scenario := fmt.Sprintf("two instances, %s: posted on A, delivered to %d streams on B", how, r.o.crossStreams)
	tag := randomLetters(6)
	ss := openStreams(ctx, b.base, fmt.Sprintf("/events?group=%d", w.schoolGroup), w.parents, r.o.crossStreams, r.o.crossMsgs, tag, r.o.phaseTimeout)
	if ss.opened == 0 {
		ss.close()
		r.fail(scenario, db, fmt.Errorf("no stream opened on B: %s", ss.firstErr))
		return
	}
	time.Sleep(300 * time.Millisecond) // let B's hub see the subscriptions
	p := postMarked(ctx, r.hc, a.base, w.schoolGroup, func() *vuser { return r.nextPoster(w) }, ss, tag, r.o.crossMsgs, 300*time.Millisecond)
	complete := ss.waitAll(ctx, 30*time.Second)
	ss.close()
	lat, missing := ss.deliveries(p.sent)
	note := fmt.Sprintf("%d messages, one every 300 ms; POST p50 %s", r.o.crossMsgs, ms(p.lat.q(0.5)))
	if !complete {
		note += "; timeout (30 s) waiting for deliveries"
	}
	if p.firstErr != "" {
		note += "; first error: " + oneLine(p.firstErr)
	}
	r.table.add(row{scenario: scenario, db: db, p50: ms(lat.q(0.5)), p99: ms(lat.q(0.99)), max: ms(lat.max()),
		errs: fmt.Sprintf("%d of %d missing", missing, missing+len(lat)), note: note})
	r.log.Info("cross", "how", how, "delivered", len(lat), "missing", missing, "p50", ms(lat.q(0.5)))
}

// sigterm opens r.o.termStreams streams on a and stops it with SIGTERM.
func (r *runner) sigterm(ctx context.Context, a *server, w *world) {
	const db = "MySQL"
	ss := openStreams(ctx, a.base, fmt.Sprintf("/events?group=%d", w.schoolGroup), streamUsers(w), r.o.termStreams, 0, randomLetters(6), r.o.phaseTimeout)
	scenario := fmt.Sprintf("SIGTERM with %d streams open", ss.opened)
	took, code, exited := a.stop(30 * time.Second)
	ended := ss.waitEnded(2 * time.Second)
	ss.close()
	note := fmt.Sprintf("exit code %d after %s; %d of %d streams ended by the server", code, ms(took), ss.ended.Load(), ss.opened)
	errs := ""
	switch {
	case !exited:
		errs, note = "timeout", fmt.Sprintf("still running after %s: killed", ms(took))
	case code != 0:
		errs = "FAIL"
	case !ended:
		errs = fmt.Sprintf("%d streams left open", int64(ss.opened)-ss.ended.Load())
	}
	r.table.add(row{scenario: scenario, db: db, max: ms(took), errs: errs, note: note})
	r.log.Info("sigterm", "took", ms(took), "code", code)
}

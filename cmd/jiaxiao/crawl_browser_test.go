package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
)

// crawlViewport is a screen the crawl looks at every page on.
type crawlViewport struct {
	name   string
	w, h   int64
	mobile bool
}

var crawlViewports = []crawlViewport{
	{"360x740", 360, 740, true},
	{"1280x800", 1280, 800, false},
}

// crawlRole is one person the crawl logs in as; login is nil for a visitor.
type crawlRole struct {
	name  string
	login func(t *testing.T, ctx context.Context, base string)
	// seeds are visited besides what links reach (error pages, forms).
	seeds []string
}

// Crawl limits: enough to see every kind of page of the demo school, bounded
// so that a long list never makes the crawl slow.
const (
	crawlMaxPages      = 80 // per role
	crawlMaxPerPattern = 3  // /notices/N: the first three notices
)

// Every page a user can reach by following links, for every role, on a
// phone (360×740) and a desktop (1280×800): no 5xx, no console error or
// uncaught exception (a CSP violation is one), no page wider than the
// screen. Each page is saved as artifacts/crawl/<role>/<viewport>/<page>.png.
func TestCrawlEveryPage(t *testing.T) {
	start := time.Now()
	dir := t.TempDir()
	env := cleanEnv()
	if _, errOut, code := jiaxiao(t, dir, env, "demo"); code != 0 {
		t.Fatal(errOut)
	}
	// A teacher of 三年级(2)班 who is not its head teacher, activated in the
	// browser with the code the roster import gives.
	staffCSV := filepath.Join(dir, "new-staff.csv")
	if err := os.WriteFile(staffCSV, []byte("姓名,手机,角色,部门,任教班级,班主任\n周晓燕,13800000005,教师,美术教研组,3年级2班,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := jiaxiao(t, dir, env, "roster", "import", "--staff", staffCSV)
	if code != 0 {
		t.Fatalf("roster import: %s %s", out, errOut)
	}
	activation := activationCode(t, dir, out, "13800000005")

	p := serve(t, dir, env)
	ctx := apptest.Browser(t, 8*time.Minute)
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorDeny}); err != nil {
		t.Fatal(err)
	}
	c := &crawler{t: t, ctx: ctx, base: p.base, artifacts: filepath.Join(apptest.ArtifactsDir(t), "crawl")}
	if err := chromedp.Listen(ctx, c.event); err != nil {
		t.Fatal(err)
	}

	password := func(phone string) func(*testing.T, context.Context, string) {
		return func(t *testing.T, ctx context.Context, base string) {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login")); err != nil {
				t.Fatal(err)
			}
			login(t, ctx, phone, "jiaxiao2026")
			waitHome(t, ctx)
		}
	}
	roles := []crawlRole{
		{name: "visitor", seeds: []string{"/no-such-page"}},
		{name: "admin", login: password("13800000001"), seeds: []string{"/no-such-page"}},
		{name: "head-teacher", login: password("13800000002")},
		{name: "teacher", login: func(t *testing.T, ctx context.Context, base string) {
			err := chromedp.Do(ctx,
				chromedp.Navigate(base+"/activate"),
				chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), "13800000005"),
				chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), activation),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "zhou-2026-art"),
				chromedp.Click(chromedp.CSS(`[data-testid="activate-submit"]`)),
			)
			if err != nil {
				t.Fatal(err)
			}
			waitHome(t, ctx)
		}},
		{name: "parent", login: password("13900000001"), seeds: []string{"/no-such-page"}},
		{name: "pending-parent", login: password("13700000010")},
	}
	c.selfTest()
	// JIAXIAO_CRAWL_ROLES=admin,parent crawls only those roles, for a
	// quicker look while working on their pages.
	only := strings.FieldsFunc(os.Getenv("JIAXIAO_CRAWL_ROLES"), func(r rune) bool { return r == ',' || r == ' ' })
	for _, r := range roles {
		if len(only) == 0 || slices.Contains(only, r.name) {
			c.crawl(r)
		}
	}
	c.report(time.Since(start))
}

// activationCode reads the code of phone from the file `roster import`
// wrote (its name is in the command's output).
func activationCode(t *testing.T, dir, out, phone string) string {
	t.Helper()
	m := regexp.MustCompile(`已写入 (\S+?\.csv)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no activation code file in %q", out)
	}
	file := m[1]
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Split(strings.TrimSpace(l), ","); len(f) == 3 && f[1] == phone {
			return f[2]
		}
	}
	t.Fatalf("no code for %s in %s", phone, b)
	return ""
}

func waitHome(t *testing.T, ctx context.Context) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="notifications-link"]`))); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("not logged in at %s: %v\n%s", loc, err, text)
	}
}

// crawler drives one tab through every role's pages and keeps what went
// wrong.
type crawler struct {
	t         *testing.T
	ctx       context.Context
	base      string
	artifacts string

	mu     sync.Mutex
	events []string // console errors, exceptions and 5xx of the current page

	failures []crawlFailure
	notes    []string // 4xx pages reached by a link: not failures, but worth a look
	pages    int
}

type crawlFailure struct {
	role, viewport, page, kind, detail string
}

// event runs on chromedp's reading goroutine: it only records.
func (c *crawler) event(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			switch {
			case a.Description != "":
				parts = append(parts, a.Description)
			case len(a.Value) > 0:
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			default:
				parts = append(parts, string(a.Type))
			}
		}
		msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg = "uncaught: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + firstLine(d.Exception.Description)
		}
		if d.URL != "" {
			msg += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		msg = "console (" + string(ev.Entry.Source) + "): " + ev.Entry.Text
		if ev.Entry.URL != "" {
			msg += " " + ev.Entry.URL
		}
	case *network.EventResponseReceived:
		if ev.Response.Status < 500 {
			return
		}
		msg = fmt.Sprintf("HTTP %d: %s", ev.Response.Status, ev.Response.URL)
	default:
		return
	}
	c.mu.Lock()
	c.events = append(c.events, msg)
	c.mu.Unlock()
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func (c *crawler) takeEvents() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ev := c.events
	c.events = nil
	return ev
}

func (c *crawler) fail(role, vp, page, kind, detail string) {
	c.failures = append(c.failures, crawlFailure{role, vp, page, kind, detail})
}

// selfTest proves on the login page that the crawl sees what it looks for:
// a console error, an uncaught exception, an inline script the CSP
// refuses, a box wider than the phone and a name one character per line.
func (c *crawler) selfTest() {
	t := c.t
	if err := c.viewport(crawlViewports[0]); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(c.ctx, chromedp.Navigate(c.base+"/login")); err != nil {
		t.Fatal(err)
	}
	c.takeEvents()
	const inject = `(() => {
  console.error('crawl self-test');
  setTimeout(() => { throw new Error('crawl self-test'); });
  const s = document.createElement('script');
  s.textContent = 'void 0';
  document.head.appendChild(s);
  const main = document.querySelector('main');
  const wide = document.createElement('div');
  wide.id = 'self-test-wide';
  wide.style.width = '900px';
  wide.style.height = '1px';
  main.appendChild(wide);
  const name = document.createElement('span');
  name.id = 'self-test-name';
  name.textContent = '王建国';
  name.style.display = 'inline-block';
  name.style.width = '1em';
  main.appendChild(name);
  return true;
})()`
	if _, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](inject)); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"console.error": "console.error: crawl self-test", "exception": "uncaught: ", "CSP": "Content Security Policy"}
	var seen []string
	for deadline := time.Now().Add(10 * time.Second); len(want) > 0 && time.Now().Before(deadline); {
		ev := c.takeEvents()
		seen = append(seen, ev...)
		for k, w := range want {
			if slices.ContainsFunc(seen, func(e string) bool { return strings.Contains(e, w) }) {
				delete(want, k)
			}
		}
		if len(want) > 0 {
			if _, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](`new Promise(r => setTimeout(() => r(true), 20))`, chromedp.EvalAwaitPromise)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(want) > 0 {
		t.Fatalf("the crawl does not see %v; it saw %q", want, seen)
	}
	o, err := chromedp.Run(c.ctx, chromedp.Evaluate[overflow](fmt.Sprintf("%s(%d)", overflowJS, crawlViewports[0].w)))
	if err != nil {
		t.Fatal(err)
	}
	if o.ScrollWidth <= o.InnerWidth || !slices.ContainsFunc(o.Outer, func(s string) bool { return strings.HasPrefix(s, "div#self-test-wide") }) {
		t.Fatalf("the crawl does not see a box wider than the phone: %+v", o)
	}
	if !slices.ContainsFunc(o.Squeezed, func(s string) bool { return strings.HasPrefix(s, "span#self-test-name") }) {
		t.Fatalf("the crawl does not see a name one character per line: %+v", o)
	}
}

// crawl logs in as the role at the phone size, follows links breadth-first
// from the home page, then looks at the same pages on the desktop.
func (c *crawler) crawl(r crawlRole) {
	t := c.t
	if err := os.RemoveAll(filepath.Join(c.artifacts, r.name)); err != nil { // no pictures of pages that are gone
		t.Fatal(err)
	}
	if _, err := chromedp.Call(c.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if err := c.viewport(crawlViewports[0]); err != nil {
		t.Fatal(err)
	}
	start := "/login"
	if r.login != nil {
		r.login(t, c.ctx, c.base)
		start = "/"
	}
	c.takeEvents() // the login itself is not a crawled page

	queue := append([]string{start}, r.seeds...)
	from := map[string]string{} // the page that first linked to a URL
	for _, q := range queue {
		from[q] = ""
	}
	patterns := map[string]int{}
	done := map[string]bool{} // final URLs looked at
	var pages []string
	for len(queue) > 0 && len(pages) < crawlMaxPages {
		path := queue[0]
		queue = queue[1:]
		final, links, ok := c.visit(r.name, crawlViewports[0], path, from[path], done)
		if !ok {
			continue
		}
		pages = append(pages, final)
		for _, l := range links {
			if _, queued := from[l]; queued {
				continue
			}
			from[l] = final
			key := crawlPattern(l)
			if patterns[key] >= crawlMaxPerPattern || (strings.Contains(l, "?") && patterns[key] >= 1) {
				continue
			}
			patterns[key]++
			queue = append(queue, l)
		}
	}
	if err := c.viewport(crawlViewports[1]); err != nil {
		t.Fatal(err)
	}
	doneWide := map[string]bool{}
	for _, path := range pages {
		c.visit(r.name, crawlViewports[1], path, from[path], doneWide)
	}
	t.Logf("%s: %d pages", r.name, len(pages))
	if len(pages) < 3 {
		c.fail(r.name, "", "", "reach", fmt.Sprintf("only %d pages reached: %v", len(pages), pages))
	}
}

func (c *crawler) viewport(v crawlViewport) error {
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if v.mobile {
		opts = []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)}
	}
	return chromedp.Do(c.ctx, chromedp.EmulateViewport(v.w, v.h, opts...))
}

// crawlPattern groups URLs that show the same kind of page: numbers in the
// path become N, and a query string counts by its keys.
func crawlPattern(u string) string {
	path, query, _ := strings.Cut(u, "?")
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			segs[i] = "N"
		}
	}
	key := strings.Join(segs, "/")
	if query != "" {
		v, _ := url.ParseQuery(query)
		var keys []string
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		key += "?" + strings.Join(keys, "&")
	}
	return key
}

// overflow is what the page measures about its width.
type overflow struct {
	ScrollWidth float64  `json:"scrollWidth"`
	InnerWidth  float64  `json:"innerWidth"` // the screen's, less a scroll bar
	Outer       []string `json:"outer"`
	Inner       []string `json:"inner"`
	Squeezed    []string `json:"squeezed"`
}

// overflowJS measures the page's width and lists the elements that stick
// out to the right of the screen (outside any box that scrolls or clips
// them): the outermost ones, whose parent fits, and the innermost ones,
// the content that pushes. It also lists text squeezed into a column so
// narrow that it shows one character per line (a name in a table cell
// without room, a label in a crowded header).
//
// The screen's width is given: on a phone, Chromium zooms a page wider
// than the screen out until it fits, so innerWidth grows with the page.
const overflowJS = `((screen) => {
  const de = document.documentElement, W = Math.min(screen, de.clientWidth || screen);
  const res = {scrollWidth: de.scrollWidth, innerWidth: W, outer: [], inner: [], squeezed: []};
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body && p !== de; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible' || s.position === 'fixed') return true;
    }
    return false;
  };
  const sticks = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > W + 0.5 && getComputedStyle(el).position !== 'fixed' && !clipped(el);
  };
  const name = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = [...el.classList].slice(0, 3);
    if (cls.length) s += '.' + cls.join('.');
    const tid = el.getAttribute('data-testid');
    if (tid) s += '[data-testid="' + tid + '"]';
    const r = el.getBoundingClientRect();
    const text = (el.innerText || el.value || '').replace(/\s+/g, ' ').trim().slice(0, 30);
    return s + ' right=' + Math.round(r.right) + ' width=' + Math.round(r.width) + (text ? ' “' + text + '”' : '');
  };
  // Text only screen readers get (.sr-only: clipped to a pixel) is not seen.
  const unseen = el => {
    for (let p = el; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.clip !== 'auto' || s.clipPath !== 'none') return true;
      if (s.overflow !== 'visible') {
        const r = p.getBoundingClientRect();
        if (r.width <= 2 || r.height <= 2) return true;
      }
    }
    return false;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const squeezed = new Set();
  for (let n; (n = walker.nextNode()); ) {
    const el = n.parentElement;
    if (!el || squeezed.has(el) || el.closest('svg, [aria-hidden="true"], script, style')) continue;
    if ([...n.nodeValue.replace(/\s+/g, '')].length < 2) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const lines = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    const fs = parseFloat(getComputedStyle(el).fontSize) || 16;
    const widest = Math.max(0, ...lines.map(r => r.width));
    if (((lines.length >= 2 && widest < 1.6 * fs) || (lines.length >= 3 && widest < 2.6 * fs)) && !unseen(el)) squeezed.add(el);
  }
  res.squeezed = [...squeezed].slice(0, 4).map(name);
  if (de.scrollWidth <= W) return res;
  const all = [...document.body.querySelectorAll('*')].filter(sticks);
  const set = new Set(all);
  const outer = all.filter(el => !set.has(el.parentElement));
  const inner = all.filter(el => ![...el.children].some(ch => set.has(ch)));
  const widest = (a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right;
  res.outer = outer.sort(widest).slice(0, 4).map(name);
  res.inner = inner.filter(el => !outer.includes(el)).sort(widest).slice(0, 4).map(name);
  return res;
})`

// settleJS waits for htmx requests started by the page (hx-trigger="load")
// to finish, then for two frames, so that what they add is measured too.
const settleJS = `new Promise(resolve => {
  const start = performance.now();
  const tick = () => {
    const busy = document.readyState !== 'complete' || document.querySelector('.htmx-request');
    if (!busy || performance.now() - start > 3000) requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)));
    else setTimeout(tick, 25);
  };
  tick();
})`

// linksJS is every same-site link of the page (GET, without fragment).
const linksJS = `[...document.querySelectorAll('a[href]')].filter(a => !a.hasAttribute('download')).map(a => { const u = new URL(a.href, location.href); u.hash = ''; return u.origin === location.origin ? u.pathname + u.search : ''; }).filter(Boolean)`

// crawlSkip is what is not a page: downloads, files, the event stream and
// logging out.
func crawlSkip(u string) bool {
	path, _, _ := strings.Cut(u, "?")
	for _, p := range []string{"/logout", "/static/", "/files/", "/events", "/me/export", "/healthz", "/readyz", "/metrics"} {
		if path == p || strings.HasPrefix(path, p) && strings.HasSuffix(p, "/") {
			return true
		}
	}
	for _, ext := range []string{".csv", ".xlsx", ".zip", ".png", ".jpg", ".jpeg", ".pdf", ".svg"} {
		if strings.HasSuffix(strings.ToLower(path), ext) {
			return true
		}
	}
	return false
}

// visit opens one page at one viewport, checks it, saves its screenshot
// and returns its final URL (after redirects) and links. from is the page
// whose link led here ("" for a page the crawl starts from). ok is false
// when it was not a page to look at (a download, or a page already seen
// under another URL).
func (c *crawler) visit(role string, vp crawlViewport, path, from string, done map[string]bool) (string, []string, bool) {
	if crawlSkip(path) {
		return "", nil, false
	}
	c.takeEvents()
	ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(c.base+path))
	var le *chromedp.LoadError
	if errors.As(err, &le) && strings.Contains(le.ErrorText, "ERR_ABORTED") {
		return "", nil, false // a download the browser refused
	}
	if err != nil {
		c.fail(role, vp.name, path, "load", err.Error())
		return "", nil, false
	}
	if resp == nil {
		c.fail(role, vp.name, path, "load", "no response")
		return "", nil, false
	}
	final := path
	if u, err := url.Parse(resp.URL); err == nil {
		final = u.RequestURI()
	}
	if resp.Status >= 500 {
		c.fail(role, vp.name, path, "status", fmt.Sprintf("HTTP %d", resp.Status))
	} else if resp.Status >= 400 && from != "" {
		c.fail(role, vp.name, path, "dead link", fmt.Sprintf("HTTP %d for a link on %s", resp.Status, from))
	}
	if !strings.HasPrefix(resp.MimeType, "text/html") || done[final] {
		c.takeEvents()
		return final, nil, false
	}
	done[final] = true
	c.pages++
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](settleJS, chromedp.EvalAwaitPromise)); err != nil {
		c.fail(role, vp.name, final, "load", "settle: "+err.Error())
	}
	var links []string
	if vp == crawlViewports[0] {
		links, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](linksJS))
		if err != nil {
			c.fail(role, vp.name, final, "load", "links: "+err.Error())
		}
		links = slices.DeleteFunc(links, crawlSkip)
	}
	o, err := chromedp.Run(ctx, chromedp.Evaluate[overflow](fmt.Sprintf("%s(%d)", overflowJS, vp.w)))
	if err != nil {
		c.fail(role, vp.name, final, "load", "measure: "+err.Error())
	} else if o.ScrollWidth > o.InnerWidth {
		detail := fmt.Sprintf("page is %.0f px wide on a %.0f px screen", o.ScrollWidth, o.InnerWidth)
		if len(o.Outer) > 0 {
			detail += "; sticking out: " + strings.Join(o.Outer, "; ")
		}
		if len(o.Inner) > 0 {
			detail += "; pushed by: " + strings.Join(o.Inner, "; ")
		}
		c.fail(role, vp.name, final, "overflow", detail)
	}
	if err == nil && len(o.Squeezed) > 0 {
		c.fail(role, vp.name, final, "squeezed", "text one character per line: "+strings.Join(o.Squeezed, "; "))
	}
	c.screenshot(ctx, role, vp, final)
	for _, e := range c.takeEvents() {
		// A 4xx page is reported once, by its status, not again as the
		// browser's "Failed to load resource" about the page itself.
		if resp.Status >= 400 && strings.HasSuffix(e, " "+resp.URL) {
			continue
		}
		c.fail(role, vp.name, final, "console", e)
	}
	return final, links, true
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// screenshot saves the whole page. The screen is made as tall as the page
// for the picture, so that the phone's fixed tab bar sits at the bottom
// instead of across the middle; then it is set back.
func (c *crawler) screenshot(ctx context.Context, role string, vp crawlViewport, page string) {
	h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)`))
	if err == nil && h > float64(vp.h) {
		err = c.viewport(crawlViewport{vp.name, vp.w, min(int64(h), 8000), vp.mobile})
	}
	var png []byte
	if err == nil {
		png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	}
	if err2 := c.viewport(vp); err == nil {
		err = err2
	}
	if err != nil {
		c.fail(role, vp.name, page, "load", "screenshot: "+err.Error())
		return
	}
	name := strings.Trim(unsafeName.ReplaceAllString(page, "_"), "_")
	if name == "" {
		name = "home"
	}
	dir := filepath.Join(c.artifacts, role, vp.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// report fails the test once per problem (the same problem on a page for
// several roles counts once, naming them) and writes the list to
// artifacts/crawl/failures.txt.
func (c *crawler) report(took time.Duration) {
	t := c.t
	type key struct{ page, viewport, kind, detail string }
	roles := map[key][]string{}
	var order []key
	for _, f := range c.failures {
		k := key{f.page, f.viewport, f.kind, f.detail}
		if _, ok := roles[k]; !ok {
			order = append(order, k)
		}
		if !slices.Contains(roles[k], f.role) {
			roles[k] = append(roles[k], f.role)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].page != order[j].page {
			return order[i].page < order[j].page
		}
		return order[i].viewport < order[j].viewport
	})
	var b strings.Builder
	fmt.Fprintf(&b, "crawl: %d page views in %s, %d problems\n", c.pages, took.Round(time.Second), len(order))
	for _, k := range order {
		line := fmt.Sprintf("%s at %s (%s): %s: %s", k.page, k.viewport, strings.Join(roles[k], ", "), k.kind, k.detail)
		t.Error(line)
		b.WriteString(line + "\n")
	}
	if len(c.notes) > 0 {
		b.WriteString("\nlinks answering 4xx:\n")
		for _, n := range c.notes {
			t.Log(n)
			b.WriteString(n + "\n")
		}
	}
	t.Logf("crawl: %d page views in %s", c.pages, took.Round(time.Second))
	if err := os.MkdirAll(c.artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.artifacts, "failures.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

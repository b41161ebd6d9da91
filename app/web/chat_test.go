package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
	"jiaxiao/app/file"
	"jiaxiao/app/message"
)

// chatLines are what a class group says on an ordinary day.
var chatLines = []struct{ phone, body string }{
	{"13800000002", "各位家长好，明天上午第二节课进行数学单元测验，请提醒孩子带好直尺和铅笔。"},
	{"13900000001", "收到，谢谢李老师！"},
	{"13900000003", "好的，收到"},
	{"13800000003", "测验范围是第三单元，周末可以复习一下课本第 45 页到第 60 页的练习。"},
	{"13900000001", "请问需要带计算器吗？"},
	{"13800000003", "不需要带计算器。"},
}

// seedChat fills 3-2's feed with n messages ending about now on the
// world's clock, which it sets to the real time so that the pages' 今天 and
// the messages' days agree: the first half yesterday, the rest today.
func seedChat(t *testing.T, s *school32, n int) time.Time {
	t.Helper()
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	y, m, d := now.In(shanghai).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, shanghai)
	at := today.Add(-24*time.Hour + 8*time.Hour)
	for i := 0; i < n; i++ {
		if i == n/2 {
			// The rest today, the last a minute before now.
			at = now.Add(-time.Duration(n-i+1) * time.Minute)
			if at.Before(today) {
				at = today.Add(time.Second)
			}
		}
		s.world.Clock.Set(at)
		l := chatLines[i%len(chatLines)]
		body := l.body
		if i >= len(chatLines) {
			body = fmt.Sprintf("%s（%d）", l.body, i)
		}
		if _, err := s.world.Messages.Post(ctx, s.world.ByPhone(l.phone), s.c32.ID, message.PostInput{Body: body}); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		at = at.Add(time.Minute)
	}
	s.world.Clock.Set(now)
	return now
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// photo writes a PNG of noise (so that it does not compress) of about
// size bytes and returns its path.
func photo(t *testing.T, name string, side int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(256))
	}
	for x := 0; x < side; x++ {
		img.Set(x, x, color.RGBA{255, 0, 0, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if _, err := file.Prepare("file", name, buf.Bytes()); err != nil {
		t.Fatalf("the test photo is refused: %v", err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// browserLogin signs a browser in through the login page that path leads to.
func browserLogin(t *testing.T, ctx context.Context, base, path, phone string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), phone),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "secret-123"),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="messages"]`)),
	)
	if err != nil {
		t.Fatalf("login %s: %v", phone, err)
	}
}

// openMenu taps a message's ⋯ (msg is a JavaScript expression for its
// li) and waits for the menu to open and settle where it shows.
func openMenu(t *testing.T, ctx context.Context, msg string) {
	t.Helper()
	// A tap lands where the ⋯ was when chromedp measured it; a photo
	// still being laid out can move it in between. Wait until every image
	// has its size, and tap again if the first one missed.
	waitJS(t, ctx, "the photos laid out", `[...document.querySelectorAll('#messages img')].every(i => i.complete)`)
	open := msg + `.querySelector('details[open][data-placed]') !== null`
	for try := 1; ; try++ {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(msg+`.querySelector('summary')`))); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, err := chromedp.Run(wctx, chromedp.Poll[bool](open, chromedp.WithPollingInterval(20*time.Millisecond)))
		cancel()
		if err == nil {
			return
		}
		if try == 3 {
			waitJS(t, ctx, "the menu open", open)
			return
		}
		t.Logf("the tap on ⋯ did not open the menu (try %d); tapping again", try)
	}
}

// shot saves what the screen shows. (apptest.Screenshot saves the whole
// page, which for a long chat is a strip, and lays the page out anew to
// take it: the journey takes it only at the end.)
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(apptest.ArtifactsDir(t), "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+"-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// eval runs a JavaScript expression in the page and returns its value.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitJS waits until a JavaScript expression is true, within the test's
// browser deadline.
func waitJS(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(wctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const r = document.scrollingElement, m = [...document.querySelectorAll('#messages > li.msg')].pop(), c = document.getElementById('composer');
			return JSON.stringify({errors: window.__errors, menu: m && m.querySelector('details') && m.querySelector('details').outerHTML.slice(0, 600), top: r.scrollTop, height: r.scrollHeight, client: r.clientHeight, last: m && m.getBoundingClientRect().toJSON(), lastText: m && m.textContent.trim().slice(0, 40), composer: c && c.getBoundingClientRect().toJSON()}); })()`))
		t.Fatalf("waiting for %s (%s): %v\npage: %s", what, js, err, state)
	}
}

// scrolledToNewest is true when the page is scrolled to its end and the
// newest message is on screen above the composer.
const scrolledToNewest = `(() => {
	const r = document.scrollingElement, msgs = document.querySelectorAll('#messages > li.msg');
	const last = msgs[msgs.length - 1].getBoundingClientRect();
	const composer = document.getElementById('composer').getBoundingClientRect();
	return Math.abs(r.scrollTop - (r.scrollHeight - r.clientHeight)) <= 2 && last.bottom <= composer.top + 1 && last.top >= 0;
})()`

// noOverflow is true when nothing makes the page wider than the screen.
const noOverflow = `document.documentElement.scrollWidth <= window.innerWidth`

// A parent opens the class chat on a phone: it opens at the newest
// message with the composer on screen, their own messages on the right,
// the teachers tagged; a photo sent on a slow line shows its progress with
// 发送 disabled and then appears once; the menu copies and takes back;
// scrolling up loads older messages in place; nothing is wider than a
// 360 px screen.
func TestChatJourney(t *testing.T) {
	s := newSchool(t, apptest.SQLite(t))
	sent := seedChat(t, s, message.PageSize+14)
	ctx := apptest.Browser(t, 120*time.Second)
	catchErrors(t, ctx)
	feed := fmt.Sprintf("/groups/%d", s.c32.ID)
	browserLogin(t, ctx, s.URL, feed, "13900000001")

	// Opens at the newest message, the composer on screen.
	waitJS(t, ctx, "the feed scrolled to the newest message", scrolledToNewest)
	if !eval[bool](t, ctx, `(() => { const c = document.querySelector('[data-testid="compose-send"]').getBoundingClientRect(); return c.top >= 0 && c.bottom <= window.innerHeight; })()`) {
		t.Fatal("the 发送 button is not on screen without scrolling")
	}
	if got := eval[bool](t, ctx, `document.querySelector('[data-testid="compose-send"]').getBoundingClientRect().bottom <= document.querySelector('[data-testid="tabbar"]').getBoundingClientRect().top + 1`); !got {
		t.Fatal("the composer is under the tab bar")
	}
	shot(t, ctx, "after-feed-390")

	// Own messages on the right, others' on the left with name and tag.
	own := eval[string](t, ctx, `(() => { const m = [...document.querySelectorAll('#messages li.msg.own')].pop(); const b = m.querySelector('.bubble').getBoundingClientRect(); return (window.innerWidth - b.right < 40) + ' ' + !m.querySelector('[data-testid="author"]'); })()`)
	if own != "true true" {
		t.Fatalf("own message: right-aligned, nameless? %s", own)
	}
	tags := eval[string](t, ctx, `[...document.querySelectorAll('#messages li.msg:not(.own)')].map(m => m.querySelector('[data-testid="author"]').textContent + ':' + (m.querySelector('[data-testid="author-tag"]')?.textContent || '')).slice(-4).join(',')`)
	if !strings.Contains(tags, "李芳:班主任") || !strings.Contains(tags, "陈志强:老师") || !strings.Contains(tags, "王芳爸爸:") {
		t.Fatalf("names and tags: %s", tags)
	}
	if got := eval[string](t, ctx, `[...document.querySelectorAll('#messages li.day')].map(d => d.textContent.trim()).join(',')`); got != "昨天,今天" {
		t.Fatalf("day dividers: %q", got)
	}

	// A photo on a slow line: progress, 发送 disabled, then the photo once.
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	slow := network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{{Latency: 20, DownloadThroughput: -1, UploadThroughput: 200 << 10}}}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, slow); err != nil {
		t.Fatal(err)
	}
	pic := photo(t, "作业照片.png", 420)
	// Count the photo's renderings at every change, and note when the
	// live stream brings it (after or before the answer to the upload).
	eval[bool](t, ctx, `(() => {
		window.__photos = 0; window.__live = false;
		const count = () => { window.__photos = Math.max(window.__photos, document.querySelectorAll('#messages img[alt="作业照片.png"]').length); };
		new MutationObserver(count).observe(document.getElementById('messages'), { childList: true, subtree: true });
		document.body.addEventListener('htmx:sseMessage', e => { if (e.detail.type === 'message' && e.detail.data.includes('作业照片.png')) { window.__live = true; } });
		return true;
	})()`)
	err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="compose-file"]`), []string{pic}),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compose-file-name"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="compose-body"]`), "孩子今天的作业"),
		chromedp.Click(chromedp.CSS(`[data-testid="compose-send"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "upload progress under way", `(() => {
		const p = document.querySelector('[data-testid="upload-progress"]'), b = document.querySelector('[data-testid="compose-send"]');
		return p && p.offsetParent !== null && p.value > 0 && p.value < 100 && b.disabled && b.textContent === '发送中…' &&
			/^上传中 \d+%$/.test(document.querySelector('[data-testid="upload-pct"]').textContent);
	})()`)
	shot(t, ctx, "after-uploading-390")
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{}}); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the photo from the answer and the live stream", `window.__live && document.querySelectorAll('#messages li.msg.own img[alt="作业照片.png"]').length === 1`)
	if n := eval[int](t, ctx, `window.__photos`); n != 1 {
		t.Fatalf("the photo showed %d times at once", n)
	}
	waitJS(t, ctx, "the composer ready again", `(() => { const b = document.querySelector('[data-testid="compose-send"]'); return !b.disabled && b.textContent === '发送' && document.querySelector('[data-testid="compose-body"]').value === ''; })()`)
	waitJS(t, ctx, "the feed following the new photo", scrolledToNewest)

	// The menu: 复制 copies, 撤回 takes one's own message back.
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: s.URL}); err != nil {
			t.Fatal(err)
		}
	}
	last := `[...document.querySelectorAll('#messages li.msg.own')].pop()`
	openMenu(t, ctx, last)
	err = chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(last+`.querySelector('[data-testid="menu-copy"]')`)))
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "已复制", last+`.querySelector('[data-testid="menu-note"]').textContent === '已复制'`)
	waitJS(t, ctx, "the menu closing after the copy", `!`+last+`.querySelector('details').open`)
	clip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil || clip != "孩子今天的作业" {
		t.Fatalf("clipboard: %q %v", clip, err)
	}
	shot(t, ctx, "after-menu-390")
	openMenu(t, ctx, last)
	err = chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(last+`.querySelector('[data-testid="menu-recall"] button')`)))
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the photo taken back", `document.querySelectorAll('#messages img[alt="作业照片.png"]').length === 0 && [...document.querySelectorAll('[data-testid="message-gone"]')].some(p => p.textContent === '你撤回了一条消息')`)

	// Scrolling up loads the older page, the message in view staying put.
	before := eval[int](t, ctx, `document.querySelectorAll('#messages li.msg').length`)
	if before != message.PageSize+1 {
		t.Fatalf("first page: %d messages", before)
	}
	eval[bool](t, ctx, `window.__oldest = document.querySelector('#messages li.msg'); window.scrollTo(0, 0); window.__top = window.__oldest.getBoundingClientRect().top; true`)
	waitJS(t, ctx, "older messages loaded", `document.querySelectorAll('#messages li.msg').length === `+fmt.Sprint(before+14))
	if drift := eval[float64](t, ctx, `Math.abs(window.__oldest.getBoundingClientRect().top - window.__top)`); drift > 2 {
		t.Fatalf("the message in view moved %.0f px when older ones came in", drift)
	}
	if got := eval[string](t, ctx, `[...document.querySelectorAll('#messages li.day')].map(d => d.textContent.trim()).join(',')`); got != "昨天,今天" {
		t.Fatalf("day dividers after the older page: %q", got)
	}
	if !eval[bool](t, ctx, `!!document.querySelector('[data-testid="older-end"]')`) {
		t.Fatal("no end of the feed after the last page")
	}

	noErrors(t, ctx)

	// Sending fails: the line drops (said by the page), or the file is
	// refused (said by the server); either way the text stays.
	toBottomJS := `window.scrollTo(0, document.scrollingElement.scrollHeight); true`
	eval[bool](t, ctx, toBottomJS)
	offline := network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, offline); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="compose-body"]`), "网络断了也不丢"),
		chromedp.Click(chromedp.CSS(`[data-testid="compose-send"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the send failing offline", `(() => {
		const a = document.querySelector('#composer [data-testid="alert-error"]'), b = document.querySelector('[data-testid="compose-send"]');
		return a && a.textContent.includes('网络') && !b.disabled && b.textContent === '发送' && document.querySelector('[data-testid="compose-body"]').value === '网络断了也不丢';
	})()`)
	waitJS(t, ctx, "the newest message above the grown composer", scrolledToNewest)
	shot(t, ctx, "after-offline-390")
	// htmx reports the failed request on the console; that one is expected.
	for _, e := range eval[[]string](t, ctx, `window.__errors.splice(0)`) {
		if !strings.Contains(e, "htmx:sendError") && !strings.Contains(e, "htmx:afterRequest") {
			t.Fatalf("page error offline: %s", e)
		}
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{}}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "安装包.exe")
	if err := os.WriteFile(bad, []byte("MZ\x90\x00 not a document"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="compose-file"]`), []string{bad}),
		chromedp.Click(chromedp.CSS(`[data-testid="compose-send"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the file refused", `(() => {
		const a = document.querySelector('#composer [data-testid="alert-error"]');
		return a && a.textContent.includes('不支持的文件类型') && document.querySelector('[data-testid="compose-body"]').value === '网络断了也不丢';
	})()`)
	noErrors(t, ctx)

	// 撤回 leaves the menu when its time is up: a message sent 115 s ago
	// offers it for 5 s more.
	s.world.Clock.Set(sent.Add(-115*time.Second - 2*time.Minute)) // postAs moves it on 2 minutes
	s.postAs(t, "13900000001", "快到两分钟的消息")
	s.world.Clock.Set(sent)

	// A 360 px phone: nothing wider than the screen, the menu included.
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(s.URL+feed),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compose"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the feed at 360 px scrolled to the newest message", scrolledToNewest)
	late := `[...document.querySelectorAll('#messages li.msg.own')].pop()`
	if left := eval[float64](t, ctx, `Number(`+late+`.querySelector('[data-testid="menu-recall"]')?.dataset.recallLeft || -1)`); left < 1 || left > 5 {
		t.Fatalf("recall offered for %v s on a message sent 115 s ago", left)
	}
	waitJS(t, ctx, "撤回 gone when its time is up", late+`.querySelector('[data-testid="menu-recall"]') === null && `+late+`.querySelector('[data-testid="menu-copy"]') !== null`)
	if !eval[bool](t, ctx, noOverflow) {
		t.Fatalf("wider than 360 px: %v", eval[float64](t, ctx, `document.documentElement.scrollWidth`))
	}
	shot(t, ctx, "after-feed-360")
	openMenu(t, ctx, `[...document.querySelectorAll('#messages li.msg:not(.own)')].pop()`)
	if !eval[bool](t, ctx, noOverflow) {
		t.Fatal("the open menu makes the page wider than 360 px")
	}
	shot(t, ctx, "after-menu-360")
	noErrors(t, ctx)
	apptest.Screenshot(t, ctx, "after-feed-360-page")
}

// catchErrors makes every page the browser opens note its script errors,
// console errors and content-security-policy violations in
// window.__errors, for noErrors.
func catchErrors(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		window.__errors = [];
		addEventListener('error', e => window.__errors.push('error: ' + e.message));
		addEventListener('unhandledrejection', e => window.__errors.push('rejection: ' + e.reason));
		document.addEventListener('securitypolicyviolation', e => window.__errors.push('csp: ' + e.violatedDirective + ' ' + e.blockedURI));
		const logError = console.error;
		console.error = (...args) => { window.__errors.push('console: ' + args.join(' ')); logError.apply(console, args); };`})
	if err != nil {
		t.Fatal(err)
	}
}

// noErrors fails the test if the page noted any error.
func noErrors(t *testing.T, ctx context.Context) {
	t.Helper()
	if errs := eval[[]string](t, ctx, `window.__errors || ['no error catcher on this page']`); len(errs) > 0 {
		t.Fatalf("page errors: %q", errs)
	}
}

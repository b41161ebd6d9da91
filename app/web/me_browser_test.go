package web_test

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
)

// On a 360 px phone, 我的 shows the devices without scrolling sideways;
// tapping 导出我的数据 downloads the zip and stays on the page; 退出其他设备
// leaves this one device.
func TestMePhone(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	wechat := apptest.NewClient(t, s.URL)
	loginAs(t, wechat, "13900000001", uaWeChat)
	s.postAs(t, "13900000001", "手机上看到的消息")

	ctx := phoneLogin(t, s.URL, "13900000001")
	phone360(t, ctx)
	errs := watchScriptErrors(t, ctx)
	dir := t.TempDir()
	done := make(chan string, 1)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
			select {
			case done <- e.GUID:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	events := true
	if _, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/me"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="me-sessions"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if n := jsValue[int](t, ctx, `document.querySelectorAll('[data-testid="session"]').length`); n != 3 {
		t.Errorf("%d devices listed, want 3", n)
	}
	noSideScroll(t, ctx, "我的")
	apptest.Screenshot(t, ctx, "me-sessions-360")

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="me-data"] a[href="/me/export"]`))); err != nil {
		t.Fatal(err)
	}
	var guid string
	select {
	case guid = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the export did not download")
	}
	if path := jsValue[string](t, ctx, `location.pathname`); path != "/me" {
		t.Errorf("after the download the page is %s", path)
	}
	zr, err := zip.OpenReader(filepath.Join(dir, guid))
	if err != nil {
		t.Fatalf("the downloaded export: %v", err)
	}
	defer zr.Close()
	var doc exportDoc
	for _, f := range zr.File {
		if f.Name != "data.json" {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
	}
	if len(doc.Messages) != 1 || doc.Messages[0].Body != "手机上看到的消息" {
		t.Errorf("messages in the downloaded export: %+v", doc.Messages)
	}
	if _, err := os.Stat(filepath.Join(dir, guid)); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="logout-others"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="only-this-device"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if flash := jsValue[string](t, ctx, `document.querySelector('[data-testid="flash"]').textContent`); !strings.Contains(flash, "已退出其他 2 台设备") {
		t.Errorf("flash: %q", flash)
	}
	noSideScroll(t, ctx, "我的 after 退出其他设备")
	apptest.Screenshot(t, ctx, "me-others-out-360")
	if r := wechat.Get("/"); r.StatusCode != 303 {
		t.Errorf("the WeChat session after 退出其他设备: %d", r.StatusCode)
	}
	if e := errs.all(); len(e) > 0 {
		t.Errorf("script errors: %q", e)
	}
}

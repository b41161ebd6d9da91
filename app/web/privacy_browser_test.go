package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
	"jiaxiao/app/privacy"
)

// TestPrivacyOnAPhone: on a 360 px phone, the registration form folds the
// notice away and refuses an unticked box with the message beside it and
// the typed name kept; the notice opens to scroll in its own box; the
// consent page after a change, 谁查看了我的信息 and the admin's page fit
// the screen.
func TestPrivacyOnAPhone(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	ctx := context.Background()
	n := s.notice(t, false)
	s.clients["owner"].Get(fmt.Sprintf("/notices/%d/receipts.csv", n.ID)) // an entry for 张伟's access log

	b := apptest.Browser(t, 90*time.Second)
	phone360(t, b)
	err := chromedp.Do(b,
		chromedp.Navigate(s.URL+"/register"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="consent-box"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if open := jsValue[bool](t, b, `document.querySelector('[data-testid=privacy-fold]').open`); open {
		t.Error("the notice is unfolded on a phone")
	}
	fitsPhone(t, b, "/register")
	err = chromedp.Do(b,
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), "13600136000"),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "赵丽"),
		chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), "123456"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "parent-123"),
		tapJS(`document.querySelector('[data-testid=register-submit]')`),
		chromedp.WaitVisible(chromedp.CSS(`#consent-error [data-testid="field-error"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := jsValue[string](t, b, `document.querySelector('input[name=name]').value`); got != "赵丽" {
		t.Errorf("the name typed is lost: %q", got)
	}
	// The message sits right under the box, and the box says it is wrong.
	gap := jsValue[float64](t, b, `document.querySelector('#consent-error').getBoundingClientRect().top - document.querySelector('label.consent-check').getBoundingClientRect().bottom`)
	if gap < -1 || gap > 24 || jsValue[string](t, b, `document.querySelector('#consent').getAttribute('aria-invalid')`) != "true" {
		t.Errorf("the consent message is %v px from its box", gap)
	}
	apptest.Screenshot(t, b, "privacy-register-refused-360")
	if err := chromedp.Do(b, tapJS(`document.querySelector('[data-testid=privacy-fold] summary')`)); err != nil {
		t.Fatal(err)
	}
	jsWait(t, b, "the notice to unfold", `document.querySelector('[data-testid=privacy-fold]').open`)
	box := jsValue[[2]float64](t, b, `(e => [e.clientHeight, e.scrollHeight])(document.querySelector('.privacy-scroll'))`)
	if box[0] <= 0 || box[0] > 740*0.6 || box[1] <= box[0] {
		t.Errorf("the open notice does not scroll in its own box: %v", box)
	}
	fitsPhone(t, b, "/register with the notice open")
	apptest.Screenshot(t, b, "privacy-register-open-360")

	// A parent after the notice changed: the consent page, then the log.
	if _, err := s.world.Privacy.Publish(ctx, s.world.ByPhone("13800000001"), privacy.NoticeInput{Policy: "新的隐私政策。", Children: "新的儿童规则。",
		Officer: "王建国（校长）", Contact: "021-12345678", AsksAgain: true}); err != nil {
		t.Fatal(err)
	}
	p := apptest.Browser(t, 60*time.Second)
	phone360(t, p)
	err = chromedp.Do(p,
		chromedp.Navigate(s.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), "13900000001"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "secret-123"),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="consent-page"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	fitsPhone(t, p, "/privacy/consent")
	apptest.Screenshot(t, p, "privacy-consent-360")
	err = chromedp.Do(p,
		tapJS(`document.querySelector('[data-testid=consent-agree]')`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home"]`)),
		chromedp.Navigate(s.URL+"/me"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="consent-record"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := jsValue[string](t, p, `document.querySelector('[data-testid=consent-version]').textContent`); got != "第 2 版" {
		t.Errorf("我的 shows %q", got)
	}
	apptest.Screenshot(t, p, "privacy-me-360")
	err = chromedp.Do(p,
		tapJS(`[...document.querySelectorAll('[data-testid=me-data] a')].find(a => a.textContent.includes('谁查看了我的信息'))`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="access-line"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := jsValue[string](t, p, `document.querySelector('[data-testid=access-who]').textContent`); got != "李芳" {
		t.Errorf("access log shows %q", got)
	}
	fitsPhone(t, p, "/me/access")
	apptest.Screenshot(t, p, "privacy-access-360")

	a := adminBrowser(t, s)
	sw, cw := pageWidth(t, a, s.URL, "/admin/privacy", "[data-testid=privacy-form]")
	if sw > cw || cw > 360 {
		t.Errorf("/admin/privacy is %d px wide on a %d px screen", sw, cw)
	}
	apptest.Screenshot(t, a, "privacy-admin-360")
}

// fitsPhone fails the test if the page is wider than the 360 px screen
// (the layout viewport's width: under mobile emulation innerWidth grows
// with the content).
func fitsPhone(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	w := jsValue[[2]int](t, ctx, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
	if w[0] > w[1] || w[1] > 360 {
		t.Errorf("%s: the page is %d px wide on a %d px screen", page, w[0], w[1])
	}
}

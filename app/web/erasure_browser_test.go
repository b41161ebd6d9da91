package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
	"jiaxiao/app/message"
	"jiaxiao/app/notice"
)

var smsCode = regexp.MustCompile(`\d{6}`)

// The families' data-rights journey of issue 13 on a phone: a parent
// registers, joins the class group, writes in it and reads a notice;
// closes the account at /me/delete; cannot log in again; the erasure job
// runs a week later (fake clock); the head teacher's feed shows
// 已注销用户 and the receipts CSV has no trace of the phone.
//
// On the way it registers once without consent (refused, nothing lost)
// and reads its export back (data.json holds its message and consent).
func TestDataRightsJourney(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	ctx := context.Background()
	w := s.world
	const phone, password = "13700001234", "liumin-2026"

	b := apptest.Browser(t, 120*time.Second)
	// Register.
	err := chromedp.Do(b,
		chromedp.Navigate(s.URL+"/register"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="register-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), phone),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "刘敏"),
		chromedp.Click(chromedp.CSS(`[data-testid="send-code"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="alert-ok"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	var code string
	waitForWithin(t, "the registration code", 10*time.Second, func() bool {
		s.sent.mu.Lock()
		defer s.sent.mu.Unlock()
		for _, m := range s.sent.msgs {
			if m.Phone == phone {
				code = smsCode.FindString(m.Text)
			}
		}
		return code != ""
	})
	// Without consent the form comes back with the reason beside the box
	// and what was typed kept; ticked, the account is made.
	err = chromedp.Do(b,
		chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), code),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		tapJS(`document.querySelector('[data-testid="register-submit"]')`),
		chromedp.WaitVisible(chromedp.CSS(`#consent-error [data-testid="field-error"]`)),
	)
	if err != nil {
		t.Fatalf("register without consent: %v", err)
	}
	if msg := jsValue[string](t, b, `document.querySelector('#consent-error').textContent`); !strings.Contains(msg, "同意") {
		t.Errorf("without consent the page says %q", msg)
	}
	if kept := jsValue[string](t, b, `document.querySelector('input[name="phone"]').value + ' ' + document.querySelector('input[name="name"]').value`); kept != phone+" 刘敏" {
		t.Errorf("after the refusal the form holds %q", kept)
	}
	if w.DB.Where("phone = ?", phone).Find(&[]auth.User{}).RowsAffected != 0 {
		t.Fatal("an account was made without consent")
	}
	apptest.Screenshot(t, b, "rights-0-no-consent")
	err = chromedp.Do(b,
		chromedp.SetValue(chromedp.CSS(`input[name="password"]`), password),
		tapJS(`document.querySelector('[data-testid="consent-box"]')`),
		tapJS(`document.querySelector('[data-testid="register-submit"]')`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home"]`)),
	)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	apptest.Screenshot(t, b, "rights-1-registered")

	// Join 三年级(2)班 for 刘洋; the head teacher approves.
	err = chromedp.Do(b,
		chromedp.Navigate(s.URL+"/join/"+s.c32.InviteCode),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="join-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="student_no"]`), "20230203"),
		chromedp.SendKeys(chromedp.CSS(`input[name="student_name"]`), "刘洋"),
		chromedp.SetValue(chromedp.CSS(`select[name="relation"]`), "母亲"),
		chromedp.Click(chromedp.CSS(`[data-testid="join-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="join-done"]`)),
	)
	if err != nil {
		t.Fatalf("join: %v", err)
	}
	parent := w.ByPhone(phone)
	var req group.JoinRequest
	if err := w.DB.Where("parent_id = ?", parent.ID).Take(&req).Error; err != nil {
		t.Fatal(err)
	}
	head := w.ByPhone("13800000002")
	if err := w.Groups.Approve(ctx, head, s.c32.ID, req.ID); err != nil {
		t.Fatal(err)
	}

	// Write in the class group.
	const said = "刘洋明天去医院复查，请假一天"
	err = chromedp.Do(b,
		chromedp.Navigate(fmt.Sprintf("%s/groups/%d", s.URL, s.c32.ID)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compose-body"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="compose-body"]`), said),
		chromedp.Click(chromedp.CSS(`[data-testid="compose-send"]`)),
	)
	if err == nil {
		_, err = chromedp.Run(b, chromedp.Poll[bool](`[...document.querySelectorAll('[data-testid="message-body"]')].some(e => e.textContent.includes('`+said+`'))`,
			chromedp.WithPollingTimeout(15*time.Second)))
	}
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	apptest.Screenshot(t, b, "rights-2-posted")

	// A notice to the class that the parent reads and acknowledges.
	n, err := w.Notices.Compose(ctx, head, notice.ComposeInput{Title: "体检通知", Body: "周三上午体检，请空腹。", Category: "通知",
		GroupIDs: []uint64{s.c32.ID}, RequiresAck: true})
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(b,
		chromedp.Navigate(fmt.Sprintf("%s/notices/%d", s.URL, n.ID)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="ack"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="ack"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="acked"]`)),
	)
	if err != nil {
		t.Fatalf("read and acknowledge: %v", err)
	}

	// The head teacher looked at the receipts while the account was open:
	// the parent's access log has a line, which the erasure takes too.
	s.clients["owner"].Get(fmt.Sprintf("/notices/%d/receipts", n.ID))
	var viewed int64
	w.DB.Table("pii_views").Where("user_id = ?", parent.ID).Count(&viewed)
	if viewed == 0 {
		t.Fatal("the head teacher's look at the receipts left no access-log line")
	}
	// 导出我的数据, read back: data.json holds the message and the consent.
	doc, raw := exportFromBrowser(t, b)
	if len(doc.Messages) != 1 || doc.Messages[0].Body != said {
		t.Errorf("messages in the export: %+v", doc.Messages)
	}
	if !strings.Contains(raw, `"privacy"`) || !strings.Contains(raw, `"agreed_at"`) {
		t.Errorf("the export has no consent record: %.300s", raw)
	}

	// 我的 → 注销账号 → the password → confirm.
	err = chromedp.Do(b,
		chromedp.Navigate(s.URL+"/me"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="close-account-link"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, b, "rights-3-me")
	err = chromedp.Do(b,
		tapJS(`document.querySelector('[data-testid="close-account-link"]')`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="close-form"]`)),
	)
	if err != nil {
		t.Fatalf("to /me/delete: %v", err)
	}
	noSideScroll(t, b, "/me/delete")
	// The day the data goes is on the school's clock (a week from 2 November).
	if warn, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`[data-testid="close-page"]`))); !strings.Contains(warn, "7 天后（11月9日）删除") {
		t.Errorf("the closing page: %q", warn)
	}
	apptest.Screenshot(t, b, "rights-4-close-page")
	// The page asks for confirmation before it sends; the test says yes.
	jsValue[bool](t, b, `window.confirm = () => true; true`)
	err = chromedp.Do(b,
		chromedp.SendKeys(chromedp.CSS(`#close-password`), password),
		tapJS(`document.querySelector('[data-testid="close-submit"]')`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
	)
	if err != nil {
		t.Fatalf("close: %v", err)
	}
	flash, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`[data-testid="flash"]`)))
	if !strings.Contains(flash, "已注销") || !strings.Contains(flash, "7 天后删除") {
		t.Errorf("after closing: %q", flash)
	}
	apptest.Screenshot(t, b, "rights-5-closed")

	// Logging in again is refused with the reason.
	err = chromedp.Do(b,
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), phone),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="alert-error"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if msg, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`[data-testid="alert-error"]`))); !strings.Contains(msg, "该账号已注销") {
		t.Errorf("login after closing: %q", msg)
	}
	apptest.Screenshot(t, b, "rights-6-login-refused")

	// A week later the erasure job runs.
	w.Clock.Advance(7*24*time.Hour + time.Minute)
	if _, err := w.Worker().RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if u, _ := w.Auth.User(ctx, parent.ID); u.Status != auth.StatusErased {
		t.Fatalf("not erased: %s", u.Status)
	}

	// The head teacher's feed: 已注销用户, the text gone.
	teacher := phoneLogin(t, s.URL, "13800000002")
	err = chromedp.Do(teacher,
		chromedp.Navigate(fmt.Sprintf("%s/groups/%d", s.URL, s.c32.ID)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="messages"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	feed, _ := chromedp.Run(teacher, chromedp.Text(chromedp.CSS(`[data-testid="messages"]`)))
	if !strings.Contains(feed, auth.ErasedName) || !strings.Contains(feed, message.ErasedBody) || strings.Contains(feed, said) || strings.Contains(feed, "刘敏") {
		t.Errorf("the feed after the erasure: %q", feed)
	}
	noSideScroll(t, teacher, "the feed")
	apptest.Screenshot(t, teacher, "rights-7-feed-erased")

	// The admin's users page on the phone: the erased parent, and the
	// 注销 of another parent behind 管理, with its reason box.
	admin := phoneLogin(t, s.URL, "13800000001")
	other := w.ByPhone("13900000006")
	card := fmt.Sprintf("#user-%d", other.ID)
	err = chromedp.Do(admin,
		chromedp.Navigate(s.URL+"/admin/users?role=parent"),
		chromedp.WaitVisible(chromedp.CSS(card+` [data-testid="user-actions"] summary`)),
		tapJS(`document.querySelector('`+card+` [data-testid="user-actions"] summary')`),
		chromedp.WaitVisible(chromedp.CSS(card+` [data-testid="erase"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	noSideScroll(t, admin, "/admin/users with 注销 open")
	if row, _ := chromedp.Run(admin, chromedp.Text(chromedp.CSS(fmt.Sprintf("#user-%d", parent.ID)))); !strings.Contains(row, "已注销，资料已删除") || strings.Contains(row, phone) {
		t.Errorf("the erased parent on the users page: %q", row)
	}
	apptest.Screenshot(t, admin, "rights-8-admin-users")

	w.DB.Table("pii_views").Where("user_id = ?", parent.ID).Count(&viewed)
	if viewed != 0 {
		t.Errorf("%d access-log lines about the erased parent remain", viewed)
	}
	// The receipts CSV: the row stays, the phone is gone.
	csv := s.clients["owner"].Get(fmt.Sprintf("/notices/%d/receipts.csv", n.ID)).Body
	if strings.Contains(csv, phone) || strings.Contains(csv, "刘敏") || !strings.Contains(csv, auth.ErasedName+",,家长,,") {
		t.Errorf("the receipts CSV after the erasure:\n%s", csv)
	}
}

// exportFromBrowser downloads /me/export with the page's own session and
// returns data.json, parsed and as text.
func exportFromBrowser(t *testing.T, ctx context.Context) (exportDoc, string) {
	t.Helper()
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch('/me/export').then(r => {
		if (!r.ok) { throw new Error('export ' + r.status); }
		return r.arrayBuffer();
	}).then(buf => {
		const u = new Uint8Array(buf);
		let s = '';
		for (let i = 0; i < u.length; i += 8192) { s += String.fromCharCode.apply(null, u.subarray(i, i + 8192)); }
		return btoa(s);
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the export is not a zip: %v", err)
	}
	for _, f := range zr.File {
		if f.Name != "data.json" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(rc)
		rc.Close()
		var doc exportDoc
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		return doc, string(raw)
	}
	t.Fatal("no data.json in the export")
	return exportDoc{}, ""
}

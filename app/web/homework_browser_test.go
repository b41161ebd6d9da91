package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
)

// journeyPhone is a person's own phone: a browser 360 px wide, signed in
// as phone through the login page, noting the script and console errors
// of every page it opens (for noErrors).
func journeyPhone(t *testing.T, base, phone string) context.Context {
	t.Helper()
	ctx := apptest.Browser(t, 4*time.Minute)
	catchErrors(t, ctx)
	phone360(t, ctx)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), phone),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "secret-123"),
		tapJS(`document.querySelector('[data-testid="login-submit"]')`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home"]`)),
	)
	if err != nil {
		t.Fatalf("log in %s: %v", phone, err)
	}
	noErrors(t, ctx)
	return ctx
}

// until waits for a JavaScript condition, across page loads (a poll would
// end with the page it started on): the condition is asked again on every
// try, whichever page is showing.
func until(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitReady(chromedp.JSPath(`((`+cond+`) ? document.body : null)`))); err != nil {
		now, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search + '\n' + document.body.innerText.slice(0, 600)`))
		t.Fatalf("waiting for %s: %v\nthe page: %s", what, err, now)
	}
}

// visit opens path and waits for the element ready names.
func visit(t *testing.T, ctx context.Context, base, path, ready string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(ready))); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
}

// tapTo taps what a JavaScript expression gives (a link or a form's
// button) and waits for the next page, which shows ready (a JavaScript
// condition). The page tapped on is marked so that it cannot pass for the
// next one.
func tapTo(t *testing.T, ctx context.Context, what, target, ready string) {
	t.Helper()
	eval[bool](t, ctx, `(document.documentElement.dataset.left = 'yes') === 'yes'`)
	if err := chromedp.Do(ctx, tapJS(target)); err != nil {
		t.Fatalf("tap for %s: %v", what, err)
	}
	until(t, ctx, what, `!document.documentElement.dataset.left && document.readyState === 'complete' && (`+ready+`)`)
}

// flashSays is a condition: the page's one-time message includes text.
func flashSays(text string) string {
	return `((document.querySelector('[data-testid="flash"]') || {}).textContent || '').includes(` + jsString(text) + `)`
}

// fitsPhones fails the test if the page is wider than a 390 or a 360 px
// phone, and leaves the phone at 360.
func fitsPhones(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, w := range []int64{390, 360} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 780, chromedp.EmulateMobile, chromedp.EmulateScale(2))); err != nil {
			t.Fatal(err)
		}
		got := eval[[2]int](t, ctx, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
		if got[0] > got[1] || got[1] > int(w) {
			t.Errorf("%s: the page is %d px wide on a %d px phone", page, got[0], w)
		}
	}
}

// photosShow brings each photo inside scope (a JavaScript expression for
// an element) into view and waits until it has loaded, and returns how
// many there are.
func photosShow(t *testing.T, ctx context.Context, what, scope string) int {
	t.Helper()
	n := eval[int](t, ctx, scope+`.querySelectorAll('img').length`)
	for i := 0; i < n; i++ {
		img := scope + `.querySelectorAll('img')[` + strconv.Itoa(i) + `]`
		eval[bool](t, ctx, `(e => { e.scrollIntoView({block: 'center'}); return true })(`+img+`)`)
		until(t, ctx, what+": photo "+strconv.Itoa(i+1)+" loaded", `(e => e.complete && e.naturalWidth > 0)(`+img+`)`)
	}
	return n
}

// sheetLine is a JavaScript expression for the submissions sheet's line of
// the student name.
func sheetLine(name string) string {
	return `[...document.querySelectorAll('[data-testid="sheet-line"]')].find(l => l.querySelector('.row-title').textContent === ` + jsString(name) + `)`
}

// TestHomeworkJourney: on phones, a teacher sets homework with a photo; a
// parent hands in two photos, another parent one; the teacher marks the
// first 优 with a comment and sends the second back; the first parent sees
// the mark, the second sees 打回 and hands in again, and the sheet shows
// the work 已交 once more. Every photo loads where it is shown, no page is
// wider than a 360 or 390 px phone, and no page logs an error.
func TestHomeworkJourney(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	// Monday 2026-11-02, 08:00 at school: due tomorrow evening.
	const due = "2026-11-03 20:00"
	title := "观察秋天的落叶"

	// 陈志强 sets the homework from 家校本.
	teacher := journeyPhone(t, s.URL, "13800000003")
	visit(t, teacher, s.URL, "/homework", `[data-testid="new-homework"]`)
	tapTo(t, teacher, "the homework form", `document.querySelector('[data-testid="new-homework"]')`, `document.querySelector('[data-testid="homework-form"]')`)
	fitsPhones(t, teacher, "/homework/new")
	if !eval[bool](t, teacher, `document.querySelector('input[name="class_id"]').checked && document.querySelector('input[name="requires_submission"]').checked`) {
		t.Error("the form does not start with the teacher's one class and 需要家长在线提交 ticked")
	}
	err := chromedp.Do(teacher,
		chromedp.SendKeys(chromedp.CSS(`input[name="title"]`), title),
		chromedp.SendKeys(chromedp.CSS(`input[name="subject"]`), "科学"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="body"]`), "捡三片不同形状的落叶，贴在本子上，写出它们的名字，拍照上传。"),
		chromedp.SendKeys(chromedp.CSS(`input[name="due_at"]`), due),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="homework-form"] input[name="file"]`), []string{photo(t, "落叶示例.png", 360)}),
	)
	if err != nil {
		t.Fatalf("fill the homework form: %v", err)
	}
	shot(t, teacher, "1-set")
	tapTo(t, teacher, "the homework set", `document.querySelector('[data-testid="homework-submit"]')`, flashSays("作业已布置"))
	hw := eval[string](t, teacher, `location.pathname`)
	if got := eval[string](t, teacher, `document.querySelector('[data-testid="homework-due"]').textContent`); got != due {
		t.Errorf("due %q, want %q", got, due)
	}
	if n := photosShow(t, teacher, "the assignment", `document.querySelector('[data-testid="homework"]')`); n != 1 {
		t.Errorf("the assignment shows %d photos, want 1", n)
	}
	fitsPhones(t, teacher, hw)
	noErrors(t, teacher)

	// 张伟 finds it first on his list and hands in two photos for 张小明.
	zhang := journeyPhone(t, s.URL, "13900000001")
	visit(t, zhang, s.URL, "/homework", `[data-testid="homework-family"]`)
	if row := eval[string](t, zhang, `document.querySelector('[data-testid="homework-row"]').textContent`); !strings.Contains(row, title) || !strings.Contains(row, "待提交") {
		t.Errorf("the parent's first homework row: %q", row)
	}
	fitsPhones(t, zhang, "the parent's /homework")
	tapTo(t, zhang, "the assignment", `document.querySelector('[data-testid="homework-row"] a')`, `document.querySelector('[data-testid="submit-form"]')`)
	if n := photosShow(t, zhang, "the assignment for the parent", `document.querySelector('[data-testid="homework"]')`); n != 1 {
		t.Errorf("the parent sees %d photos of the assignment, want 1", n)
	}
	err = chromedp.Do(zhang,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="submit-form"] textarea[name="body"]`), "三片落叶：银杏、枫叶、梧桐。"),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="submit-form"] input[name="file"]`), []string{photo(t, "银杏.png", 320), photo(t, "枫叶.png", 300)}),
	)
	if err != nil {
		t.Fatalf("fill the hand-in: %v", err)
	}
	fitsPhones(t, zhang, hw+" with the hand-in form")
	shot(t, zhang, "2-hand-in")
	tapTo(t, zhang, "the work handed in", `document.querySelector('[data-testid="hand-in"]')`, flashSays("作业已提交"))
	if got := eval[string](t, zhang, `document.querySelector('[data-testid="child-status"]').textContent`); got != "已交" {
		t.Errorf("after handing in, 张小明's work is %q", got)
	}
	if n := photosShow(t, zhang, "the hand-in", `document.querySelector('[data-testid="child-work"]')`); n != 2 {
		t.Errorf("the hand-in shows %d photos, want 2", n)
	}
	noErrors(t, zhang)

	// 王强 hands in one photo for 王芳.
	wang := journeyPhone(t, s.URL, "13900000003")
	visit(t, wang, s.URL, hw, `[data-testid="submit-form"]`)
	err = chromedp.Do(wang,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="submit-form"] textarea[name="body"]`), "王芳的落叶"),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="submit-form"] input[name="file"]`), []string{photo(t, "落叶.png", 280)}),
	)
	if err != nil {
		t.Fatalf("fill the second hand-in: %v", err)
	}
	tapTo(t, wang, "the second work handed in", `document.querySelector('[data-testid="hand-in"]')`, flashSays("作业已提交"))
	noErrors(t, wang)

	// The teacher opens the sheet from the assignment: both lines 已交,
	// every photo viewable.
	visit(t, teacher, s.URL, hw, `[data-testid="sheet-link"]`)
	tapTo(t, teacher, "the submissions sheet", `document.querySelector('[data-testid="sheet-link"]')`, `document.querySelector('[data-testid="sheet"]')`)
	for name, photos := range map[string]int{"张小明": 2, "王芳": 1} {
		if got := eval[string](t, teacher, sheetLine(name)+`.querySelector('[data-testid="sheet-status"]').textContent`); got != "已交" {
			t.Errorf("%s on the sheet: %q, want 已交", name, got)
		}
		if n := photosShow(t, teacher, name+"'s work on the sheet", sheetLine(name)); n != photos {
			t.Errorf("%s's line shows %d photos, want %d", name, n, photos)
		}
	}
	// A line is laid out as a card row: its text clear of the card's edge,
	// its status a tag, not a bar across the screen, and its photos
	// thumbnails side by side.
	line := eval[[4]float64](t, teacher, `(l => { const r = l.getBoundingClientRect(), name = l.querySelector('.row-title').getBoundingClientRect(),
		tag = l.querySelector('[data-testid="sheet-status"]').getBoundingClientRect(), imgs = [...l.querySelectorAll('img')].map(i => i.getBoundingClientRect());
		return [name.left - r.left, tag.width / r.width, imgs[1].top - imgs[0].top, imgs[0].height]; })(`+sheetLine("张小明")+`)`)
	if line[0] < 8 {
		t.Errorf("the sheet's names are %.0f px from the card's edge", line[0])
	}
	if line[1] > 0.5 {
		t.Errorf("the sheet's status tag is %.0f%% of the line's width", line[1]*100)
	}
	if line[2] != 0 || line[3] > 130 {
		t.Errorf("the sheet's photos are not thumbnails side by side: the second %.0f px below the first, %.0f px high", line[2], line[3])
	}
	if got := eval[string](t, teacher, `document.querySelector('[data-testid="sheet-counts"]').textContent`); !strings.HasPrefix(got, "已交 2 ·") {
		t.Errorf("sheet counts: %q", got)
	}
	fitsPhones(t, teacher, hw+"/submissions")
	shot(t, teacher, "3-sheet")

	// 张小明's: 优 with a comment.
	const praise = "观察仔细，字迹工整！"
	err = chromedp.Do(teacher,
		chromedp.SetValue(chromedp.JSPath(sheetLine("张小明")+`.querySelector('select[name="grade"]')`), "优"),
		chromedp.SendKeys(chromedp.JSPath(sheetLine("张小明")+`.querySelector('input[name="comment"]')`), praise),
	)
	if err != nil {
		t.Fatalf("mark 张小明: %v", err)
	}
	tapTo(t, teacher, "张小明 marked", sheetLine("张小明")+`.querySelector('[data-testid="review-submit"]')`, flashSays("批改已保存"))
	// 王芳's: sent back with what to change.
	const redo = "请把三片叶子的名字都写上"
	err = chromedp.Do(teacher,
		chromedp.SendKeys(chromedp.JSPath(sheetLine("王芳")+`.querySelector('input[name="comment"]')`), redo),
		tapJS(sheetLine("王芳")+`.querySelector('input[name="redo"]')`),
	)
	if err != nil {
		t.Fatalf("send 王芳's back: %v", err)
	}
	tapTo(t, teacher, "王芳's work sent back", sheetLine("王芳")+`.querySelector('[data-testid="review-submit"]')`, flashSays("已打回"))
	for name, want := range map[string]string{"张小明": "已批改", "王芳": "打回"} {
		if got := eval[string](t, teacher, sheetLine(name)+`.querySelector('[data-testid="sheet-status"]').textContent`); got != want {
			t.Errorf("%s after marking: %q, want %q", name, got, want)
		}
	}
	fitsPhones(t, teacher, hw+"/submissions after marking")
	shot(t, teacher, "4-marked")
	noErrors(t, teacher)

	// 张伟 sees 优 and the comment, and no form to change marked work.
	visit(t, zhang, s.URL, hw, `[data-testid="child-mark"]`)
	if got := eval[string](t, zhang, `document.querySelector('[data-testid="child-status"]').textContent`); got != "已批改" {
		t.Errorf("张小明's work for his father: %q, want 已批改", got)
	}
	if mark := eval[string](t, zhang, `document.querySelector('[data-testid="child-mark"]').textContent`); !strings.Contains(mark, "评价：优") || !strings.Contains(mark, praise) {
		t.Errorf("the mark 张伟 sees: %q", mark)
	}
	if eval[bool](t, zhang, `document.querySelector('[data-testid="submit-form"]') !== null`) {
		t.Error("marked work still offers a hand-in form")
	}
	if n := photosShow(t, zhang, "the marked work", `document.querySelector('[data-testid="child-work"]')`); n != 2 {
		t.Errorf("the marked work shows %d photos, want 2", n)
	}
	fitsPhones(t, zhang, hw+" marked")
	shot(t, zhang, "5-marked-for-parent")
	noErrors(t, zhang)

	// 王强 sees 打回 with the reason and hands in again.
	visit(t, wang, s.URL, "/homework", `[data-testid="homework-family"]`)
	if got := eval[string](t, wang, `(e => e.textContent + (e.classList.contains('todo') ? ' (to do)' : ''))(document.querySelector('[data-testid="homework-state"]'))`); got != "打回 (to do)" {
		t.Errorf("王强's list: %q, want 打回 marked as still to do", got)
	}
	tapTo(t, wang, "the work sent back", `document.querySelector('[data-testid="homework-row"] a')`, `document.querySelector('[data-testid="submit-form"]')`)
	if got := eval[string](t, wang, `document.querySelector('[data-testid="child-status"]').textContent`); got != "打回" {
		t.Errorf("王芳's work for her father: %q, want 打回", got)
	}
	if mark := eval[string](t, wang, `document.querySelector('[data-testid="child-mark"]').textContent`); !strings.Contains(mark, redo) {
		t.Errorf("what to change, as 王强 sees it: %q", mark)
	}
	if got := eval[string](t, wang, `document.querySelector('[data-testid="hand-in"]').textContent.trim()`); got != "重新提交" {
		t.Errorf("the button to hand in again says %q", got)
	}
	fitsPhones(t, wang, hw+" sent back")
	shot(t, wang, "6-sent-back")
	err = chromedp.Do(wang,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="submit-form"] textarea[name="body"]`), "银杏、枫叶、梧桐，名字都写上了。"),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="submit-form"] input[name="file"]`), []string{photo(t, "重交.png", 300)}),
	)
	if err != nil {
		t.Fatalf("fill the hand-in again: %v", err)
	}
	tapTo(t, wang, "the work handed in again", `document.querySelector('[data-testid="hand-in"]')`, flashSays("作业已提交"))
	if got := eval[string](t, wang, `document.querySelector('[data-testid="child-status"]').textContent`); got != "已交" {
		t.Errorf("after handing in again: %q, want 已交", got)
	}
	noErrors(t, wang)

	// The sheet shows 王芳's work 已交 again, with the new photo.
	visit(t, teacher, s.URL, hw+"/submissions", `[data-testid="sheet"]`)
	for name, want := range map[string]string{"张小明": "已批改", "王芳": "已交"} {
		if got := eval[string](t, teacher, sheetLine(name)+`.querySelector('[data-testid="sheet-status"]').textContent`); got != want {
			t.Errorf("%s at the end: %q, want %q", name, got, want)
		}
	}
	if n := photosShow(t, teacher, "王芳's new work", sheetLine("王芳")); n != 1 {
		t.Errorf("王芳's new work shows %d photos, want 1", n)
	}
	if body := eval[string](t, teacher, sheetLine("王芳")+`.querySelector('.body').textContent`); !strings.Contains(body, "名字都写上了") {
		t.Errorf("王芳's line shows %q, not the new work", body)
	}
	fitsPhones(t, teacher, hw+"/submissions at the end")
	shot(t, teacher, "7-handed-in-again")
	noErrors(t, teacher)
}

package web_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
	"jiaxiao/app/school"
	"jiaxiao/app/studentleave"
)

// leaveItem is a JavaScript expression for the leave list's entry of the
// student name.
func leaveItem(name string) string {
	return `[...document.querySelectorAll('[data-testid="leave"]')].find(l => l.querySelector('.req-head strong').textContent === ` + jsString(name) + `)`
}

// TestLeaveJourney: on phones, a parent asks for 病假 with 发热 and 咳嗽
// from this morning to tomorrow afternoon; the head teacher finds it
// first on the class's list, ahead of a newer request already decided,
// and approves it; the class's morning view shows the child 病假 with the
// symptoms; the admin's day counts it under the class and the symptoms,
// and the day's CSV, fetched by the admin's browser, reads back with its
// header and the child's row. No page is wider than a 360 or 390 px
// phone, and no page logs an error.
func TestLeaveJourney(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	w := s.world
	at := w.Clock.Now().In(shanghai) // Monday morning at school
	today, tomorrow, later := at.Format(time.DateOnly), at.AddDate(0, 0, 1).Format(time.DateOnly), at.AddDate(0, 0, 2).Format(time.DateOnly)

	// 张伟 asks for 张小明's sick leave.
	parent := journeyPhone(t, s.URL, "13900000001")
	visit(t, parent, s.URL, "/leave", `[data-testid="new-leave"]`)
	tapTo(t, parent, "the leave form", `document.querySelector('[data-testid="new-leave"]')`, `document.querySelector('[data-testid="leave-form"]')`)
	if child := eval[string](t, parent, `document.querySelector('select[name="student_id"]').selectedOptions[0].textContent`); !strings.Contains(child, "张小明") {
		t.Errorf("the form is for %q", child)
	}
	err := chromedp.Do(parent,
		tapJS(`document.querySelector('input[name="kind"][value="病假"]')`),
		chromedp.SetValue(chromedp.CSS(`input[name="start_date"]`), today),
		chromedp.SetValue(chromedp.CSS(`select[name="start_half"]`), "am"),
		chromedp.SetValue(chromedp.CSS(`input[name="end_date"]`), tomorrow),
		chromedp.SetValue(chromedp.CSS(`select[name="end_half"]`), "pm"),
		tapJS(`document.querySelector('input[name="symptoms"][value="发热"]')`),
		tapJS(`document.querySelector('input[name="symptoms"][value="咳嗽"]')`),
		chromedp.SendKeys(chromedp.CSS(`input[name="reason"]`), "夜里发烧咳嗽，在家休息"),
	)
	if err != nil {
		t.Fatalf("fill the leave form: %v", err)
	}
	if ticked := eval[[]string](t, parent, `[...document.querySelectorAll('input[name="symptoms"]:checked')].map(b => b.value)`); strings.Join(ticked, ",") != "发热,咳嗽" {
		t.Errorf("symptoms ticked: %q", ticked)
	}
	fitsPhones(t, parent, "/leave/new")
	shot(t, parent, "1-ask")
	tapTo(t, parent, "the request filed", `document.querySelector('[data-testid="leave-form"] button[type="submit"]')`, flashSays("请假申请已提交"))
	mine := eval[string](t, parent, leaveItem("张小明")+`.textContent`)
	for _, want := range []string{"病假 2 天", "待审批", "发热、咳嗽", today + " 上午 至 " + tomorrow + " 下午"} {
		if !strings.Contains(mine, want) {
			t.Errorf("the parent's request does not say %q: %q", want, mine)
		}
	}
	fitsPhones(t, parent, "the parent's /leave")
	noErrors(t, parent)

	// Meanwhile 王强 asks 事假 for 王芳 the day after, and it is approved:
	// newer and later than 张小明's, yet listed after it.
	var wang school.Student
	if err := w.DB.Where("student_no = ?", "20230202").Take(&wang).Error; err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := w.Leave.Request(ctx, w.ByPhone("13900000003"), studentleave.RequestInput{StudentID: wang.ID, Kind: studentleave.Personal,
		StartDate: later, StartHalf: studentleave.AM, EndDate: later, EndHalf: studentleave.PM, Reason: "参加亲戚婚礼"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Leave.Approve(ctx, w.ByPhone("13800000002"), l.ID); err != nil {
		t.Fatal(err)
	}

	// 李芳, the head teacher, approves it from the top of her list.
	head := journeyPhone(t, s.URL, "13800000002")
	visit(t, head, s.URL, "/leave", `[data-testid="leave-list"]`)
	order := eval[[]string](t, head, `[...document.querySelectorAll('[data-testid="leave"]')].map(l => l.querySelector('.req-head strong').textContent + ' ' + l.querySelector('[data-testid="leave-status"]').textContent)`)
	if strings.Join(order, ",") != "张小明 待审批,王芳 已批准" {
		t.Errorf("the head teacher's list: %q, want the pending request first", order)
	}
	if item := eval[string](t, head, leaveItem("张小明")+`.textContent`); !strings.Contains(item, "发热、咳嗽") || !strings.Contains(item, "申请人：张伟") {
		t.Errorf("the request as the head teacher sees it: %q", item)
	}
	fitsPhones(t, head, "the head teacher's /leave")
	shot(t, head, "2-pending")
	tapTo(t, head, "the request approved", leaveItem("张小明")+`.querySelector('[data-testid="approve-leave"]')`, flashSays("已批准"))
	if got := eval[string](t, head, leaveItem("张小明")+`.querySelector('[data-testid="leave-status"]').textContent`); got != "已批准" {
		t.Errorf("after approving: %q", got)
	}
	noErrors(t, head)

	// The morning view: 张小明 病假 with his symptoms, 王芳 in school.
	tapTo(t, head, "the morning view", `document.querySelector('[data-testid="leave-link"]')`, `document.querySelector('[data-testid="roll"]')`)
	if got := eval[string](t, head, `document.querySelector('[data-testid="away-count"]').textContent`); got != today+" · 请假 1 人" {
		t.Errorf("the morning view's count: %q", got)
	}
	pupil := func(name string) string {
		return `[...document.querySelectorAll('[data-testid="pupil"]')].find(p => p.querySelector('strong').textContent === ` + jsString(name) + `)`
	}
	if got := eval[string](t, head, pupil("张小明")+`.querySelector('[data-testid="pupil-status"]').textContent`); got != "病假" {
		t.Errorf("张小明 this morning: %q, want 病假", got)
	}
	if got := eval[string](t, head, pupil("张小明")+`.querySelector('[data-testid="pupil-detail"]').textContent`); !strings.Contains(got, "发热、咳嗽") {
		t.Errorf("张小明's detail this morning: %q", got)
	}
	if got := eval[string](t, head, pupil("王芳")+`.querySelector('[data-testid="pupil-status"]').textContent`); got != "在校" {
		t.Errorf("王芳 this morning: %q, want 在校", got)
	}
	fitsPhones(t, head, "the morning view")
	shot(t, head, "3-morning")
	noErrors(t, head)

	// The parent sees it approved.
	visit(t, parent, s.URL, "/leave", `[data-testid="leave-list"]`)
	if got := eval[string](t, parent, leaveItem("张小明")+`.querySelector('[data-testid="leave-status"]').textContent`); got != "已批准" {
		t.Errorf("the parent's request after approval: %q", got)
	}
	noErrors(t, parent)

	// The school's day: counted under the class and each symptom.
	admin := journeyPhone(t, s.URL, "13800000001")
	visit(t, admin, s.URL, "/admin/student-leave?date="+today, `[data-testid="day-total"]`)
	if got := eval[string](t, admin, `document.querySelector('[data-testid="day-total"]').textContent`); got != today+" · 事假 0 人，病假 1 人" {
		t.Errorf("the school's day: %q", got)
	}
	symptoms := eval[[]string](t, admin, `[...document.querySelectorAll('[data-testid="by-symptom"] li')].map(l => l.textContent)`)
	if strings.Join(symptoms, ",") != "发热 1 人,咳嗽 1 人" {
		t.Errorf("病假 by symptom: %q", symptoms)
	}
	class := eval[[]string](t, admin, `[...[...document.querySelectorAll('[data-testid="by-class"] tbody tr')].find(r => r.cells[0].textContent === '三年级(2)班').cells].map(c => c.textContent)`)
	if strings.Join(class, ",") != "三年级(2)班,0,1" {
		t.Errorf("三年级(2)班 on the school's day: %q", class)
	}
	if rows := eval[string](t, admin, `document.querySelector('[data-testid="day-rows"] tbody').textContent`); !strings.Contains(rows, "张小明") || strings.Contains(rows, "王芳") {
		t.Errorf("the day's list: %q", rows)
	}
	fitsPhones(t, admin, "/admin/student-leave")
	// The tables scroll sideways in their boxes rather than break a
	// class, a date or a name over lines.
	broken := eval[[]string](t, admin, `[...document.querySelectorAll('.table-scroll th, .table-scroll td')].filter(c => {
		const r = document.createRange(); r.selectNodeContents(c);
		return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size > 1;
	}).map(c => c.textContent)`)
	if len(broken) > 0 {
		t.Errorf("cells broken over lines on a phone: %q", broken)
	}
	shot(t, admin, "4-school-day")

	// The CSV the page links to, fetched by the admin's browser and read back.
	href := eval[string](t, admin, `document.querySelector('[data-testid="day-csv"]').getAttribute('href')`)
	if href != "/admin/student-leave.csv?date="+today {
		t.Errorf("the CSV link: %q", href)
	}
	text, err := chromedp.Run(admin, chromedp.Evaluate[string](`fetch(`+jsString(href)+`).then(r => {
		if (!r.ok) { throw new Error('csv ' + r.status); }
		return r.text();
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch the CSV: %v", err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("the CSV: %v\n%s", err, text)
	}
	if got := strings.Join(recs[0], ","); got != "年级,班级,学号,姓名,类型,开始,结束,症状,状态" {
		t.Errorf("the CSV's header: %q", got)
	}
	want := "三年级,三年级(2)班,20230201,张小明,病假," + today + " 上午," + tomorrow + " 下午,发热、咳嗽,已批准"
	if got := strings.Join(recs[1], ","); got != want {
		t.Errorf("张小明's CSV row: %q, want %q", got, want)
	}
	noErrors(t, admin)
}

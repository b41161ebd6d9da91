package web

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/attendance"
	"jiaxiao/app/calendar"
	"jiaxiao/app/privacy"
	"jiaxiao/app/school"
	"jiaxiao/storage"
	attviews "jiaxiao/views/attendance"
	"jiaxiao/views/component"
)

// statusClass is the CSS class of a day's standing.
func statusClass(s attendance.Status) string {
	return map[attendance.Standing]string{attendance.Problem: "bad", attendance.Fine: "ok", attendance.Resting: "rest", attendance.Undecided: "pending"}[s.Standing()]
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

var weekdayNames = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// dayTitle is "11月18日 星期三".
func dayTitle(t time.Time) string {
	return fmt.Sprintf("%d月%d日 %s", int(t.Month()), t.Day(), weekdayNames[t.Weekday()])
}

// attNow is the attendance service's time in the school's zone: the time
// a punch made now is stamped with, and what "today" means on these pages.
func (s *Server) attNow() time.Time { return s.attendance.Now().In(s.loc) }

func (s *Server) monthParam(c echo.Context) (string, time.Time) {
	m := c.QueryParam("month")
	t, err := time.ParseInLocation("2006-01", m, s.loc)
	if err != nil {
		now := s.attNow()
		t = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, s.loc)
	}
	return t.Format("2006-01"), t
}

// dateParam is the query's date if it is one, else "".
func dateParam(c echo.Context, name string) string {
	v := c.QueryParam(name)
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return ""
	}
	return v
}

// Flashes of the attendance pages.
var (
	flashPunched        = newFlash("att-punched", 8, sayPunched)
	flashLeaveFiled     = sayFlash("att-leave", "请假申请已提交，等待审批。")
	flashMakeupFiled    = sayFlash("att-makeup", "补卡申请已提交，等待审批。")
	flashApproved       = sayFlash("att-approved", "已通过该申请，申请人会收到通知。")
	flashRejected       = sayFlash("att-rejected", "已驳回该申请，申请人会看到驳回理由。")
	flashMonthConfirmed = sayFlash("att-confirmed", "已确认 %d 年 %d 月的考勤，本月已锁定。")
	flashImported       = sayFlash("att-imported", "导入完成：新增 %d 条，已有 %d 条。")
	flashDaySet         = sayFlash("att-day-set", "校历安排已保存。")
	flashDayDeleted     = sayFlash("att-day-deleted", "已删除这一天的安排。")
)

var punchWhich = [...]string{"上班", "下班", "打卡"}

// sayPunched: which punch (0 上班, 1 下班, 2 打卡), its time (hour, minute,
// second), whether it was in the field and how far, whether the accuracy
// was poor and how poor.
func sayPunched(n []int64) string {
	out := fmt.Sprintf("%s打卡成功（%02d:%02d:%02d）。", punchWhich[min(n[0], 2)], n[1], n[2], n[3])
	if n[4] == 1 {
		out += fmt.Sprintf("外勤：距学校 %d 米，超出打卡范围，已记为外勤。", n[5])
	}
	if n[6] == 1 {
		out += fmt.Sprintf("定位精度 %d 米，结果可能不准，已标记给审核人；建议到室外或打开 Wi-Fi 后重试。", n[7])
	}
	return out
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// actionOf is the button's words for a punch that counts as which.
func actionOf(which string) string {
	if which == "in" {
		return "上班打卡"
	}
	return "下班打卡"
}

func (s *Server) punchView(c echo.Context) (attviews.PunchView, error) {
	ctx, u := c.Request().Context(), userOf(c)
	m, mt := s.monthParam(c)
	now := s.attNow()
	today := calendar.DayOf(now, s.loc)
	own, err := s.attendance.Own(ctx, u, m)
	if err != nil {
		return attviews.PunchView{}, err
	}
	set, err := s.settings.Get(ctx)
	if err != nil {
		return attviews.PunchView{}, err
	}
	cal, err := s.settings.Calendar(ctx)
	if err != nil {
		return attviews.PunchView{}, err
	}
	rule, err := s.attendance.MakeupRule(ctx, u, m)
	if err != nil {
		return attviews.PunchView{}, err
	}
	d, err := s.attendance.Today(ctx, u)
	if err != nil {
		return attviews.PunchView{}, err
	}
	punches, err := s.attendance.TodayPunches(ctx, u)
	if err != nil {
		return attviews.PunchView{}, err
	}
	_, offset := now.Zone()
	v := attviews.PunchView{CSRF: csrfOf(c), Month: m, MonthTitle: fmt.Sprintf("%d年%d月", mt.Year(), int(mt.Month())),
		Clock: attviews.Clock{UnixMilli: now.UnixMilli(), OffsetSec: offset, Time: now.Format("15:04:05"), Date: dayTitle(now)},
		Fence: attviews.Fence{Set: set.SchoolLat != 0 || set.SchoolLng != 0, Lat: fmtNum(set.SchoolLat), Lng: fmtNum(set.SchoolLng),
			RadiusM: set.GeofenceM, MaxAccuracyM: set.MaxAccuracyM},
		PrevURL: "/attendance?month=" + mt.AddDate(0, -1, 0).Format("2006-01"), NextURL: "/attendance?month=" + mt.AddDate(0, 1, 0).Format("2006-01"),
		Leave: attviews.LeaveForm{Errors: map[string]string{}}, Makeup: attviews.MakeupForm{Errors: map[string]string{}}}
	for _, k := range attendance.LeaveKinds {
		v.LeaveKinds = append(v.LeaveKinds, component.Option{Value: k, Label: k})
	}
	v.TodayStatus, v.TodayClass = d.Status.Label(), statusClass(d.Status)
	if !d.Work {
		v.DayNote = "休息日，打卡不计入考勤"
		if k := cal.Explain(today); k.Name != "" {
			v.DayNote = k.Name + "，打卡不计入考勤"
		}
	}
	v.Punches = s.punchLines(d, punches)
	r := attendance.RulesFrom(set, s.loc)
	next := attendance.NextPunch(r, d, now)
	v.Action = actionOf(next)
	if d.Out != nil {
		v.ActionNote = "已打过下班卡，再打一次会更新下班时间。"
	}
	if next == "in" {
		v.SwitchAt, v.SwitchAction = r.Middle(today).UnixMilli(), actionOf("out")
	}
	sm := own.Summary
	v.Summary = []attviews.Stat{{Label: "应出勤", Value: strconv.Itoa(sm.WorkDays)}, {Label: "迟到", Value: strconv.Itoa(sm.Late)},
		{Label: "早退", Value: strconv.Itoa(sm.Early)}, {Label: "缺卡", Value: strconv.Itoa(sm.Missing)}, {Label: "旷工", Value: fmtNum(sm.Absent)},
		{Label: "请假", Value: fmtNum(sm.Leave)}}
	v.Weeks = s.monthWeeks(own.Days, today, cal, rule)
	switch {
	case rule.Locked:
		v.MakeupNote = "本月考勤已确认锁定，不能再补卡。"
	case rule.Quota == 0:
		v.MakeupNote = "学校没有开放补卡。"
	case rule.Left() == 0:
		v.MakeupNote = fmt.Sprintf("本月补卡次数已用完（每月最多 %d 次）。", rule.Quota)
	default:
		v.MakeupNote = fmt.Sprintf("本月还可补卡 %d 次（每月最多 %d 次），只能补 %d 个工作日以内的卡。", rule.Left(), rule.Quota, attendance.MakeupWindow)
	}
	v.MakeupMin, v.MakeupMax = string(rule.Earliest()), string(today)
	if d := dateParam(c, "makeup"); d != "" {
		v.Makeup.Date = d
		if c.QueryParam("which") == "out" {
			v.Makeup.Which = "out"
		}
	}
	if d := dateParam(c, "leave"); d != "" {
		v.Leave.Start, v.Leave.End = d+"T"+set.WorkStart, d+"T"+set.WorkEnd
	}
	mine, err := s.attendance.Mine(ctx, u)
	if err != nil {
		return v, err
	}
	for _, a := range mine {
		r := attviews.Request{Status: map[string]string{attendance.StatusPending: "待审批", attendance.StatusApproved: "已同意", attendance.StatusRejected: "已驳回"}[a.Status],
			Class:  map[string]string{attendance.StatusPending: "pending", attendance.StatusApproved: "ok", attendance.StatusRejected: "bad"}[a.Status],
			Reason: a.RejectReason}
		r.What, r.When = s.describe(a)
		v.Requests = append(v.Requests, r)
	}
	return v, nil
}

// punchLines lists today's punches, each once as what it counts as: the
// first clocks in, the last clocks out (a lone punch is one of the two,
// by the time of day), the ones between count for nothing. Approved
// make-ups, which have no punch of their own, are listed as such.
func (s *Server) punchLines(d attendance.Day, punches []attendance.Punch) []attviews.PunchLine {
	var out []attviews.PunchLine
	seenIn, seenOut := false, false
	for _, p := range punches {
		l := attviews.PunchLine{Which: "打卡", Time: p.At.In(s.loc).Format("15:04:05"), Note: p.Note}
		switch {
		case !seenIn && d.In != nil && p.At.Equal(*d.In):
			l.Which, seenIn = "上班", true
		case !seenOut && d.Out != nil && p.At.Equal(*d.Out):
			l.Which, seenOut = "下班", true
		}
		switch {
		case p.Source == attendance.SourceTerminal:
			l.Where = "考勤机"
		case p.Field:
			l.Where, l.Field = fmt.Sprintf("外勤 · 距学校 %.0f 米", p.DistanceM), true
		case p.DistanceM > 0:
			l.Where = fmt.Sprintf("在范围内 · 距学校 %.0f 米", p.DistanceM)
		default:
			l.Where = "定位打卡"
		}
		if p.Flagged {
			l.Warn = fmt.Sprintf("定位精度 %.0f 米，结果可能不准", p.Accuracy)
		}
		out = append(out, l)
	}
	if d.In != nil && !seenIn {
		out = append([]attviews.PunchLine{{Which: "上班", Time: d.In.In(s.loc).Format("15:04:05"), Where: "补卡"}}, out...)
	}
	if d.Out != nil && !seenOut {
		out = append(out, attviews.PunchLine{Which: "下班", Time: d.Out.In(s.loc).Format("15:04:05"), Where: "补卡"})
	}
	return out
}

// monthWeeks lays a month out a week a row from Monday, blank cells before
// the first and after the last day. Days to come say nothing; a flagged
// day offers leave, and a make-up only where the make-up rule allows one.
func (s *Server) monthWeeks(days []attendance.Day, today calendar.Day, cal calendar.Calendar, rule attendance.MakeupRule) [][]attviews.CalDay {
	var weeks [][]attviews.CalDay
	var week []attviews.CalDay
	for i, d := range days {
		t, err := time.ParseInLocation(time.DateOnly, string(d.Day), s.loc)
		if err != nil {
			continue
		}
		col := (int(t.Weekday()) + 6) % 7 // Monday first
		if i == 0 {
			week = make([]attviews.CalDay, col)
		}
		week = append(week, s.calDay(d, t, today, cal, rule))
		if col == 6 {
			weeks, week = append(weeks, week), nil
		}
	}
	if len(week) > 0 {
		for len(week) < 7 {
			week = append(week, attviews.CalDay{})
		}
		weeks = append(weeks, week)
	}
	return weeks
}

func (s *Server) calDay(d attendance.Day, t time.Time, today calendar.Day, cal calendar.Calendar, rule attendance.MakeupRule) attviews.CalDay {
	cd := attviews.CalDay{Day: string(d.Day), Label: strconv.Itoa(t.Day()), Today: d.Day == today}
	kind := cal.Explain(d.Day)
	weekend := t.Weekday() == time.Saturday || t.Weekday() == time.Sunday
	switch {
	case !kind.Work:
		cd.Mark, cd.MarkTip = "休", "休息日"
		if kind.Name != "" {
			cd.MarkTip = kind.Name
			if n := []rune(kind.Name); len(n) <= 3 {
				cd.Mark = kind.Name
			}
		}
	case weekend || kind.Name != "":
		cd.Mark, cd.MarkTip = "班", "工作日"
		if kind.Name != "" {
			cd.MarkTip = kind.Name
		}
	}
	if d.In != nil {
		cd.In = d.In.In(s.loc).Format("15:04")
	}
	if d.Out != nil {
		cd.Out = d.Out.In(s.loc).Format("15:04")
	}
	switch {
	case d.Day > today:
		cd.Class = "future"
		return cd
	case !d.Work:
		cd.Class = "rest"
		return cd
	}
	cd.Status, cd.Class = d.Status.Label(), statusClass(d.Status)
	if d.Status.Standing() != attendance.Problem {
		return cd
	}
	q := url.Values{"month": {rule.Month}, "leave": {string(d.Day)}}
	cd.LeaveURL = "/attendance?" + q.Encode() + "#leave"
	if rule.CanMakeUp(d.Day) == nil {
		q = url.Values{"month": {rule.Month}, "makeup": {string(d.Day)}}
		if d.In != nil {
			q.Set("which", "out")
		}
		cd.MakeupURL = "/attendance?" + q.Encode() + "#makeup"
	}
	return cd
}

func (s *Server) attendancePage(c echo.Context) error {
	v, err := s.punchView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, attviews.PunchPage(page(c, "考勤"), v))
}

// attendanceFailed re-renders the punch page with the reason and what was typed.
func (s *Server) attendanceFailed(c echo.Context, cause error, fill func(*attviews.PunchView, map[string]string)) error {
	v, err := s.punchView(c)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	status, msg := formError(cause, fields)
	if status >= 500 {
		return cause
	}
	v.Error = msg
	if msg == "" && fields[""] != "" {
		v.Error = fields[""]
	}
	fill(&v, fields)
	return render(c, status, attviews.PunchPage(page(c, "考勤"), v))
}

func floatParam(c echo.Context, name string) *float64 { return floatValue(c.FormValue(name)) }

func (s *Server) punch(c echo.Context) error {
	ctx, u := c.Request().Context(), userOf(c)
	note := c.FormValue("note")
	refused := func(err error) error {
		return s.attendanceFailed(c, err, func(v *attviews.PunchView, f map[string]string) { v.Note, v.NoteError = note, f["note"] })
	}
	// What the punch counts as, named the way the button named it.
	before, err := s.attendance.Today(ctx, u)
	if err != nil {
		return err
	}
	set, err := s.settings.Get(ctx)
	if err != nil {
		return err
	}
	which := int64(1)
	if attendance.NextPunch(attendance.RulesFrom(set, s.loc), before, s.attendance.Now()) == "in" {
		which = 0
	}
	p, err := s.attendance.Punch(ctx, u, attendance.PunchInput{Lat: floatParam(c, "lat"), Lng: floatParam(c, "lng"),
		Accuracy: floatParam(c, "accuracy"), Note: note, IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
	if err != nil {
		return refused(err)
	}
	at := p.At.In(s.loc)
	s.setFlash(c, flashPunched, which, int64(at.Hour()), int64(at.Minute()), int64(at.Second()),
		b2i(p.Field), int64(math.Round(p.DistanceM)), b2i(p.Flagged), int64(math.Round(p.Accuracy)))
	return redirect(c, "/attendance")
}

func (s *Server) leave(c echo.Context) error {
	in := attendance.LeaveInput{Kind: c.FormValue("kind"), Start: c.FormValue("start"), End: c.FormValue("end"), Reason: c.FormValue("reason")}
	if _, err := s.attendance.RequestLeave(c.Request().Context(), userOf(c), in); err != nil {
		return s.attendanceFailed(c, err, func(v *attviews.PunchView, f map[string]string) {
			v.Leave = attviews.LeaveForm{Kind: in.Kind, Start: in.Start, End: in.End, Reason: in.Reason, Errors: f}
		})
	}
	s.setFlash(c, flashLeaveFiled)
	return redirect(c, "/attendance")
}

func (s *Server) makeup(c echo.Context) error {
	in := attendance.MakeupInput{Date: c.FormValue("date"), Which: c.FormValue("which"), Reason: c.FormValue("reason")}
	if _, err := s.attendance.RequestMakeup(c.Request().Context(), userOf(c), in); err != nil {
		return s.attendanceFailed(c, err, func(v *attviews.PunchView, f map[string]string) {
			v.Makeup = attviews.MakeupForm{Date: in.Date, Which: in.Which, Reason: in.Reason, Errors: f}
		})
	}
	s.setFlash(c, flashMakeupFiled)
	return redirect(c, "/attendance")
}

// describe says what a request is for and when, for lists.
func (s *Server) describe(a attendance.Approval) (what, when string) {
	if a.Kind == attendance.KindMakeup {
		return "补卡", a.Day + map[string]string{"in": " 上班卡", "out": " 下班卡"}[a.Which]
	}
	return a.LeaveKind + " " + fmtNum(a.Days) + " 天", a.StartAt.In(s.loc).Format("01-02 15:04") + " 至 " + a.EndAt.In(s.loc).Format("01-02 15:04")
}

func (s *Server) approvalsPage(c echo.Context) error {
	return s.renderApprovals(c, http.StatusOK, 0, "")
}

// renderApprovals shows the inbox; refused, if not 0, is the request
// whose rejection needs a reason, given by msg beside its field.
func (s *Server) renderApprovals(c echo.Context, status int, refused uint64, msg string) error {
	items, err := s.attendance.Inbox(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	shown := privacy.Shown{Kind: privacy.KindApprovals, Ref: "approvals", Label: "待审批的请假、补卡"}
	for _, it := range items {
		shown.Users = append(shown.Users, it.UserID)
	}
	if err := s.shown(c, shown); err != nil {
		return err
	}
	v := attviews.ApprovalsView{CSRF: csrfOf(c)}
	for _, it := range items {
		id := strconv.FormatUint(it.ID, 10)
		row := attviews.InboxItem{Who: it.Name, Reason: it.Reason, Filed: "提交于 " + it.CreatedAt.In(s.loc).Format("01-02 15:04"),
			ApproveURL: "/approvals/" + id + "/approve", RejectURL: "/approvals/" + id + "/reject"}
		row.What, row.When = s.describe(it.Approval)
		if it.ID == refused {
			row.RejectError = msg
		}
		v.Items = append(v.Items, row)
	}
	return render(c, status, attviews.ApprovalsPage(page(c, "审批"), v))
}

func (s *Server) decideApproval(approve bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		err = s.attendance.Decide(c.Request().Context(), userOf(c), id, approve, c.FormValue("reason"))
		if ve, ok := apperr.AsValidation(err); ok && ve.Fields["reason"] != "" {
			return s.renderApprovals(c, http.StatusUnprocessableEntity, id, ve.Message())
		}
		if err != nil {
			return err
		}
		if approve {
			s.setFlash(c, flashApproved)
		} else {
			s.setFlash(c, flashRejected)
		}
		return redirect(c, "/approvals")
	}
}

func (s *Server) dailyPage(c echo.Context) error {
	ctx, u := c.Request().Context(), userOf(c)
	now := s.attNow()
	day := dateParam(c, "date")
	if day == "" {
		day = now.Format(time.DateOnly)
	}
	t, _ := time.ParseInLocation(time.DateOnly, day, s.loc)
	rows, err := s.attendance.Daily(ctx, u, calendar.Day(day))
	if err != nil {
		return err
	}
	shown := privacy.Shown{Kind: privacy.KindDaily, Ref: day, Label: dayTitle(t)}
	for _, r := range rows {
		shown.Users = append(shown.Users, r.ID)
	}
	if err := s.shown(c, shown); err != nil {
		return err
	}
	notable, err := s.attendance.NotablePunches(ctx, u, calendar.Day(day))
	if err != nil {
		return err
	}
	byUser := map[uint64][]attviews.BoardPunch{}
	for _, p := range notable {
		bp := attviews.BoardPunch{Time: p.At.In(s.loc).Format("15:04:05"), Field: p.Field, Note: p.Note,
			Where: fmt.Sprintf("距学校 %.0f 米（%.5f, %.5f）", p.DistanceM, p.Lat, p.Lng)}
		if p.Flagged {
			bp.Warn = fmt.Sprintf("定位精度 %.0f 米，结果可能不准", p.Accuracy)
		}
		byUser[p.UserID] = append(byUser[p.UserID], bp)
	}
	cal, err := s.settings.Calendar(ctx)
	if err != nil {
		return err
	}
	kind := cal.Explain(calendar.Day(day))
	v := attviews.DailyView{Date: day, Title: dayTitle(t), Work: kind.Work, PrevURL: "/attendance/daily?date=" + t.AddDate(0, 0, -1).Format(time.DateOnly),
		NextURL: "/attendance/daily?date=" + t.AddDate(0, 0, 1).Format(time.DateOnly)}
	if kind.Name != "" {
		v.DayNote = "（" + kind.Name + "）"
	}
	future := day > now.Format(time.DateOnly)
	days := make([]attendance.Day, 0, len(rows))
	for _, r := range rows {
		d := r.Days[0]
		row := attviews.BoardRow{Name: r.Name, Department: r.Department, Status: d.Status.Label(), Class: statusClass(d.Status), Punches: byUser[r.ID]}
		if future {
			row.Status, row.Class = "未到", "future"
		} else {
			days = append(days, d)
		}
		if d.In != nil {
			row.In = d.In.In(s.loc).Format("15:04:05")
		}
		if d.Out != nil {
			row.Out = d.Out.In(s.loc).Format("15:04:05")
		}
		if d.FieldCount > 0 {
			row.Note = "外勤 " + strconv.Itoa(d.FieldCount) + " 次"
		}
		v.Rows = append(v.Rows, row)
	}
	for _, n := range attendance.Tally(days) {
		v.Counts = append(v.Counts, attviews.Stat{Label: n.Label, Value: strconv.Itoa(n.N)})
	}
	return render(c, http.StatusOK, attviews.DailyPage(page(c, "每日考勤"), v))
}

// monthlyView is the month's summary, recorded as shown (kind: the page
// or one of its downloads).
func (s *Server) monthlyView(c echo.Context, kind privacy.Kind) (attviews.MonthlyView, []attendance.TeacherMonth, error) {
	ctx := c.Request().Context()
	m, mt := s.monthParam(c)
	rows, err := s.attendance.Month(ctx, userOf(c), m)
	if err != nil {
		return attviews.MonthlyView{}, nil, err
	}
	shown := privacy.Shown{Kind: kind, Ref: m, Label: mt.Format("2006年1月") + "考勤"}
	for _, r := range rows {
		shown.Users = append(shown.Users, r.ID)
	}
	if err := s.shown(c, shown); err != nil {
		return attviews.MonthlyView{}, nil, err
	}
	q := url.Values{"month": {m}}.Encode()
	v := attviews.MonthlyView{CSRF: csrfOf(c), Month: m, CSVURL: "/attendance/monthly.csv?" + q, XLSXURL: "/attendance/monthly.xlsx?" + q,
		ConfirmURL: "/attendance/monthly/confirm", PrevURL: "/attendance/monthly?month=" + mt.AddDate(0, -1, 0).Format("2006-01"),
		NextURL: "/attendance/monthly?month=" + mt.AddDate(0, 1, 0).Format("2006-01")}
	if locked, err := s.attendance.Locked(ctx, m); err != nil {
		return v, nil, err
	} else if locked {
		v.Confirmed = "本月考勤已确认锁定，不能再修改。"
	}
	for _, r := range rows {
		sm := r.Summary
		rate := 0
		if sm.WorkDays > 0 {
			rate = int(sm.Attended * 100 / float64(sm.WorkDays))
		}
		v.Rows = append(v.Rows, attviews.MonthRow{Name: r.Name, Phone: r.Phone, WorkDays: strconv.Itoa(sm.WorkDays), Attended: fmtNum(sm.Attended),
			Late: strconv.Itoa(sm.Late), Early: strconv.Itoa(sm.Early), Missing: strconv.Itoa(sm.Missing), Absent: fmtNum(sm.Absent),
			Field: strconv.Itoa(sm.FieldCount), Leave: fmtNum(sm.Leave), Makeups: strconv.Itoa(sm.Makeups), RatePct: rate})
	}
	return v, rows, nil
}

func (s *Server) monthlyPage(c echo.Context) error {
	v, _, err := s.monthlyView(c, privacy.KindMonthly)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, attviews.MonthlyPage(page(c, "月度考勤"), v))
}

func (s *Server) monthlyExport(xlsx bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		kind := privacy.KindMonthlyCSV
		if xlsx {
			kind = privacy.KindMonthlyXLSX
		}
		v, rows, err := s.monthlyView(c, kind)
		if err != nil {
			return err
		}
		h := c.Response().Header()
		if xlsx {
			h.Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			h.Set("Content-Disposition", storage.Disposition("考勤-"+v.Month+".xlsx"))
			c.Response().WriteHeader(http.StatusOK)
			return attendance.WriteXLSX(c.Response(), v.Month, rows)
		}
		h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		h.Set("Content-Disposition", storage.Disposition("考勤-"+v.Month+".csv"))
		c.Response().WriteHeader(http.StatusOK)
		return attendance.WriteCSV(c.Response(), rows)
	}
}

func (s *Server) confirmMonth(c echo.Context) error {
	m := c.FormValue("month")
	if err := s.attendance.Confirm(c.Request().Context(), userOf(c), m); err != nil {
		return err
	}
	t, _ := time.Parse("2006-01", m) // the service has checked it
	s.setFlash(c, flashMonthConfirmed, int64(t.Year()), int64(t.Month()))
	return redirect(c, "/attendance/monthly?month="+url.QueryEscape(m))
}

// importPunches takes a terminal export: every bad line listed (422) and
// nothing imported, or the counts.
func (s *Server) importPunches(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return apperr.Invalid("file", "请选择考勤机导出的文件")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxRosterFile+1))
	f.Close()
	if err != nil {
		return err
	}
	res, err := s.attendance.ImportPunches(c.Request().Context(), userOf(c), fh.Filename, data)
	if ie, ok := err.(*school.ImportError); ok {
		v, _, verr := s.monthlyView(c, privacy.KindMonthly)
		if verr != nil {
			return verr
		}
		for _, l := range ie.Lines {
			v.ImportError = append(v.ImportError, fmt.Sprintf("第 %d 行：%s", l.Line, l.Reason))
		}
		return render(c, http.StatusUnprocessableEntity, attviews.MonthlyPage(page(c, "月度考勤"), v))
	}
	if err != nil {
		return err
	}
	s.setFlash(c, flashImported, int64(res.Added), int64(res.Known))
	return redirect(c, "/attendance/monthly")
}

func (s *Server) calendarView(c echo.Context) (attviews.CalendarView, error) {
	rows, err := calendar.Overrides(c.Request().Context(), s.db)
	if err != nil {
		return attviews.CalendarView{}, err
	}
	year := s.attNow().Year()
	v := attviews.CalendarView{CSRF: csrfOf(c), Year: strconv.Itoa(year), Errors: map[string]string{}}
	for _, r := range rows {
		kind := "放假"
		if r.Work {
			kind = "上课"
		}
		v.Rows = append(v.Rows, attviews.CalendarRow{Day: r.Day, Kind: kind, Note: r.Note, DeleteURL: "/admin/calendar/" + r.Day + "/delete"})
	}
	for _, h := range calendar.Holidays(year) {
		kind := "放假"
		if h.Work {
			kind = "调休上班"
		}
		v.Holidays = append(v.Holidays, attviews.CalendarRow{Day: string(h.Day), Kind: kind, Note: h.Name})
	}
	return v, nil
}

func (s *Server) calendarPage(c echo.Context) error {
	v, err := s.calendarView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, attviews.CalendarPage(page(c, "校历"), v))
}

// setCalendarDay saves a school day; a refused one is answered on the
// same page (422) with what was typed and the message beside its field.
func (s *Server) setCalendarDay(c echo.Context) error {
	day, work, note := c.FormValue("day"), c.FormValue("work"), c.FormValue("note")
	err := s.attendance.SetDay(c.Request().Context(), userOf(c), day, work == "1", note)
	if _, ok := apperr.AsValidation(err); ok {
		v, verr := s.calendarView(c)
		if verr != nil {
			return verr
		}
		status, msg := formError(err, v.Errors)
		if msg != "" {
			v.Errors[""] = msg
		}
		v.Day, v.Work, v.Note = day, work, note
		return render(c, status, attviews.CalendarPage(page(c, "校历"), v))
	}
	if err != nil {
		return err
	}
	s.setFlash(c, flashDaySet)
	return redirect(c, "/admin/calendar")
}

func (s *Server) deleteCalendarDay(c echo.Context) error {
	if err := s.attendance.DeleteDay(c.Request().Context(), userOf(c), c.Param("day")); err != nil {
		return err
	}
	s.setFlash(c, flashDayDeleted)
	return redirect(c, "/admin/calendar")
}

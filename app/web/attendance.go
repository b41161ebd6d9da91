package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/attendance"
	"jiaxiao/app/calendar"
	"jiaxiao/app/school"
	"jiaxiao/storage"
	attviews "jiaxiao/views/attendance"
	"jiaxiao/views/component"
)

// statusClass is the CSS class of a day's standing.
func statusClass(s attendance.Status) string {
	return map[attendance.Standing]string{attendance.Problem: "bad", attendance.Fine: "ok", attendance.Resting: "rest"}[s.Standing()]
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (s *Server) monthParam(c echo.Context) (string, time.Time) {
	m := c.QueryParam("month")
	t, err := time.ParseInLocation("2006-01", m, s.loc)
	if err != nil {
		t = time.Date(s.now().In(s.loc).Year(), s.now().In(s.loc).Month(), 1, 0, 0, 0, 0, s.loc)
	}
	return t.Format("2006-01"), t
}

func (s *Server) punchView(c echo.Context) (attviews.PunchView, error) {
	ctx, u := c.Request().Context(), userOf(c)
	m, mt := s.monthParam(c)
	own, err := s.attendance.Own(ctx, u, m)
	if err != nil {
		return attviews.PunchView{}, err
	}
	now := s.now().In(s.loc)
	today := calendar.DayOf(now, s.loc)
	set, err := s.settings.Get(ctx)
	if err != nil {
		return attviews.PunchView{}, err
	}
	v := attviews.PunchView{CSRF: csrfOf(c), Today: string(today), Month: m, FenceSet: set.SchoolLat != 0 || set.SchoolLng != 0,
		PrevURL: "/attendance?month=" + mt.AddDate(0, -1, 0).Format("2006-01"), NextURL: "/attendance?month=" + mt.AddDate(0, 1, 0).Format("2006-01"),
		Leave: attviews.LeaveForm{Errors: map[string]string{}}, Makeup: attviews.MakeupForm{Errors: map[string]string{}}}
	for _, k := range attendance.LeaveKinds {
		v.LeaveKinds = append(v.LeaveKinds, component.Option{Value: k, Label: k})
	}
	d, err := s.attendance.Today(ctx, u)
	if err != nil {
		return v, err
	}
	v.TodayStatus = d.Status.Label()
	if d.In != nil {
		v.Punches = append(v.Punches, "上班 "+d.In.In(s.loc).Format("15:04:05"))
	}
	if d.Out != nil {
		v.Punches = append(v.Punches, "下班 "+d.Out.In(s.loc).Format("15:04:05"))
	}
	sm := own.Summary
	v.Summary = []attviews.Stat{{Label: "应出勤", Value: strconv.Itoa(sm.WorkDays)}, {Label: "迟到", Value: strconv.Itoa(sm.Late)},
		{Label: "早退", Value: strconv.Itoa(sm.Early)}, {Label: "缺卡", Value: strconv.Itoa(sm.Missing)}, {Label: "旷工", Value: fmtNum(sm.Absent)},
		{Label: "请假", Value: fmtNum(sm.Leave)}}
	if len(own.Days) > 0 {
		first, _ := time.ParseInLocation(time.DateOnly, string(own.Days[0].Day), s.loc)
		for i := 0; i < (int(first.Weekday())+6)%7; i++ {
			v.Days = append(v.Days, attviews.CalDay{Class: "blank"})
		}
	}
	for _, d := range own.Days {
		t, _ := time.ParseInLocation(time.DateOnly, string(d.Day), s.loc)
		cd := attviews.CalDay{Day: string(d.Day), Label: strconv.Itoa(t.Day()), Status: d.Status.Label(), Class: statusClass(d.Status)}
		if d.In != nil {
			cd.Detail = d.In.In(s.loc).Format("15:04")
		}
		if d.Out != nil {
			cd.Detail += "–" + d.Out.In(s.loc).Format("15:04")
		}
		if d.Status.Standing() == attendance.Problem {
			cd.Flagged = true
			cd.MakeupURL = "/attendance?month=" + m + "&makeup=" + string(d.Day) + "#makeup"
			cd.LeaveURL = "/attendance?month=" + m + "&leave=" + string(d.Day) + "#leave"
		}
		if !d.Work {
			cd.Status = ""
		}
		v.Days = append(v.Days, cd)
	}
	if d := c.QueryParam("makeup"); d != "" {
		v.Makeup.Date = d
	}
	if d := c.QueryParam("leave"); d != "" {
		v.Leave.Start, v.Leave.End = d+"T08:30", d+"T17:30"
	}
	mine, err := s.attendance.Mine(ctx, u)
	if err != nil {
		return v, err
	}
	for _, a := range mine {
		r := attviews.Request{Status: map[string]string{attendance.StatusPending: "待审批", attendance.StatusApproved: "已同意", attendance.StatusRejected: "已驳回"}[a.Status],
			Reason: a.RejectReason}
		r.What, r.When = s.describe(a)
		v.Requests = append(v.Requests, r)
	}
	v.Notice = map[string]string{"punched": "打卡成功。", "leave": "请假申请已提交。", "makeup": "补卡申请已提交。"}[c.QueryParam("done")]
	return v, nil
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
	note := c.FormValue("note")
	_, err := s.attendance.Punch(c.Request().Context(), userOf(c), attendance.PunchInput{Lat: floatParam(c, "lat"), Lng: floatParam(c, "lng"),
		Accuracy: floatParam(c, "accuracy"), Note: note, IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
	if err != nil {
		return s.attendanceFailed(c, err, func(v *attviews.PunchView, f map[string]string) { v.Note, v.NoteError = note, f["note"] })
	}
	return redirect(c, "/attendance?done=punched")
}

func (s *Server) leave(c echo.Context) error {
	in := attendance.LeaveInput{Kind: c.FormValue("kind"), Start: c.FormValue("start"), End: c.FormValue("end"), Reason: c.FormValue("reason")}
	if _, err := s.attendance.RequestLeave(c.Request().Context(), userOf(c), in); err != nil {
		return s.attendanceFailed(c, err, func(v *attviews.PunchView, f map[string]string) {
			v.Leave = attviews.LeaveForm{Kind: in.Kind, Start: in.Start, End: in.End, Reason: in.Reason, Errors: f}
		})
	}
	return redirect(c, "/attendance?done=leave")
}

func (s *Server) makeup(c echo.Context) error {
	in := attendance.MakeupInput{Date: c.FormValue("date"), Which: c.FormValue("which"), Reason: c.FormValue("reason")}
	if _, err := s.attendance.RequestMakeup(c.Request().Context(), userOf(c), in); err != nil {
		return s.attendanceFailed(c, err, func(v *attviews.PunchView, f map[string]string) {
			v.Makeup = attviews.MakeupForm{Date: in.Date, Which: in.Which, Reason: in.Reason, Errors: f}
		})
	}
	return redirect(c, "/attendance?done=makeup")
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
	v := attviews.ApprovalsView{CSRF: csrfOf(c)}
	for _, it := range items {
		id := strconv.FormatUint(it.ID, 10)
		row := attviews.InboxItem{Who: it.Name, Reason: it.Reason, ApproveURL: "/approvals/" + id + "/approve", RejectURL: "/approvals/" + id + "/reject"}
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
		return redirect(c, "/approvals")
	}
}

func (s *Server) dailyPage(c echo.Context) error {
	ctx := c.Request().Context()
	day := c.QueryParam("date")
	t, err := time.ParseInLocation(time.DateOnly, day, s.loc)
	if err != nil {
		t = s.now().In(s.loc)
		day = t.Format(time.DateOnly)
	}
	rows, err := s.attendance.Daily(ctx, userOf(c), calendar.Day(day))
	if err != nil {
		return err
	}
	cal, err := s.settings.Calendar(ctx)
	if err != nil {
		return err
	}
	kind := cal.Explain(calendar.Day(day))
	v := attviews.DailyView{Date: day, Work: kind.Work, PrevURL: "/attendance/daily?date=" + t.AddDate(0, 0, -1).Format(time.DateOnly),
		NextURL: "/attendance/daily?date=" + t.AddDate(0, 0, 1).Format(time.DateOnly)}
	if kind.Name != "" {
		v.DayNote = "(" + kind.Name + ")"
	}
	days := make([]attendance.Day, len(rows))
	for i, r := range rows {
		d := r.Days[0]
		days[i] = d
		row := attviews.BoardRow{Name: r.Name, Department: r.Department, Status: d.Status.Label(), Class: statusClass(d.Status)}
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

func (s *Server) monthlyView(c echo.Context) (attviews.MonthlyView, []attendance.TeacherMonth, error) {
	ctx := c.Request().Context()
	m, mt := s.monthParam(c)
	rows, err := s.attendance.Month(ctx, userOf(c), m)
	if err != nil {
		return attviews.MonthlyView{}, nil, err
	}
	q := url.Values{"month": {m}}.Encode()
	v := attviews.MonthlyView{CSRF: csrfOf(c), Month: m, CSVURL: "/attendance/monthly.csv?" + q, XLSXURL: "/attendance/monthly.xlsx?" + q,
		ConfirmURL: "/attendance/monthly/confirm", PrevURL: "/attendance/monthly?month=" + mt.AddDate(0, -1, 0).Format("2006-01"),
		NextURL: "/attendance/monthly?month=" + mt.AddDate(0, 1, 0).Format("2006-01")}
	if locked, err := s.attendance.Locked(ctx, m); err != nil {
		return v, nil, err
	} else if locked {
		v.Confirmed = "本月考勤已确认"
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
	v, _, err := s.monthlyView(c)
	if err != nil {
		return err
	}
	v.ImportDone = c.QueryParam("imported")
	return render(c, http.StatusOK, attviews.MonthlyPage(page(c, "月度考勤"), v))
}

func (s *Server) monthlyExport(xlsx bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, rows, err := s.monthlyView(c)
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
		v, _, verr := s.monthlyView(c)
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
	return redirect(c, "/attendance/monthly?imported="+url.QueryEscape(fmt.Sprintf("导入完成：新增 %d 条，已有 %d 条。", res.Added, res.Known)))
}

func (s *Server) calendarPage(c echo.Context) error {
	ctx := c.Request().Context()
	rows, err := calendar.Overrides(ctx, s.db)
	if err != nil {
		return err
	}
	year := s.now().In(s.loc).Year()
	v := attviews.CalendarView{CSRF: csrfOf(c), Year: strconv.Itoa(year)}
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
	return render(c, http.StatusOK, attviews.CalendarPage(page(c, "校历"), v))
}

func (s *Server) setCalendarDay(c echo.Context) error {
	if err := s.attendance.SetDay(c.Request().Context(), userOf(c), c.FormValue("day"), c.FormValue("work") == "1", c.FormValue("note")); err != nil {
		return err
	}
	return redirect(c, "/admin/calendar")
}

func (s *Server) deleteCalendarDay(c echo.Context) error {
	if err := s.attendance.DeleteDay(c.Request().Context(), userOf(c), c.Param("day")); err != nil {
		return err
	}
	return redirect(c, "/admin/calendar")
}

package demo

import (
	"context"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/attendance"
	"jiaxiao/app/calendar"
)

// punchesLastMonth fills last month (and this month so far) with punches of the demo staff so that
// every status appears: normal days, late, early leave, a missing punch
// later made up, an absence, a day of leave, field punches, and rest days.
// Rows are keyed by (user, time, source), so loading twice adds nothing.
func punchesLastMonth(ctx context.Context, g *gorm.DB, loc *time.Location, staff []uint64, now time.Time) error {
	cal, err := calendar.Load(ctx, g)
	if err != nil {
		return err
	}
	// Last month in full, and this month up to yesterday.
	first := time.Date(now.In(loc).Year(), now.In(loc).Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -1, 0)
	var days []calendar.Day
	for _, m := range []time.Time{first, first.AddDate(0, 1, 0)} {
		ds, err := attendance.MonthDays(m.Format("2006-01"), loc)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d < calendar.DayOf(now, loc) {
				days = append(days, d)
			}
		}
	}
	at := func(d calendar.Day, hm string, sec int) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", string(d)+" "+hm, loc)
		return t.Add(time.Duration(sec) * time.Second).UTC()
	}
	var punches []attendance.Punch
	var approvals []attendance.Approval
	add := func(uid uint64, t time.Time, field bool) {
		p := attendance.Punch{UserID: uid, At: t, Source: attendance.SourceTerminal, Note: "考勤机", CreatedAt: t}
		if field {
			p.Source, p.Field, p.Note, p.Lat, p.Lng, p.Accuracy, p.DistanceM = attendance.SourceGPS, true, "区教育局教研活动", 31.25, 121.47, 25, 2300
		}
		punches = append(punches, p)
	}
	decided := now.UTC()
	for k, uid := range staff {
		n := 0
		for _, d := range days {
			if !cal.IsWorkDay(d) {
				if n == 2 && k == 0 {
					add(uid, at(d, "09:10", 0), false) // a punch on a rest day: kept, not counted
				}
				continue
			}
			n++
			switch (n + k) % 12 {
			case 3: // late
				add(uid, at(d, "08:4"+string(rune('0'+k%10)), 12), false)
				add(uid, at(d, "17:36", 0), false)
			case 5: // early leave
				add(uid, at(d, "08:22", 0), false)
				add(uid, at(d, "17:12", 30), false)
			case 7: // clock-out forgotten, made up
				add(uid, at(d, "08:18", 0), false)
				approvals = append(approvals, attendance.Approval{UserID: uid, Kind: attendance.KindMakeup, Day: string(d), Which: "out",
					Reason: "演示数据", Status: attendance.StatusApproved, DecidedAt: &decided, CreatedAt: decided})
			case 8: // clock-out forgotten, not made up: missing
				add(uid, at(d, "08:25", 0), false)
			case 9: // field
				add(uid, at(d, "08:25", 0), true)
				add(uid, at(d, "17:45", 0), true)
			case 10: // absent: no punches
			case 11: // a day of leave
				s, e := at(d, "08:30", 0), at(d, "17:30", 0)
				approvals = append(approvals, attendance.Approval{UserID: uid, Kind: attendance.KindLeave, LeaveKind: "事假", StartAt: &s, EndAt: &e,
					Days: 1, Reason: "演示数据", Status: attendance.StatusApproved, DecidedAt: &decided, CreatedAt: decided})
			default:
				add(uid, at(d, "08:1"+string(rune('0'+(n%10))), 0), false)
				add(uid, at(d, "17:3"+string(rune('0'+(n%10))), 0), false)
			}
		}
	}
	return attendance.RecordHistory(ctx, g, "演示数据", punches, approvals)
}

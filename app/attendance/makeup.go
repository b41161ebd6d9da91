package attendance

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
)

// MakeupWindow is how many work days back a make-up punch may be asked
// for (DESIGN §5): on a Friday, back to the Friday before.
const MakeupWindow = 5

// MakeupRule decides whether a day of one month can still be made up. The
// teacher's calendar offers 补卡 on exactly the days it allows, and
// RequestMakeup refuses with it, so the two never disagree.
type MakeupRule struct {
	Cal    calendar.Calendar
	Loc    *time.Location
	Today  calendar.Day
	Month  string // "2026-11": the month Used and Locked are about
	Quota  int    // make-ups a month (setting makeup_per_month)
	Used   int    // make-ups pending or approved in Month
	Locked bool   // Month is confirmed
}

// Window refuses a day outside the make-up window: a rest day, a day to
// come, or one more than MakeupWindow work days back.
func (m MakeupRule) Window(day calendar.Day) error {
	switch {
	case !m.Cal.IsWorkDay(day):
		return apperr.Invalid("date", "只能为工作日补卡")
	case day > m.Today:
		return apperr.Invalid("date", "不能为以后的日期补卡")
	// Five work days never span a month, however long the holiday: a
	// date further back is refused before any counting (its input is
	// anyone's).
	case day < m.monthAgo() || workDaysBetween(m.Cal, day, m.Today, m.Loc) > MakeupWindow:
		return apperr.Invalid("date", fmt.Sprintf("只能补 %d 个工作日以内的卡", MakeupWindow))
	}
	return nil
}

func (m MakeupRule) monthAgo() calendar.Day {
	t, err := time.ParseInLocation(time.DateOnly, string(m.Today), m.Loc)
	if err != nil {
		return m.Today
	}
	return calendar.DayOf(t.AddDate(0, 0, -31), m.Loc)
}

// Earliest is the first day of the window that ends today ("" when the
// window holds no work day).
func (m MakeupRule) Earliest() calendar.Day {
	t, err := time.ParseInLocation(time.DateOnly, string(m.Today), m.Loc)
	if err != nil {
		return ""
	}
	var first calendar.Day
	// after counts the work days after t up to and including today; a year
	// bounds the walk whatever the calendar says.
	for i, after := 0, 0; i < 366 && after <= MakeupWindow; i, t = i+1, t.AddDate(0, 0, -1) {
		if d := calendar.DayOf(t, m.Loc); m.Cal.IsWorkDay(d) {
			first = d
			after++
		}
	}
	return first
}

// Left is how many more make-ups Month allows.
func (m MakeupRule) Left() int { return max(0, m.Quota-m.Used) }

func (m MakeupRule) quota() error {
	if m.Used >= m.Quota {
		return apperr.Invalid("date", fmt.Sprintf("本月补卡次数已用完（每月最多 %d 次）", m.Quota))
	}
	return nil
}

// CanMakeUp is nil when a make-up request for day would be accepted now,
// or the refusal RequestMakeup gives: outside the window, the month
// confirmed, the month's quota used up.
func (m MakeupRule) CanMakeUp(day calendar.Day) error {
	if len(day) < 7 || string(day[:7]) != m.Month {
		return apperr.Invalid("date", "补卡日期不在本月")
	}
	if err := m.Window(day); err != nil {
		return err
	}
	if m.Locked {
		return refuseMonth(m.Month)
	}
	return m.quota()
}

// MakeupRule is the make-up rule for the actor's month m ("2026-11") as it
// stands now.
func (s *Service) MakeupRule(ctx context.Context, actor *auth.User, m string) (MakeupRule, error) {
	if err := staffOnly(actor); err != nil {
		return MakeupRule{}, err
	}
	if _, err := time.Parse("2006-01", m); err != nil {
		return MakeupRule{}, apperr.Invalid("month", "月份格式应为 2026-11")
	}
	_, set, cal, err := s.rules(ctx)
	if err != nil {
		return MakeupRule{}, err
	}
	rule := MakeupRule{Cal: cal, Loc: s.loc, Today: calendar.DayOf(s.now(), s.loc), Month: m, Quota: set.MakeupPerMonth}
	if rule.Locked, err = s.Locked(ctx, m); err != nil {
		return rule, err
	}
	rule.Used, err = usedMakeups(ctx, s.db, actor.ID, m)
	return rule, err
}

// usedMakeups counts a person's make-ups pending or approved in month m.
func usedMakeups(ctx context.Context, q *gorm.DB, userID uint64, m string) (int, error) {
	var n int64
	err := q.WithContext(ctx).Model(&Approval{}).Where("user_id = ? AND kind = ? AND status IN ? AND day LIKE ?",
		userID, KindMakeup, []string{StatusPending, StatusApproved}, m+"%").Count(&n).Error
	return int(n), err
}

package attendance

import (
	"context"
	"time"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
)

// Teacher is a staff member as the reports list them.
type Teacher struct {
	ID         uint64
	Name       string
	Phone      string
	Department string
}

// TeacherMonth is one teacher's computed month.
type TeacherMonth struct {
	Teacher
	Days    []Day
	Summary Summary
}

// Month computes every staff member's month ("2026-11"): three queries
// for the data, then the pure computation.
func (s *Service) Month(ctx context.Context, actor *auth.User, m string) ([]TeacherMonth, error) {
	if err := adminOnly(actor); err != nil {
		return nil, err
	}
	days, err := MonthDays(m, s.loc)
	if err != nil {
		return nil, apperr.Invalid("month", "月份格式应为 2026-11")
	}
	return s.compute(ctx, nil, days)
}

// Own computes the actor's own month for their calendar.
func (s *Service) Own(ctx context.Context, actor *auth.User, m string) (TeacherMonth, error) {
	if err := staffOnly(actor); err != nil {
		return TeacherMonth{}, err
	}
	days, err := MonthDays(m, s.loc)
	if err != nil {
		return TeacherMonth{}, apperr.Invalid("month", "月份格式应为 2026-11")
	}
	out, err := s.compute(ctx, []uint64{actor.ID}, days)
	if err != nil || len(out) == 0 {
		return TeacherMonth{}, err
	}
	return out[0], nil
}

// Today computes the actor's own day so far.
func (s *Service) Today(ctx context.Context, actor *auth.User) (Day, error) {
	if err := staffOnly(actor); err != nil {
		return Day{}, err
	}
	out, err := s.compute(ctx, []uint64{actor.ID}, []calendar.Day{calendar.DayOf(s.now(), s.loc)})
	if err != nil || len(out) == 0 {
		return Day{}, err
	}
	return out[0].Days[0], nil
}

// Daily computes one day for every staff member.
func (s *Service) Daily(ctx context.Context, actor *auth.User, d calendar.Day) ([]TeacherMonth, error) {
	if actor.Role != auth.RoleAdmin {
		return nil, ErrNotAdmin
	}
	if _, err := time.Parse(time.DateOnly, string(d)); err != nil {
		return nil, apperr.Invalid("date", "日期格式应为 2026-11-02")
	}
	return s.compute(ctx, nil, []calendar.Day{d})
}

func (s *Service) compute(ctx context.Context, only []uint64, days []calendar.Day) ([]TeacherMonth, error) {
	r, _, cal, err := s.rules(ctx)
	if err != nil {
		return nil, err
	}
	from, _ := time.ParseInLocation(time.DateOnly, string(days[0]), s.loc)
	to, _ := time.ParseInLocation(time.DateOnly, string(days[len(days)-1]), s.loc)
	to = to.AddDate(0, 0, 1)
	staff, err := auth.CurrentStaffUsers(ctx, s.db, only)
	if err != nil {
		return nil, err
	}
	teachers := make([]Teacher, len(staff))
	for i, u := range staff {
		teachers[i] = Teacher{ID: u.ID, Name: u.Name, Phone: u.Phone, Department: u.Department}
	}
	ids := make([]uint64, len(teachers))
	for i, t := range teachers {
		ids[i] = t.ID
	}
	inputs := make(map[uint64]*Input, len(teachers))
	for _, id := range ids {
		inputs[id] = &Input{}
	}
	var ps []Punch
	if err := s.db.WithContext(ctx).Select("user_id, at, field").Where("at >= ? AND at < ? AND user_id IN ?", from.UTC(), to.UTC(), ids).Find(&ps).Error; err != nil {
		return nil, err
	}
	for _, p := range ps {
		if in := inputs[p.UserID]; in != nil {
			in.Punches = append(in.Punches, PunchIn{At: p.At, Field: p.Field})
		}
	}
	var as []Approval
	if err := s.db.WithContext(ctx).Where("status = ? AND user_id IN ? AND ((kind = ? AND start_at < ? AND end_at > ?) OR (kind = ? AND day >= ? AND day < ?))",
		StatusApproved, ids, KindLeave, to.UTC(), from.UTC(), KindMakeup, string(days[0]), to.Format(time.DateOnly)).Find(&as).Error; err != nil {
		return nil, err
	}
	for _, a := range as {
		in := inputs[a.UserID]
		if in == nil {
			continue
		}
		if a.Kind == KindLeave {
			in.Leave = append(in.Leave, Span{Start: *a.StartAt, End: *a.EndAt})
		} else {
			in.Makeups = append(in.Makeups, MakeupIn{Day: calendar.Day(a.Day), In: a.Which == "in"})
		}
	}
	now := s.now()
	out := make([]TeacherMonth, len(teachers))
	for i, t := range teachers {
		out[i].Teacher = t
		out[i].Days = make([]Day, len(days))
		for j, d := range days {
			out[i].Days[j] = Compute(r, cal, d, *inputs[t.ID], now)
		}
		out[i].Summary = Summarize(out[i].Days)
	}
	return out, nil
}

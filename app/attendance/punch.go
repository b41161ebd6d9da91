package attendance

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
)

// PunchInput is the punch form: the browser's position and an optional note.
type PunchInput struct {
	Lat, Lng, Accuracy  *float64
	Note, IP, UserAgent string
}

// Punch records a GPS punch at the server's time. Outside the geofence it
// is a field punch (外勤) and needs a note; a poor accuracy is flagged for
// the reviewer.
func (s *Service) Punch(ctx context.Context, actor *auth.User, in PunchInput) (Punch, error) {
	if err := staffOnly(actor); err != nil {
		return Punch{}, err
	}
	// Written so that NaN, which compares false with everything, fails.
	if in.Lat == nil || in.Lng == nil || in.Accuracy == nil ||
		!(math.Abs(*in.Lat) <= 90) || !(math.Abs(*in.Lng) <= 180) || !(*in.Accuracy >= 0 && *in.Accuracy <= 1e6) {
		return Punch{}, apperr.Invalid("", "没有获取到定位，请允许浏览器使用位置信息后重试")
	}
	now := s.now()
	if err := s.refuseLocked(ctx, actor, now, "punch"); err != nil {
		return Punch{}, err
	}
	_, set, _, err := s.rules(ctx)
	if err != nil {
		return Punch{}, err
	}
	p := Punch{UserID: actor.ID, At: now, Source: SourceGPS, Lat: *in.Lat, Lng: *in.Lng, Accuracy: *in.Accuracy,
		Note: strings.TrimSpace(in.Note), IP: in.IP, UserAgent: truncate(in.UserAgent, 255), CreatedAt: now}
	if set.SchoolLat != 0 || set.SchoolLng != 0 {
		p.DistanceM = Haversine(set.SchoolLat, set.SchoolLng, p.Lat, p.Lng)
		p.Field = p.DistanceM > float64(set.GeofenceM)
	}
	p.Flagged = p.Accuracy > float64(set.MaxAccuracyM)
	if p.Field && p.Note == "" {
		return Punch{}, apperr.Invalid("note", fmt.Sprintf("您在考勤范围外（距学校约 %.0f 米），外勤打卡请填写说明", p.DistanceM))
	}
	if len([]rune(p.Note)) > 200 {
		return Punch{}, apperr.Invalid("note", "说明最多 200 字")
	}
	if err := s.db.WithContext(ctx).Create(&p).Error; err != nil {
		return Punch{}, fmt.Errorf("attendance: punch: %w", err)
	}
	return p, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Now is the time a punch made now is stamped with: the punch page's clock
// shows it.
func (s *Service) Now() time.Time { return s.now() }

// MaxDayPunches bounds the punches one page lists for a day.
const MaxDayPunches = 500

// TodayPunches lists the actor's own punches today (GPS and terminal), in
// time order.
func (s *Service) TodayPunches(ctx context.Context, actor *auth.User) ([]Punch, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	from, to := s.dayBounds(calendar.DayOf(s.now(), s.loc))
	var out []Punch
	err := s.db.WithContext(ctx).Where("user_id = ? AND at >= ? AND at < ?", actor.ID, from, to).Order("at").Order("id").Limit(MaxDayPunches).Find(&out).Error
	return out, err
}

// NotablePunches lists a day's punches the principal should look at — in
// the field (with the teacher's note and the distance) or with a poor
// accuracy — in time order; admins only.
func (s *Service) NotablePunches(ctx context.Context, actor *auth.User, d calendar.Day) ([]Punch, error) {
	if err := adminOnly(actor); err != nil {
		return nil, err
	}
	if _, err := time.Parse(time.DateOnly, string(d)); err != nil {
		return nil, apperr.Invalid("date", "日期格式应为 2026-11-02")
	}
	from, to := s.dayBounds(d)
	var out []Punch
	err := s.db.WithContext(ctx).Where("at >= ? AND at < ? AND (field = ? OR flagged = ?)", from, to, true, true).
		Order("at").Order("id").Limit(MaxDayPunches).Find(&out).Error
	return out, err
}

// dayBounds is the day's first instant and the next day's, in UTC.
func (s *Service) dayBounds(d calendar.Day) (time.Time, time.Time) {
	t, _ := time.ParseInLocation(time.DateOnly, string(d), s.loc)
	return t.UTC(), t.AddDate(0, 0, 1).UTC()
}

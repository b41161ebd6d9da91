package attendance

import (
	"context"
	"fmt"
	"math"
	"strings"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
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

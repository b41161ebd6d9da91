// Package setting holds the school rules the admin edits at
// /admin/settings, stored as name/value rows over built-in defaults taken
// from the school policies (DESIGN §3, §5).
package setting

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/db"
	"jiaxiao/app/event"
	"jiaxiao/app/memo"
)

// Settings are the school's rules.
type Settings struct {
	SchoolLat            float64
	SchoolLng            float64
	GeofenceM            int
	WorkStart            string // "08:30"
	WorkEnd              string // "17:30"
	LateGraceMin         int
	AbsentAfterMin       int
	MaxAccuracyM         int
	MakeupPerMonth       int
	DingAfterWorkMin     int
	DingAfterOffhoursMin int
	QuietStart           string // "21:00"
	QuietEnd             string // "07:00"
	GuardiansPerStudent  int
}

// Defaults are the rules before an admin changes anything.
func Defaults() Settings {
	return Settings{
		GeofenceM: 300, WorkStart: "08:30", WorkEnd: "17:30", LateGraceMin: 0, AbsentAfterMin: 30,
		MaxAccuracyM: 100, MakeupPerMonth: 3, DingAfterWorkMin: 120, DingAfterOffhoursMin: 720,
		QuietStart: "21:00", QuietEnd: "07:00", GuardiansPerStudent: 2,
	}
}

type field struct {
	name   string
	label  string
	kind   byte // 'i' int, 'f' float, 't' HH:MM
	min    float64
	max    float64
	intp   func(*Settings) *int
	floatp func(*Settings) *float64
	strp   func(*Settings) *string
}

// fields are the form fields (CONTRACT §3) and their bounds.
var fields = []field{
	{name: "school_lat", label: "学校纬度", kind: 'f', min: -90, max: 90, floatp: func(s *Settings) *float64 { return &s.SchoolLat }},
	{name: "school_lng", label: "学校经度", kind: 'f', min: -180, max: 180, floatp: func(s *Settings) *float64 { return &s.SchoolLng }},
	{name: "geofence_m", label: "考勤范围（米）", kind: 'i', min: 50, max: 5000, intp: func(s *Settings) *int { return &s.GeofenceM }},
	{name: "work_start", label: "上班时间", kind: 't', strp: func(s *Settings) *string { return &s.WorkStart }},
	{name: "work_end", label: "下班时间", kind: 't', strp: func(s *Settings) *string { return &s.WorkEnd }},
	{name: "late_grace_min", label: "迟到宽限（分钟）", kind: 'i', min: 0, max: 60, intp: func(s *Settings) *int { return &s.LateGraceMin }},
	{name: "absent_after_min", label: "迟到超过多少分钟记旷工", kind: 'i', min: 1, max: 240, intp: func(s *Settings) *int { return &s.AbsentAfterMin }},
	{name: "max_accuracy_m", label: "定位精度上限（米）", kind: 'i', min: 10, max: 2000, intp: func(s *Settings) *int { return &s.MaxAccuracyM }},
	{name: "makeup_per_month", label: "每月补卡次数", kind: 'i', min: 0, max: 31, intp: func(s *Settings) *int { return &s.MakeupPerMonth }},
	{name: "ding_after_work_min", label: "工作时间未读提醒（分钟）", kind: 'i', min: 5, max: 1440, intp: func(s *Settings) *int { return &s.DingAfterWorkMin }},
	{name: "ding_after_offhours_min", label: "非工作时间未读提醒（分钟）", kind: 'i', min: 5, max: 2880, intp: func(s *Settings) *int { return &s.DingAfterOffhoursMin }},
	{name: "quiet_start", label: "免打扰开始", kind: 't', strp: func(s *Settings) *string { return &s.QuietStart }},
	{name: "quiet_end", label: "免打扰结束", kind: 't', strp: func(s *Settings) *string { return &s.QuietEnd }},
	{name: "guardians_per_student", label: "每名学生监护人上限", kind: 'i', min: 1, max: 6, intp: func(s *Settings) *int { return &s.GuardiansPerStudent }},
}

// Field describes one form field for the settings page.
type Field struct {
	Name, Label, Value string
}

// Form returns the settings as form fields in display order.
func (s Settings) Form() []Field {
	out := make([]Field, len(fields))
	for i, f := range fields {
		out[i] = Field{Name: f.name, Label: f.label, Value: f.format(&s)}
	}
	return out
}

func (f field) format(s *Settings) string {
	switch f.kind {
	case 'i':
		return strconv.Itoa(*f.intp(s))
	case 'f':
		return strconv.FormatFloat(*f.floatp(s), 'f', -1, 64)
	}
	return *f.strp(s)
}

// set parses v into s, returning a Chinese message when v is out of bounds.
func (f field) set(s *Settings, v string) string {
	switch f.kind {
	case 'i':
		n, err := strconv.Atoi(v)
		if err != nil || float64(n) < f.min || float64(n) > f.max {
			return fmt.Sprintf("%s应为 %g–%g 的整数", f.label, f.min, f.max)
		}
		*f.intp(s) = n
	case 'f':
		x, err := strconv.ParseFloat(v, 64)
		// Written so that NaN, which compares false with everything, fails.
		if err != nil || !(x >= f.min && x <= f.max) {
			return fmt.Sprintf("%s应为 %g 到 %g 之间的数字", f.label, f.min, f.max)
		}
		*f.floatp(s) = x
	case 't':
		t, err := time.Parse("15:04", v)
		if err != nil {
			return f.label + "应为 时：分，如 08:30"
		}
		*f.strp(s) = t.Format("15:04")
	}
	return ""
}

type row struct {
	Name      string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

func (row) TableName() string { return "settings" }

// Service reads and writes the settings, and keeps them and the school
// calendar in memory: a change drops the copy of its own instance at once,
// and of every other instance when they read the event it publishes
// (Invalidate, InvalidateCalendar); a copy older than MaxAge is read again
// in any case.
type Service struct {
	db       *gorm.DB
	now      func() time.Time
	settings *memo.One[Settings]
	calendar *memo.One[calendar.Calendar]
}

// MaxAge bounds how long a cached copy is used without being read again,
// should an invalidation ever be missed.
const MaxAge = time.Minute

// NewService returns the settings service.
func NewService(g *gorm.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: g, now: now, settings: memo.NewOne[Settings](MaxAge), calendar: memo.NewOne[calendar.Calendar](MaxAge)}
}

// Get returns the current settings.
func (s *Service) Get(ctx context.Context) (Settings, error) {
	return s.settings.Get(func() (Settings, error) { return s.read(ctx, s.db) })
}

// GetIn is Get for a caller inside a transaction: a copy that is not
// cached is read through tx, and not kept (a transaction that began
// before a change reads the old row, which must not outlive it).
func (s *Service) GetIn(ctx context.Context, tx *gorm.DB) (Settings, error) {
	if v, ok := s.settings.Cached(); ok {
		return v, nil
	}
	return s.read(ctx, tx)
}

// Invalidate drops the cached settings; the next Get reads them again.
func (s *Service) Invalidate() { s.settings.Drop() }

// Calendar returns the school calendar (the school's own days over the
// official holidays).
func (s *Service) Calendar(ctx context.Context) (calendar.Calendar, error) {
	return s.calendar.Get(func() (calendar.Calendar, error) { return calendar.Load(ctx, s.db) })
}

// CalendarIn is Calendar for a caller inside a transaction, kept as
// GetIn keeps settings: not at all when read through tx.
func (s *Service) CalendarIn(ctx context.Context, tx *gorm.DB) (calendar.Calendar, error) {
	if v, ok := s.calendar.Cached(); ok {
		return v, nil
	}
	return calendar.Load(ctx, tx)
}

// InvalidateCalendar drops the cached calendar.
func (s *Service) InvalidateCalendar() { s.calendar.Drop() }

func (s *Service) read(ctx context.Context, tx *gorm.DB) (Settings, error) {
	var rows []row
	if err := tx.WithContext(ctx).Where("name NOT LIKE ?", "flag:%").Find(&rows).Error; err != nil {
		return Settings{}, fmt.Errorf("setting: get: %w", err)
	}
	out := Defaults()
	for _, r := range rows {
		for _, f := range fields {
			if f.name == r.Name {
				f.set(&out, r.Value) // a bad stored value keeps the default
			}
		}
	}
	return out, nil
}

// Update validates every field of form (missing fields keep their value)
// and stores them; on any bad value nothing is stored and every bad field
// is named. Only admins may.
func (s *Service) Update(ctx context.Context, actor *auth.User, form map[string]string) (Settings, error) {
	if actor == nil || actor.Role != auth.RoleAdmin {
		return Settings{}, apperr.New(apperr.ErrForbidden, "只有管理员可以修改学校设置")
	}
	actorID := actor.ID
	cur, err := s.read(ctx, s.db)
	if err != nil {
		return Settings{}, err
	}
	v := &apperr.ValidationError{}
	for _, f := range fields {
		val, ok := form[f.name]
		if !ok {
			continue
		}
		if msg := f.set(&cur, val); msg != "" {
			v.Add(f.name, msg)
		}
	}
	if err := v.Err(); err != nil {
		return Settings{}, err
	}
	now := s.now().UTC()
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		for _, f := range fields {
			r := row{Name: f.name, Value: f.format(&cur), UpdatedAt: now}
			if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error; err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: &actorID, Action: "settings.update", CreatedAt: now}); err != nil {
			return err
		}
		// Other instances drop their copies when they read this event.
		return event.Publish(ctx, tx, now, event.Event{Kind: event.Settings})
	})
	s.Invalidate()
	if err != nil {
		return Settings{}, fmt.Errorf("setting: update: %w", err)
	}
	return cur, nil
}

// Flag reports whether a one-time marker (such as "the default word list
// was loaded") is set.
func Flag(ctx context.Context, tx *gorm.DB, name string) (bool, error) {
	var n int64
	err := tx.WithContext(ctx).Model(&row{}).Where("name = ?", "flag:"+name).Count(&n).Error
	return n > 0, err
}

// SetFlag sets a one-time marker.
func SetFlag(ctx context.Context, tx *gorm.DB, name string, now time.Time) error {
	return tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row{Name: "flag:" + name, Value: "1", UpdatedAt: now.UTC()}).Error
}

// Package setting holds the school rules the admin edits at
// /admin/settings, stored as name/value rows over built-in defaults taken
// from the school policies (DESIGN §3, §5).
package setting

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	// HomeworkRemindBeforeMin: this long before an assignment is due,
	// families who have not handed it in are reminded once; 0: never.
	HomeworkRemindBeforeMin int
	// Families' data (the privacy notice shows them; app/erasure applies
	// them): days after closing an account before its data is erased, and
	// how long each kind of record is kept.
	EraseAfterDays          int
	RetainMessagesDays      int
	RetainNotificationsDays int
	RetainRequestsDays      int
	RetainIPDays            int
	RetainLoginDays         int
}

// Defaults are the rules before an admin changes anything.
func Defaults() Settings {
	return Settings{
		GeofenceM: 300, WorkStart: "08:30", WorkEnd: "17:30", LateGraceMin: 0, AbsentAfterMin: 30,
		MaxAccuracyM: 100, MakeupPerMonth: 3, DingAfterWorkMin: 120, DingAfterOffhoursMin: 720,
		QuietStart: "21:00", QuietEnd: "07:00", GuardiansPerStudent: 2, HomeworkRemindBeforeMin: 120,
		EraseAfterDays: 7, RetainMessagesDays: 730, RetainNotificationsDays: 180, RetainRequestsDays: 365,
		RetainIPDays: 365, RetainLoginDays: 30,
	}
}

type field struct {
	name  string
	label string // the field's name on the page, without its unit
	unit  string // 米, 分钟, 次, 人; "" for coordinates and times
	group string // a Groups key
	help  string // what the field does
	// unset: the zero value means "not set" (the school point), shown as
	// an empty box and stored as 0 when the box is emptied.
	unset  bool
	kind   byte // 'i' int, 'f' float, 't' HH:MM
	min    float64
	max    float64
	intp   func(*Settings) *int
	floatp func(*Settings) *float64
	strp   func(*Settings) *string
}

// Group is a section of the settings page.
type Group struct {
	Key, Title, Help string
}

// Groups are the settings page's sections, in order.
var Groups = []Group{
	{"attendance", "考勤", "教师打卡的地点、时间和补卡规则。"},
	{"remind", "提醒", "通知未读时自动 DING 的时间、作业截止前的提醒，以及家长的免打扰时段。"},
	{"join", "入群", "家长申请加入班级群时的规则。"},
	{"privacy", "注销与保留期限", "家长注销账号后多久删除其资料，以及各类记录保留多久。到期的记录每晚自动删除，隐私政策中会列出这些期限。"},
}

// fields are the form fields (CONTRACT §3), their bounds and their words.
var fields = []field{
	{name: "school_lat", label: "学校纬度", group: "attendance", unset: true, kind: 'f', min: -90, max: 90,
		help:   "打卡范围中心点的纬度（如上海 31.2304）。与经度一起设置；未设置时不检查打卡地点，任何地点打卡都算在校。",
		floatp: func(s *Settings) *float64 { return &s.SchoolLat }},
	{name: "school_lng", label: "学校经度", group: "attendance", unset: true, kind: 'f', min: -180, max: 180,
		help:   "打卡范围中心点的经度（如上海 121.4737）。",
		floatp: func(s *Settings) *float64 { return &s.SchoolLng }},
	{name: "geofence_m", label: "打卡范围", unit: "米", group: "attendance", kind: 'i', min: 50, max: 5000,
		help: "离学校中心点多远以内算在校打卡；超出范围算外勤，须填写说明。",
		intp: func(s *Settings) *int { return &s.GeofenceM }},
	{name: "work_start", label: "上班时间", group: "attendance", kind: 't',
		help: "晚于此时上班打卡记迟到（另加迟到宽限）。",
		strp: func(s *Settings) *string { return &s.WorkStart }},
	{name: "work_end", label: "下班时间", group: "attendance", kind: 't',
		help: "早于此时下班打卡记早退。也是工作时间的结束，影响通知的自动 DING。",
		strp: func(s *Settings) *string { return &s.WorkEnd }},
	{name: "late_grace_min", label: "迟到宽限", unit: "分钟", group: "attendance", kind: 'i', min: 0, max: 60,
		help: "上班时间后这么多分钟内打卡不算迟到；0 表示不宽限。",
		intp: func(s *Settings) *int { return &s.LateGraceMin }},
	{name: "absent_after_min", label: "旷工界限", unit: "分钟", group: "attendance", kind: 'i', min: 1, max: 240,
		help: "上班打卡晚于上班时间超过这么多分钟，当天记旷工而不是迟到。",
		intp: func(s *Settings) *int { return &s.AbsentAfterMin }},
	{name: "max_accuracy_m", label: "定位精度上限", unit: "米", group: "attendance", kind: 'i', min: 10, max: 2000,
		help: "手机定位误差大于此值的打卡会被标记，供管理员核对。",
		intp: func(s *Settings) *int { return &s.MaxAccuracyM }},
	{name: "makeup_per_month", label: "每月补卡次数", unit: "次", group: "attendance", kind: 'i', min: 0, max: 31,
		help: "每位教师每月最多申请补卡的次数；0 表示不允许补卡。",
		intp: func(s *Settings) *int { return &s.MakeupPerMonth }},
	{name: "ding_after_work_min", label: "工作时间未读提醒", unit: "分钟", group: "remind", kind: 'i', min: 5, max: 1440,
		help: "工作时间发布的通知，过这么久仍未读的人会收到一次自动 DING。",
		intp: func(s *Settings) *int { return &s.DingAfterWorkMin }},
	{name: "ding_after_offhours_min", label: "非工作时间未读提醒", unit: "分钟", group: "remind", kind: 'i', min: 5, max: 2880,
		help: "下班后或假日发布的通知，过这么久仍未读的人会收到一次自动 DING。",
		intp: func(s *Settings) *int { return &s.DingAfterOffhoursMin }},
	{name: "homework_remind_before_min", label: "作业截止前提醒", unit: "分钟", group: "remind", kind: 'i', min: 0, max: 2880,
		help: "需要在线提交的作业，截止前这么多分钟，孩子还没有提交（或被打回后还没有重交）的家长会在消息提醒中收到一次提醒。" +
			"提醒时间落在免打扰时段内时，改在免打扰结束时发出；若那时离截止不到半小时，则在前一晚免打扰开始前半小时发出；都不行就不提醒。0 表示不提醒。",
		intp: func(s *Settings) *int { return &s.HomeworkRemindBeforeMin }},
	{name: "quiet_start", label: "免打扰开始", group: "remind", kind: 't',
		help: "从此时起，给家长的提醒和 DING 暂不发送，等免打扰结束再发。",
		strp: func(s *Settings) *string { return &s.QuietStart }},
	{name: "quiet_end", label: "免打扰结束", group: "remind", kind: 't',
		help: "免打扰期间攒下的提醒在此时发出。开始和结束相同表示不设免打扰。",
		strp: func(s *Settings) *string { return &s.QuietEnd }},
	{name: "guardians_per_student", label: "每名学生监护人上限", unit: "人", group: "join", kind: 'i', min: 1, max: 6,
		help: "每名学生最多可以有几位家长加入班级群；达到上限后新的申请不能通过。",
		intp: func(s *Settings) *int { return &s.GuardiansPerStudent }},
	{name: "erase_after_days", label: "注销后删除资料", unit: "天", group: "privacy", kind: 'i', min: 0, max: 90,
		help: "家长注销账号（或管理员注销家长账号）后立即不能登录并退出所有群；过这么多天，删除其姓名、手机号、密码、所发消息的内容与文件和入群申请。0 表示立即删除。",
		intp: func(s *Settings) *int { return &s.EraseAfterDays }},
	{name: "retain_messages_days", label: "群消息保留", unit: "天", group: "privacy", kind: 'i', min: 30, max: 3650,
		help: "超过这么多天的群消息及其图片和文件每晚自动删除。通知公告和归档的文件不受影响，一直保留。",
		intp: func(s *Settings) *int { return &s.RetainMessagesDays }},
	{name: "retain_notifications_days", label: "消息提醒保留", unit: "天", group: "privacy", kind: 'i', min: 7, max: 3650,
		help: "提醒中心里超过这么多天的提醒每晚自动删除。",
		intp: func(s *Settings) *int { return &s.RetainNotificationsDays }},
	{name: "retain_requests_days", label: "入群申请保留", unit: "天", group: "privacy", kind: 'i', min: 30, max: 3650,
		help: "已通过或已驳回超过这么多天的入群申请每晚自动删除；待审核的申请不删。",
		intp: func(s *Settings) *int { return &s.RetainRequestsDays }},
	{name: "retain_ip_days", label: "IP 地址保留", unit: "天", group: "privacy", kind: 'i', min: 30, max: 3650,
		help: "教师打卡和登录记录中的 IP 地址与浏览器信息，超过这么多天后清除；打卡记录本身保留。",
		intp: func(s *Settings) *int { return &s.RetainIPDays }},
	{name: "retain_login_days", label: "登录与验证码记录保留", unit: "天", group: "privacy", kind: 'i', min: 1, max: 365,
		help: "登录失败、短信验证码和入群核验失败的记录最多保留这么多天（防刷用的记录通常一天到一周内就已删除）。",
		intp: func(s *Settings) *int { return &s.RetainLoginDays }},
}

// Kept is how long the school keeps one kind of record, for the privacy
// notice and the README's words.
type Kept struct {
	Name string // the setting's form field, e.g. "retain_messages_days"
	What string // what is kept, in words
	Days int
}

// Retention lists the school's retention limits, and the days after
// closing an account before its data is erased, in the words the privacy
// notice uses.
func (s Settings) Retention() []Kept {
	return []Kept{
		{"retain_messages_days", "群消息及其图片、文件", s.RetainMessagesDays},
		{"retain_notifications_days", "消息提醒", s.RetainNotificationsDays},
		{"retain_requests_days", "已处理的入群申请", s.RetainRequestsDays},
		{"retain_ip_days", "打卡和登录记录中的 IP 地址、浏览器信息", s.RetainIPDays},
		{"retain_login_days", "登录失败和短信验证码记录", s.RetainLoginDays},
		{"erase_after_days", "注销账号后，删除姓名、手机号、密码、所发消息和上传的文件", s.EraseAfterDays},
	}
}

// Field describes one form field for the settings page.
type Field struct {
	Name, Label, Value string
	Unit, Group, Help  string
	// Default is the built-in value in words ("300 米"), "" for a field
	// that is not set until an admin sets it.
	Default string
	// Unset: the field has no value (Value is "").
	Unset bool
	// Kind is "int", "float" or "time".
	Kind     string
	Min, Max float64
}

// Form returns the settings as form fields in display order.
func (s Settings) Form() []Field {
	d := Defaults()
	out := make([]Field, len(fields))
	for i, f := range fields {
		out[i] = Field{Name: f.name, Label: f.label, Value: f.format(&s), Unit: f.unit, Group: f.group, Help: f.help,
			Kind: map[byte]string{'i': "int", 'f': "float", 't': "time"}[f.kind], Min: f.min, Max: f.max}
		if f.unset {
			if f.isZero(&s) {
				out[i].Value, out[i].Unset = "", true
			}
		} else {
			out[i].Default = strings.TrimSpace(f.format(&d) + " " + f.unit)
		}
	}
	return out
}

// isZero: the field holds its zero value.
func (f field) isZero(s *Settings) bool {
	switch f.kind {
	case 'i':
		return *f.intp(s) == 0
	case 'f':
		return *f.floatp(s) == 0
	}
	return *f.strp(s) == ""
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

// set parses v into s, returning a Chinese message when v is out of
// bounds. An empty v is the default: "not set" for the school point.
func (f field) set(s *Settings, v string) string {
	if v == "" {
		d := Defaults()
		switch f.kind {
		case 'i':
			*f.intp(s) = *f.intp(&d)
		case 'f':
			*f.floatp(s) = *f.floatp(&d)
		default:
			*f.strp(s) = *f.strp(&d)
		}
		return ""
	}
	unit := f.unit
	if unit != "" {
		unit = "（" + unit + "）"
	}
	switch f.kind {
	case 'i':
		n, err := strconv.Atoi(v)
		if err != nil || float64(n) < f.min || float64(n) > f.max {
			return fmt.Sprintf("%s应为 %g–%g 的整数%s", f.label, f.min, f.max, unit)
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

// changes says in words what differs between old and new, for the log:
// "打卡范围：300 → 500 米；上班时间：08:30 → 08:00".
func changes(old, new Settings) string {
	var out []string
	for _, f := range fields {
		a, b := f.format(&old), f.format(&new)
		if a == b {
			continue
		}
		if f.unset && f.isZero(&old) {
			a = "未设置"
		}
		if f.unset && f.isZero(&new) {
			b = "未设置"
		}
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s：%s → %s %s", f.label, a, b, f.unit)))
	}
	return strings.Join(out, "；")
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

// MaxValue bounds what one setting's box may hold: every setting is a
// short number or time.
const MaxValue = 32

// Update validates every field of form (missing fields keep their value,
// empty ones go back to the default; the school point to not set) and
// stores them; on any bad value nothing is stored and every bad field
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
	before := cur
	v := &apperr.ValidationError{}
	for _, f := range fields {
		val, ok := form[f.name]
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		if utf8.RuneCountInString(val) > MaxValue { // refused before it is parsed
			v.Add(f.name, f.label+"太长了")
			continue
		}
		if msg := f.set(&cur, val); msg != "" {
			v.Add(f.name, msg)
		}
	}
	// The school point is one place: both numbers or neither.
	_, badLat := v.Fields["school_lat"]
	_, badLng := v.Fields["school_lng"]
	if !badLat && !badLng && (cur.SchoolLat == 0) != (cur.SchoolLng == 0) {
		if cur.SchoolLat == 0 {
			v.Add("school_lat", "请同时填写学校的纬度和经度")
		} else {
			v.Add("school_lng", "请同时填写学校的纬度和经度")
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
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: &actorID, Action: "settings.update", Detail: changes(before, cur), CreatedAt: now}); err != nil {
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

package attendance

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/db"
	"jiaxiao/app/job"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
	"jiaxiao/app/setting"
)

// Punch sources.
const (
	SourceGPS      = "gps"
	SourceTerminal = "terminal"
)

// Punch is one row of the punches table.
type Punch struct {
	ID        uint64
	UserID    uint64
	At        time.Time
	Source    string
	Lat       float64
	Lng       float64
	Accuracy  float64
	DistanceM float64
	Field     bool
	Flagged   bool
	Note      string
	IP        string
	UserAgent string
	CreatedAt time.Time
}

// Approval kinds and statuses.
const (
	KindLeave  = "leave"
	KindMakeup = "makeup"

	StatusPending  = "pending"
	StatusApproved = "approved"
	StatusRejected = "rejected"
)

// LeaveKinds are the kinds of leave (DESIGN §5).
var LeaveKinds = []string{"事假", "病假", "调休", "年假", "婚假", "产假", "公出"}

// Approval is a leave or make-up request.
type Approval struct {
	ID           uint64
	UserID       uint64
	Kind         string
	LeaveKind    string
	StartAt      *time.Time
	EndAt        *time.Time
	Days         float64
	Day          string
	Which        string
	Reason       string
	ApproverID   *uint64 // nil: any admin (the principal's office)
	Status       string
	DecidedBy    *uint64
	DecidedAt    *time.Time
	RejectReason string
	CreatedAt    time.Time
}

type month struct {
	Month       string `gorm:"primaryKey"`
	ConfirmedBy uint64
	ConfirmedAt time.Time
}

func (month) TableName() string { return "attendance_months" }

// JobRemind reminds an approver of a request pending four working hours.
const JobRemind = "approval.remind"

// ReminderAfter is how long a request may wait before its approver is reminded.
const ReminderAfter = 4 * time.Hour

// Service is attendance's API.
type Service struct {
	db       *gorm.DB
	now      func() time.Time
	loc      *time.Location
	settings *setting.Service
	log      *slog.Logger
}

// Options configure NewService.
type Options struct {
	DB       *gorm.DB
	Now      func() time.Time
	Location *time.Location
	Settings *setting.Service
	Log      *slog.Logger
}

// NewService returns the attendance service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, loc: o.Location, settings: o.Settings, log: o.Log}
}

// Location is the school's time zone.
func (s *Service) Location() *time.Location { return s.loc }

// ErrNotStaff refuses attendance to parents.
var ErrNotStaff = apperr.New(apperr.ErrForbidden, "考勤只对教职工开放")

// ErrNotAdmin refuses the principal's pages to others.
var ErrNotAdmin = apperr.New(apperr.ErrForbidden, "只有学校管理员可以查看全校考勤")

func staffOnly(u *auth.User) error {
	if u == nil || !u.Role.Staff() {
		return ErrNotStaff
	}
	return nil
}

func (s *Service) rules(ctx context.Context) (Rules, setting.Settings, calendar.Calendar, error) {
	set, err := s.settings.Get(ctx)
	if err != nil {
		return Rules{}, set, calendar.Calendar{}, err
	}
	cal, err := s.settings.Calendar(ctx)
	return RulesFrom(set, s.loc), set, cal, err
}

// lockedError refuses changes to a confirmed month.
func lockedError(m string) error {
	return apperr.Invalid("", fmt.Sprintf("%s 的考勤已确认锁定，不能再修改", m))
}

// Locked reports whether a month ("2026-11") is confirmed.
func (s *Service) Locked(ctx context.Context, m string) (bool, error) { return lockedIn(ctx, s.db, m) }

func lockedIn(ctx context.Context, q *gorm.DB, m string) (bool, error) {
	var n int64
	err := q.WithContext(ctx).Model(&month{}).Where("month = ?", m).Count(&n).Error
	return n > 0, err
}

// refuseLocked refuses and logs an edit of a confirmed month. It goes
// through the pool: call it before any transaction.
func (s *Service) refuseLocked(ctx context.Context, actor *auth.User, t time.Time, what string) error {
	m := t.In(s.loc).Format("2006-01")
	locked, err := s.Locked(ctx, m)
	if err != nil || !locked {
		return err
	}
	s.logLockedEdit(ctx, actor, m, what)
	return lockedError(m)
}

// logLockedEdit records a refused edit of a confirmed month. The refused
// change's transaction has ended (rolled back) by now, so the entry is
// written on its own and kept.
func (s *Service) logLockedEdit(ctx context.Context, actor *auth.User, m, what string) {
	var actorID *uint64
	if actor != nil {
		actorID = &actor.ID
	}
	if err := audit.Record(ctx, s.db, audit.Entry{ActorID: actorID, Action: "attendance.locked_edit", Subject: m, Detail: what, CreatedAt: s.now()}); err != nil {
		s.log.Error("attendance: audit of a refused edit", "month", m, "err", err)
	}
}

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

// LeaveInput is the leave form; Start and End are local date-times
// ("2006-01-02T15:04") or dates (the whole work day).
type LeaveInput struct {
	Kind, Start, End, Reason string
}

// RequestLeave files a leave request: under 3 days it goes to the teacher's
// department head, 3 days or more (or with no head) to the principal.
// MaxLeaveSpan bounds one leave request, and how far from today it may
// start (maternity leave, the longest, is 158 days here).
const MaxLeaveSpan = 366 * 24 * time.Hour

func (s *Service) RequestLeave(ctx context.Context, actor *auth.User, in LeaveInput) (Approval, error) {
	if err := staffOnly(actor); err != nil {
		return Approval{}, err
	}
	r, _, cal, err := s.rules(ctx)
	if err != nil {
		return Approval{}, err
	}
	v := &apperr.ValidationError{}
	if !slices.Contains(LeaveKinds, in.Kind) {
		v.Add("kind", "请选择请假类型")
	}
	start, okS := s.parseWhen(r, in.Start, true)
	end, okE := s.parseWhen(r, in.End, false)
	if !okS {
		v.Add("start", "请填写开始时间")
	}
	if !okE {
		v.Add("end", "请填写结束时间")
	}
	switch now := s.now(); {
	case okS && okE && !end.After(start):
		v.Add("end", "结束时间应晚于开始时间")
	case okS && okE && end.Sub(start) > MaxLeaveSpan:
		// Days are counted one by one against the calendar: bound them.
		v.Add("end", fmt.Sprintf("一次请假最长 %d 天，更长的请分次申请", int(MaxLeaveSpan/(24*time.Hour))))
	case okS && (start.Before(now.Add(-MaxLeaveSpan)) || start.After(now.Add(MaxLeaveSpan))):
		v.Add("start", "开始时间应在一年之内")
	}
	if n := len([]rune(strings.TrimSpace(in.Reason))); n < 2 || n > 200 {
		v.Add("reason", "请填写事由（2–200 字）")
	}
	if err := v.Err(); err != nil {
		return Approval{}, err
	}
	if err := s.refuseLocked(ctx, actor, start, "leave"); err != nil {
		return Approval{}, err
	}
	days := s.leaveDays(r, cal, start, end)
	if days == 0 {
		return Approval{}, apperr.Invalid("end", "所选时间内没有工作日，无需请假")
	}
	a := Approval{UserID: actor.ID, Kind: KindLeave, LeaveKind: in.Kind, StartAt: &start, EndAt: &end, Days: days,
		Reason: strings.TrimSpace(in.Reason), Status: StatusPending, CreatedAt: s.now()}
	if days < 3 {
		head, err := school.DepartmentHead(ctx, s.db, actor.Department)
		if err != nil {
			return Approval{}, err
		}
		if head != nil && *head != actor.ID {
			a.ApproverID = head
		}
	}
	return a, s.file(ctx, r, cal, &a, nil)
}

// leaveDays counts the work days a leave covers, in halves.
func (s *Service) leaveDays(r Rules, cal calendar.Calendar, start, end time.Time) float64 {
	var days float64
	for d := start.In(s.loc); !d.After(end.In(s.loc).Add(24 * time.Hour)); d = d.AddDate(0, 0, 1) {
		day := calendar.DayOf(d, s.loc)
		if !cal.IsWorkDay(day) {
			continue
		}
		ws, we := r.period(day)
		mid := ws.Add(we.Sub(ws) / 2)
		span := []Span{{start, end}}
		if covered(span, ws, mid) {
			days += 0.5
		}
		if covered(span, mid, we) {
			days += 0.5
		}
	}
	return days
}

func (s *Service) parseWhen(r Rules, v string, isStart bool) (time.Time, bool) {
	if t, err := time.ParseInLocation("2006-01-02T15:04", v, s.loc); err == nil {
		return t.UTC(), true
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, s.loc); err == nil {
		ws, we := r.period(calendar.DayOf(t, s.loc))
		if isStart {
			return ws.UTC(), true
		}
		return we.UTC(), true
	}
	return time.Time{}, false
}

// MakeupInput is the make-up form.
type MakeupInput struct {
	Date, Which, Reason string
}

// RequestMakeup files a make-up punch (补卡) for a work day within the last
// five work days, within the monthly quota; an admin approves it.
func (s *Service) RequestMakeup(ctx context.Context, actor *auth.User, in MakeupInput) (Approval, error) {
	if err := staffOnly(actor); err != nil {
		return Approval{}, err
	}
	r, set, cal, err := s.rules(ctx)
	if err != nil {
		return Approval{}, err
	}
	v := &apperr.ValidationError{}
	d, err := time.ParseInLocation(time.DateOnly, in.Date, s.loc)
	if err != nil {
		v.Add("date", "请选择补卡日期")
	}
	if in.Which != "in" && in.Which != "out" {
		v.Add("which", "请选择补上班卡还是下班卡")
	}
	if n := len([]rune(strings.TrimSpace(in.Reason))); n < 2 || n > 200 {
		v.Add("reason", "请填写补卡原因（2–200 字）")
	}
	if err := v.Err(); err != nil {
		return Approval{}, err
	}
	day := calendar.Day(in.Date)
	today := calendar.DayOf(s.now(), s.loc)
	switch {
	case !cal.IsWorkDay(day):
		return Approval{}, apperr.Invalid("date", "只能为工作日补卡")
	case day > today:
		return Approval{}, apperr.Invalid("date", "不能为以后的日期补卡")
	case workDaysBetween(cal, day, today, s.loc) > 5:
		return Approval{}, apperr.Invalid("date", "只能补 5 个工作日以内的卡")
	}
	if err := s.refuseLocked(ctx, actor, d, "makeup"); err != nil {
		return Approval{}, err
	}
	a := Approval{UserID: actor.ID, Kind: KindMakeup, Day: in.Date, Which: in.Which, Reason: strings.TrimSpace(in.Reason), Status: StatusPending, CreatedAt: s.now()}
	quota := func(tx *gorm.DB) error {
		// One make-up request per person at a time: the next waits here and
		// then counts this one.
		if err := auth.LockUser(ctx, tx, actor.ID); err != nil {
			return err
		}
		var used int64
		if err := tx.Model(&Approval{}).Where("user_id = ? AND kind = ? AND status IN ? AND day LIKE ?",
			actor.ID, KindMakeup, []string{StatusPending, StatusApproved}, in.Date[:7]+"%").Count(&used).Error; err != nil {
			return err
		}
		if int(used) >= set.MakeupPerMonth {
			return apperr.Invalid("date", fmt.Sprintf("本月补卡次数已用完（每月最多 %d 次）", set.MakeupPerMonth))
		}
		return nil
	}
	return a, s.file(ctx, r, cal, &a, quota)
}

// workDaysBetween counts the work days after from up to and including to.
func workDaysBetween(cal calendar.Calendar, from, to calendar.Day, loc *time.Location) int {
	f, _ := time.ParseInLocation(time.DateOnly, string(from), loc)
	t, _ := time.ParseInLocation(time.DateOnly, string(to), loc)
	n := 0
	for d := f.AddDate(0, 0, 1); !d.After(t); d = d.AddDate(0, 0, 1) {
		if cal.IsWorkDay(calendar.DayOf(d, loc)) {
			n++
		}
	}
	return n
}

// file stores a request and queues its reminder four working hours later.
// check, if not nil, runs first in the same transaction and may refuse.
func (s *Service) file(ctx context.Context, r Rules, cal calendar.Calendar, a *Approval, check func(tx *gorm.DB) error) error {
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if check != nil {
			if err := check(tx); err != nil {
				return err
			}
		}
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		due := AddWorkingTime(r, cal, a.CreatedAt, ReminderAfter)
		_, err := job.Enqueue(ctx, tx, a.CreatedAt, JobRemind, map[string]uint64{"approval_id": a.ID}, job.Options{RunAt: due})
		return err
	})
}

// AddWorkingTime is the moment d of working time after t: only work days'
// hours between the start and the end of work count.
func AddWorkingTime(r Rules, cal calendar.Calendar, t time.Time, d time.Duration) time.Time {
	cur := t.In(r.Loc)
	for i := 0; i < 400 && d > 0; i++ {
		day := calendar.DayOf(cur, r.Loc)
		ws, we := r.period(day)
		if !cal.IsWorkDay(day) || !cur.Before(we) {
			next, _ := time.ParseInLocation(time.DateOnly, string(day), r.Loc)
			cur = next.AddDate(0, 0, 1)
			continue
		}
		if cur.Before(ws) {
			cur = ws
		}
		step := min(d, we.Sub(cur))
		cur, d = cur.Add(step), d-step
	}
	return cur.UTC()
}

// Remind is the job handler: a request still pending reminds its approver.
func (s *Service) Remind(ctx context.Context, j job.Job) error {
	var p struct {
		ApprovalID uint64 `json:"approval_id"`
	}
	if err := j.Decode(&p); err != nil {
		return job.Permanent(err)
	}
	var a Approval
	if err := s.db.WithContext(ctx).Where("id = ?", p.ApprovalID).Take(&a).Error; err != nil {
		return job.Permanent(err)
	}
	if a.Status != StatusPending {
		return nil
	}
	approvers, err := s.approvers(ctx, a)
	if err != nil {
		return err
	}
	names, err := auth.Names(ctx, s.db, []uint64{a.UserID})
	if err != nil {
		return err
	}
	now := s.now()
	title := "DING：" + names[a.UserID] + "的" + kindLabel(a) + "申请已等待 4 个工作小时，请尽快审批"
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		for _, u := range approvers {
			if err := notify.Add(ctx, tx, now, notify.Notification{UserID: u.ID, Kind: "approval_reminder", Title: title, Link: "/approvals"}); err != nil {
				return err
			}
			if err := notify.Queue(ctx, tx, now, notify.Message{Phone: u.Phone, Kind: "ding", Text: "【家校】" + title}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) approvers(ctx context.Context, a Approval) ([]auth.User, error) {
	return auth.Approvers(ctx, s.db, a.ApproverID)
}

func kindLabel(a Approval) string {
	if a.Kind == KindMakeup {
		return "补卡"
	}
	return a.LeaveKind
}

// InboxItem is a request waiting for the viewer.
type InboxItem struct {
	Approval
	Name string
}

// Inbox lists the requests waiting for the actor's decision.
func (s *Service) Inbox(ctx context.Context, actor *auth.User) ([]InboxItem, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	q := auth.JoinContact(s.db.WithContext(ctx).Model(&Approval{}), "approvals.user_id").Select("approvals.*, contact.name AS name").
		Where("approvals.status = ?", StatusPending)
	if actor.Role == auth.RoleAdmin {
		q = q.Where("approvals.approver_id = ? OR approvals.approver_id IS NULL", actor.ID)
	} else {
		q = q.Where("approvals.approver_id = ?", actor.ID)
	}
	var out []InboxItem
	return out, q.Order("approvals.id").Scan(&out).Error
}

// Mine lists the actor's own requests, newest first.
func (s *Service) Mine(ctx context.Context, actor *auth.User) ([]Approval, error) {
	var out []Approval
	return out, s.db.WithContext(ctx).Where("user_id = ?", actor.ID).Order("id DESC").Limit(50).Find(&out).Error
}

// Decide approves or rejects a request; only its approver may.
func (s *Service) Decide(ctx context.Context, actor *auth.User, id uint64, approve bool, reason string) error {
	if err := staffOnly(actor); err != nil {
		return err
	}
	now := s.now()
	refused := "" // the confirmed month the request falls in
	err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var a Approval
		if err := tx.Where("id = ?", id).Take(&a).Error; err != nil {
			return db.Translate(err)
		}
		mine := (a.ApproverID != nil && *a.ApproverID == actor.ID) || (a.ApproverID == nil && actor.Role == auth.RoleAdmin)
		if !mine {
			return apperr.ErrNotFound
		}
		if a.Status != StatusPending {
			return apperr.New(apperr.ErrConflict, "该申请已处理")
		}
		if !approve && len([]rune(strings.TrimSpace(reason))) < 2 {
			return apperr.Invalid("reason", "请填写驳回理由")
		}
		when := a.CreatedAt
		if a.StartAt != nil {
			when = *a.StartAt
		} else if t, err := time.ParseInLocation(time.DateOnly, a.Day, s.loc); err == nil {
			when = t
		}
		ym := when.In(s.loc).Format("2006-01")
		locked, err := lockedIn(ctx, tx, ym)
		if err != nil {
			return err
		}
		if locked {
			refused = ym
			return lockedError(ym)
		}
		st := StatusRejected
		if approve {
			st = StatusApproved
		}
		if err := tx.Model(&Approval{}).Where("id = ?", id).Updates(map[string]any{"status": st, "decided_by": actor.ID, "decided_at": now, "reject_reason": reason}).Error; err != nil {
			return err
		}
		title := "您的" + kindLabel(a) + "申请已通过"
		if !approve {
			title = "您的" + kindLabel(a) + "申请未通过"
		}
		if err := notify.Add(ctx, tx, now, notify.Notification{UserID: a.UserID, Kind: "approval", Title: title, Body: reason, Link: "/attendance"}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "attendance." + st, Subject: fmt.Sprintf("approval:%d", id), CreatedAt: now})
	})
	if refused != "" {
		s.logLockedEdit(ctx, actor, refused, "decide")
	}
	return err
}

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
	if actor != nil && actor.Role != auth.RoleAdmin {
		return nil, ErrNotAdmin
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

// SetDay records a school-specific work (work) or rest day; admins only.
func (s *Service) SetDay(ctx context.Context, actor *auth.User, day string, work bool, note string) error {
	if actor == nil || actor.Role != auth.RoleAdmin {
		return ErrNotAdmin
	}
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return apperr.Invalid("day", "请选择日期")
	}
	if len([]rune(note)) > 100 {
		return apperr.Invalid("note", "说明最多 100 字")
	}
	now := s.now()
	defer s.settings.InvalidateCalendar()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := calendar.Set(ctx, tx, calendar.Day(day), work, strings.TrimSpace(note), now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "calendar.set", Subject: day, Detail: fmt.Sprintf("work=%t %s", work, note), CreatedAt: now})
	})
}

// DeleteDay removes a school-specific day; admins only.
func (s *Service) DeleteDay(ctx context.Context, actor *auth.User, day string) error {
	if actor == nil || actor.Role != auth.RoleAdmin {
		return ErrNotAdmin
	}
	now := s.now()
	defer s.settings.InvalidateCalendar()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := calendar.Delete(ctx, tx, calendar.Day(day), now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "calendar.delete", Subject: day, CreatedAt: now})
	})
}

// Confirm locks a month: later punches, imports and decisions touching it
// are refused and logged.
func (s *Service) Confirm(ctx context.Context, actor *auth.User, m string) error {
	if actor == nil || actor.Role != auth.RoleAdmin {
		return ErrNotAdmin
	}
	if _, err := time.Parse("2006-01", m); err != nil {
		return apperr.Invalid("month", "月份格式应为 2026-11")
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&month{Month: m, ConfirmedBy: actor.ID, ConfirmedAt: now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.ErrConflict, m+" 的考勤已经确认过了")
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "attendance.confirm", Subject: m, CreatedAt: now})
	})
}

// ErrLocked reports whether err is a refusal for a confirmed month.
func ErrLocked(err error) bool {
	v, ok := apperr.AsValidation(err)
	return ok && strings.Contains(v.Error(), "已确认锁定")
}

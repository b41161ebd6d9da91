package attendance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/db"
	"jiaxiao/app/job"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
)

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
// five work days, within the monthly quota (MakeupRule); an admin
// approves it.
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
	rule := MakeupRule{Cal: cal, Loc: s.loc, Today: calendar.DayOf(s.now(), s.loc), Month: in.Date[:7], Quota: set.MakeupPerMonth}
	if err := rule.Window(calendar.Day(in.Date)); err != nil {
		return Approval{}, err
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
		var err error
		if rule.Used, err = usedMakeups(ctx, tx, actor.ID, rule.Month); err != nil {
			return err
		}
		return rule.quota()
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
			return refuseMonth(ym)
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

package studentleave

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/db"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
)

// Calendars gives the school calendar (the settings service's cache).
type Calendars interface {
	Calendar(ctx context.Context) (calendar.Calendar, error)
}

// Service is student leave's API.
type Service struct {
	db    *gorm.DB
	now   func() time.Time
	loc   *time.Location
	cals  Calendars
	files *file.Service
}

// Options configure NewService.
type Options struct {
	DB        *gorm.DB
	Now       func() time.Time
	Location  *time.Location
	Calendars Calendars
	// Files keeps doctor's notes.
	Files *file.Service
}

// NewService returns the student leave service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, loc: o.Location, cals: o.Calendars, files: o.Files}
}

// Errors users are told.
var (
	ErrNotGuardian = apperr.New(apperr.ErrForbidden, "只有该学生的监护人可以为其请假")
	ErrRemoved     = apperr.New(apperr.ErrForbidden, "您已被移出该班级群，请直接联系班主任请假")
	ErrNotHead     = apperr.New(apperr.ErrForbidden, "只有该班班主任或学校管理员可以处理请假")
	ErrNotTeacher  = apperr.New(apperr.ErrForbidden, "只有该班的老师或学校管理员可以查看今日出勤")
	ErrNotPending  = apperr.New(apperr.ErrConflict, "该请假已处理，不能再审批")
	ErrStarted     = apperr.New(apperr.ErrConflict, "请假已开始，不能撤销；如已返校请联系班主任销假")
	ErrNotAway     = apperr.New(apperr.ErrConflict, "只有已批准的请假可以销假")
	ErrNotAdmin    = apperr.New(apperr.ErrForbidden, "只有学校管理员可以查看全校请假")
)

// RequestInput is what a guardian fills in.
type RequestInput struct {
	StudentID uint64
	Kind      string
	StartDate string
	StartHalf string
	EndDate   string
	EndHalf   string
	Reason    string
	Symptoms  []string
	// Note is an optional doctor's note (医生证明): a photo, re-encoded
	// without EXIF when kept, or a PDF.
	Note *file.Prepared
}

const maxReason = 200

// MaxNoteSize is the largest doctor's note taken; the handler refuses a
// larger upload before reading it.
const MaxNoteSize = 10 << 20

// NoteTooLarge refuses a doctor's note over MaxNoteSize.
func NoteTooLarge() error {
	return apperr.Invalid("file", fmt.Sprintf("医生证明不能超过 %d MB，请拍一张清晰的照片或压缩 PDF 后重新选择", MaxNoteSize>>20))
}

// NoteWrongType refuses a doctor's note that is neither a photo nor a PDF.
func NoteWrongType() error {
	return apperr.Invalid("file", "医生证明只能是照片（JPG、PNG）或 PDF 文件，请重新选择")
}

// CheckNote refuses a note that is not a photo or a PDF, or is larger
// than MaxNoteSize; it reads only what file.Prepare found (nothing is
// decoded).
func CheckNote(p *file.Prepared) error {
	if p == nil {
		return nil
	}
	if len(p.Data) > MaxNoteSize {
		return NoteTooLarge()
	}
	if p.ContentType != "application/pdf" && !strings.HasPrefix(p.ContentType, "image/") {
		return NoteWrongType()
	}
	return nil
}

// How far back a guardian may ask after the fact (补请假), and how far ahead.
const (
	LateDays  = 7
	AheadDays = 90
)

func dayAdd(d calendar.Day, n int) calendar.Day {
	t, _ := time.Parse(time.DateOnly, string(d))
	return calendar.Day(t.AddDate(0, 0, n).Format(time.DateOnly))
}

func validHalf(h string) bool { return h == AM || h == PM }

func validDate(d string) bool {
	_, err := time.Parse(time.DateOnly, d)
	return err == nil && len(d) == 10
}

// validate checks the form and counts its half days on cal.
func (in RequestInput) validate(cal calendar.Calendar) (symptoms string, halves int, err error) {
	v := &apperr.ValidationError{}
	if !slices.Contains(Kinds, in.Kind) {
		v.Add("kind", "请选择请假类型：事假或病假")
	}
	if !validDate(in.StartDate) {
		v.Add("start_date", "请填写开始日期，如 2026-12-01")
	}
	if !validHalf(in.StartHalf) {
		v.Add("start_half", "请选择开始是上午还是下午")
	}
	if !validDate(in.EndDate) {
		v.Add("end_date", "请填写结束日期，如 2026-12-02")
	}
	if !validHalf(in.EndHalf) {
		v.Add("end_half", "请选择结束是上午还是下午")
	}
	reason := strings.TrimSpace(in.Reason)
	switch {
	case reason == "":
		v.Add("reason", "请填写请假事由")
	case utf8.RuneCountInString(reason) > maxReason:
		v.Add("reason", fmt.Sprintf("请假事由最多 %d 字", maxReason))
	}
	// The count first: more than there are symptoms is refused unread.
	symptoms, ok := "", len(in.Symptoms) <= len(Symptoms)
	if ok {
		symptoms, ok = cleanSymptoms(in.Symptoms)
	}
	switch {
	case !ok:
		v.Add("symptoms", "症状只能从 发热、咳嗽、呕吐、腹泻、皮疹、其他 中选择")
	case in.Kind == Sick && symptoms == "":
		v.Add("symptoms", "病假请至少选择一项症状")
	case in.Kind == Personal && symptoms != "":
		v.Add("symptoms", "事假不填写症状")
	}
	if v.Err() != nil {
		return "", 0, v
	}
	if in.EndDate < in.StartDate || (in.EndDate == in.StartDate && in.StartHalf == PM && in.EndHalf == AM) {
		return "", 0, apperr.Invalid("end_date", "结束时间不能早于开始时间")
	}
	halves, err = HalfDays(cal, in.StartDate, in.StartHalf, in.EndDate, in.EndHalf)
	switch {
	case err != nil || halves > 2*MaxSchoolDays:
		return "", 0, apperr.Invalid("end_date", fmt.Sprintf("一次请假最多 %d 个上学日，更长的请假请联系班主任", MaxSchoolDays))
	case halves == 0:
		return "", 0, apperr.Invalid("start_date", "所选时间内没有上学日，无需请假")
	}
	return symptoms, halves, nil
}

// guardianOf checks that actor may ask for or cancel leave of student:
// a current guardian, still in the class group.
func guardianOf(ctx context.Context, tx *gorm.DB, actor *auth.User, st school.Student) error {
	if actor == nil {
		return apperr.ErrUnauthenticated
	}
	if actor.Role != auth.RoleParent || st.Status != school.Enrolled {
		return ErrNotGuardian
	}
	ok, err := school.IsGuardian(ctx, tx, st.ID, actor.ID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotGuardian
	}
	in, err := group.MemberClasses(ctx, tx, actor.ID)
	if err != nil || in[st.ClassID] {
		return err
	}
	return ErrRemoved
}

// headOf checks that actor is the head teacher of class classID or an admin.
func headOf(ctx context.Context, tx *gorm.DB, actor *auth.User, classID uint64) (school.Class, error) {
	if actor == nil {
		return school.Class{}, apperr.ErrUnauthenticated
	}
	c, err := school.ClassByID(ctx, tx, classID)
	if err != nil {
		return c, err
	}
	if actor.IsAdmin() || (actor.Role == auth.RoleTeacher && c.HeadTeacherID != nil && *c.HeadTeacherID == actor.ID) {
		return c, nil
	}
	return c, ErrNotHead
}

func leaveLink(id uint64) string { return fmt.Sprintf("/leave#leave-%d", id) }

// Request files a guardian's leave request; the head teacher is told. A
// doctor's note is checked (type, size) with the form, and kept only once
// the request is known to be allowed: then outside the transaction (object
// storage is the network), the request inside it checked again.
func (s *Service) Request(ctx context.Context, actor *auth.User, in RequestInput) (Leave, error) {
	cal, err := s.cals.Calendar(ctx)
	if err != nil {
		return Leave{}, err
	}
	now := s.now()
	var noteID *uint64
	if in.Note != nil {
		if _, _, _, err := s.checkRequest(ctx, s.db, actor, in, cal, now); err != nil {
			return Leave{}, err
		}
		if s.files == nil {
			return Leave{}, errors.New("studentleave: request: no file service for the note")
		}
		f, err := s.files.SaveOrStage(ctx, actor.ID, *in.Note)
		if err != nil {
			return Leave{}, err
		}
		noteID = &f.ID
	}
	var l Leave
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		st, symptoms, halves, err := s.checkRequest(ctx, tx, actor, in, cal, now)
		if err != nil {
			return err
		}
		l = Leave{StudentID: st.ID, ClassID: st.ClassID, ParentID: actor.ID, Kind: in.Kind, StartDate: in.StartDate, StartHalf: in.StartHalf,
			EndDate: in.EndDate, EndHalf: in.EndHalf, HalfDays: halves, Reason: strings.TrimSpace(in.Reason), Symptoms: symptoms,
			Status: Pending, FileID: noteID, CreatedAt: now}
		if err := tx.WithContext(ctx).Create(&l).Error; err != nil {
			return fmt.Errorf("studentleave: request: %w", err)
		}
		c, err := school.ClassByID(ctx, tx, st.ClassID)
		if err != nil {
			return err
		}
		if c.HeadTeacherID != nil {
			// The guardian's words stay on the request, which erasure
			// clears; the notification, kept for months, names the dates.
			body := l.Start() + " 至 " + l.End()
			if noteID != nil {
				body += "（附医生证明）"
			}
			return notify.Add(ctx, tx, now, notify.Notification{UserID: *c.HeadTeacherID, Kind: "leave.request",
				Title: fmt.Sprintf("%s 申请%s %g 天", st.Name, l.Kind, l.Days()), Body: body, Link: leaveLink(l.ID)})
		}
		return nil
	})
	if err != nil && noteID != nil {
		s.files.Discard(ctx, []uint64{*noteID})
	}
	return l, err
}

// checkRequest checks, through q, that actor may ask for the leave in and
// that the form is good, and counts its half days on cal.
func (s *Service) checkRequest(ctx context.Context, q *gorm.DB, actor *auth.User, in RequestInput, cal calendar.Calendar, now time.Time) (school.Student, string, int, error) {
	sts, err := school.Students(ctx, q, []uint64{in.StudentID})
	if err != nil {
		return school.Student{}, "", 0, err
	}
	st, ok := sts[in.StudentID]
	if !ok {
		return st, "", 0, ErrNotGuardian
	}
	if err := guardianOf(ctx, q, actor, st); err != nil {
		return st, "", 0, err
	}
	symptoms, halves, err := in.validate(cal)
	if err != nil {
		return st, "", 0, err
	}
	today := calendar.DayOf(now, s.loc)
	switch {
	case in.StartDate < string(dayAdd(today, -LateDays)):
		return st, "", 0, apperr.Invalid("start_date", fmt.Sprintf("只能补请 %d 天内的假，更早的请联系班主任", LateDays))
	case in.StartDate > string(dayAdd(today, AheadDays)):
		return st, "", 0, apperr.Invalid("start_date", fmt.Sprintf("最多提前 %d 天请假", AheadDays))
	}
	if err := CheckNote(in.Note); err != nil {
		return st, "", 0, err
	}
	return st, symptoms, halves, nil
}

// FileAccess reports whether actor may open a file of student leave (a
// doctor's note): the guardian who sent it, the child's other guardians
// while still in the class group (one a moderator removed may not), the
// head teacher of the class the leave was asked in, and admins; nobody
// else, not the class's other teachers.
func (s *Service) FileAccess(ctx context.Context, actor *auth.User, fileID uint64) (bool, error) {
	if actor == nil {
		return false, nil
	}
	var ls []Leave
	if err := s.db.WithContext(ctx).Where("file_id = ?", fileID).Order("id").Limit(listLimit).Find(&ls).Error; err != nil {
		return false, fmt.Errorf("studentleave: file access: %w", err)
	}
	for _, l := range ls {
		if actor.IsAdmin() {
			return true, nil
		}
		switch actor.Role {
		case auth.RoleParent:
			// The guardian who sent it, and the child's other guardians
			// while they may ask for leave themselves (still in the class
			// group): not one a moderator removed.
			if l.ParentID == actor.ID {
				return true, nil
			}
			sts, err := school.Students(ctx, s.db, []uint64{l.StudentID})
			if err != nil {
				return false, err
			}
			st, found := sts[l.StudentID]
			if !found {
				continue
			}
			switch err := guardianOf(ctx, s.db, actor, st); {
			case err == nil:
				return true, nil
			case !errors.Is(err, ErrNotGuardian) && !errors.Is(err, ErrRemoved):
				return false, err
			}
		case auth.RoleTeacher:
			_, err := headOf(ctx, s.db, actor, l.ClassID)
			switch {
			case err == nil:
				return true, nil
			case !errors.Is(err, apperr.ErrForbidden) && !errors.Is(err, apperr.ErrNotFound):
				return false, err
			}
		}
	}
	return false, nil
}

// Notes reads the doctor's notes of items in one statement, by file id.
func (s *Service) Notes(ctx context.Context, items []Item) (map[uint64]file.File, error) {
	var ids []uint64
	for _, it := range items {
		if it.FileID != nil {
			ids = append(ids, *it.FileID)
		}
	}
	out := make(map[uint64]file.File, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	fs, err := file.ByIDs(ctx, s.db, ids)
	if err != nil {
		return nil, fmt.Errorf("studentleave: notes: %w", err)
	}
	for _, f := range fs {
		out[f.ID] = f
	}
	return out, nil
}

func (s *Service) byID(ctx context.Context, tx *gorm.DB, id uint64) (Leave, error) {
	var l Leave
	err := tx.WithContext(ctx).Where("id = ?", id).Take(&l).Error
	return l, db.Translate(err)
}

// decide runs fn on the leave id inside a transaction, after checking
// that actor heads its class.
func (s *Service) asHead(ctx context.Context, actor *auth.User, id uint64, fn func(tx *gorm.DB, l Leave) error) error {
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		l, err := s.byID(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := headOf(ctx, tx, actor, l.ClassID); err != nil {
			return err
		}
		return fn(tx, l)
	})
}

// Approve grants a pending request; the guardian is told.
func (s *Service) Approve(ctx context.Context, actor *auth.User, id uint64) error {
	now := s.now()
	return s.asHead(ctx, actor, id, func(tx *gorm.DB, l Leave) error {
		if err := s.setStatus(ctx, tx, l, Pending, map[string]any{"status": Approved, "decided_by": auth.ActorOf(actor), "decided_at": now}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: auth.ActorOf(actor), Action: "leave.approve", Subject: fmt.Sprintf("leave:%d", l.ID), CreatedAt: now}); err != nil {
			return err
		}
		return notify.Add(ctx, tx, now, notify.Notification{UserID: l.ParentID, Kind: "leave.approved", Title: "请假已批准",
			Body: l.Kind + " " + l.Start() + " 至 " + l.End(), Link: leaveLink(l.ID)})
	})
}

// Reject refuses a pending request with a reason the guardian is told.
func (s *Service) Reject(ctx context.Context, actor *auth.User, id uint64, reason string) error {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return apperr.Invalid("reason", "请填写驳回理由")
	case utf8.RuneCountInString(reason) > maxReason:
		return apperr.Invalid("reason", fmt.Sprintf("驳回理由最多 %d 字", maxReason))
	}
	now := s.now()
	return s.asHead(ctx, actor, id, func(tx *gorm.DB, l Leave) error {
		if err := s.setStatus(ctx, tx, l, Pending, map[string]any{"status": Rejected, "decided_by": auth.ActorOf(actor), "decided_at": now, "reject_reason": reason}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: auth.ActorOf(actor), Action: "leave.reject", Subject: fmt.Sprintf("leave:%d", l.ID), Detail: "reason=" + reason, CreatedAt: now}); err != nil {
			return err
		}
		return notify.Add(ctx, tx, now, notify.Notification{UserID: l.ParentID, Kind: "leave.rejected", Title: "请假未获批准",
			Body: "理由：" + reason, Link: leaveLink(l.ID)})
	})
}

// Return marks the child back at school (销假).
func (s *Service) Return(ctx context.Context, actor *auth.User, id uint64) error {
	now := s.now()
	return s.asHead(ctx, actor, id, func(tx *gorm.DB, l Leave) error {
		if l.Status != Approved {
			return ErrNotAway
		}
		return s.setStatus(ctx, tx, l, Approved, map[string]any{"status": Returned, "returned_by": auth.ActorOf(actor), "returned_at": now})
	})
}

// Cancel withdraws a pending or approved request before it starts; any
// current guardian of the child may.
func (s *Service) Cancel(ctx context.Context, actor *auth.User, id uint64) error {
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		l, err := s.byID(ctx, tx, id)
		if err != nil {
			return err
		}
		sts, err := school.Students(ctx, tx, []uint64{l.StudentID})
		if err != nil {
			return err
		}
		if err := guardianOf(ctx, tx, actor, sts[l.StudentID]); err != nil {
			if errors.Is(err, ErrRemoved) {
				return err
			}
			return apperr.ErrNotFound
		}
		if l.Status != Pending && l.Status != Approved {
			return apperr.New(apperr.ErrConflict, "该请假已"+StatusLabel(l.Status)+"，不能撤销")
		}
		if !now.Before(l.StartsAt(s.loc)) {
			return ErrStarted
		}
		return s.setStatus(ctx, tx, l, l.Status, map[string]any{"status": Cancelled})
	})
}

// setStatus changes l from status from; a request changed meanwhile is a
// conflict.
func (s *Service) setStatus(ctx context.Context, tx *gorm.DB, l Leave, from string, cols map[string]any) error {
	if l.Status != from {
		return ErrNotPending
	}
	res := tx.WithContext(ctx).Model(&Leave{}).Where("id = ? AND status = ?", l.ID, from).Updates(cols)
	if res.Error != nil {
		return fmt.Errorf("studentleave: update: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return ErrNotPending
	}
	return nil
}

// Cancellable reports whether a guardian may still cancel l: pending or
// approved, and not yet started.
func (s *Service) Cancellable(l Leave) bool {
	return (l.Status == Pending || l.Status == Approved) && s.now().Before(l.StartsAt(s.loc))
}

// TodayDay is today in the school's time zone.
func (s *Service) TodayDay() calendar.Day { return calendar.DayOf(s.now(), s.loc) }

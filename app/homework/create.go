package homework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/archive"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
)

// Bounds of what one assignment carries, checked before any lookup.
const (
	MaxClasses = 30
	MaxFiles   = 9
)

// CreateInput is the form that sets homework.
type CreateInput struct {
	Title              string
	Subject            string
	Body               string
	ClassIDs           []uint64
	Due                string // DueLayout, school time
	RequiresSubmission bool
	Files              []file.Prepared
}

// CanCreate says whether actor may set homework at all: teachers and admins.
func CanCreate(actor *auth.User) error {
	if actor == nil || !actor.Role.Staff() {
		return ErrNotStaff
	}
	return nil
}

// Create checks an assignment and publishes it to the classes at once;
// the families of those classes are told in their notification centre,
// and the assignment with its files is archived (archive.RecordHomework).
func (s *Service) Create(ctx context.Context, actor *auth.User, in CreateInput) (Assignment, error) {
	if err := CanCreate(actor); err != nil {
		return Assignment{}, err
	}
	now := s.now()
	v := &apperr.ValidationError{}
	in.Title, in.Subject = strings.TrimSpace(in.Title), strings.TrimSpace(in.Subject)
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	if n := utf8.RuneCountInString(in.Title); n < 2 || n > 100 {
		v.Add("title", "请填写作业标题（2–100 字）")
	}
	if n := utf8.RuneCountInString(in.Subject); n < 1 || n > 16 {
		v.Add("subject", "请填写科目（最多 16 字）")
	}
	if utf8.RuneCountInString(in.Body) > 5000 {
		v.Add("body", "作业内容太长（最多 5000 字）")
	}
	switch {
	case len(in.ClassIDs) == 0:
		v.Add("class_id", "请至少选择一个班级")
	case len(in.ClassIDs) > MaxClasses:
		v.Add("class_id", fmt.Sprintf("一项作业最多布置给 %d 个班级", MaxClasses))
	}
	due, err := time.ParseInLocation(DueLayout, strings.TrimSpace(in.Due), s.loc)
	switch {
	case err != nil:
		v.Add("due_at", "请按“2026-12-03 20:00”的格式填写截止时间")
	case !due.After(now):
		v.Add("due_at", "截止时间必须晚于现在")
	}
	if len(in.Files) > MaxFiles {
		v.Add("file", fmt.Sprintf("最多上传 %d 个附件", MaxFiles))
	}
	if err := v.Err(); err != nil {
		return Assignment{}, err
	}
	classIDs := slices.Clone(in.ClassIDs)
	slices.Sort(classIDs)
	classIDs = slices.Compact(classIDs)
	t, err := school.TaughtBy(ctx, s.db, actor)
	if err != nil {
		return Assignment{}, err
	}
	for _, id := range classIDs {
		if !t.Has(id) {
			return Assignment{}, apperr.Invalid("class_id", "只能布置给您任教的班级")
		}
	}
	if t.All {
		if err := s.classesExist(ctx, classIDs); err != nil {
			return Assignment{}, err
		}
	}
	if err := s.filterText(ctx, "body", "作业", &in.Title, &in.Subject, &in.Body); err != nil {
		return Assignment{}, err
	}
	if err := s.filterNames(ctx, in.Files); err != nil {
		return Assignment{}, err
	}
	fileIDs, err := s.files.SaveAllOrStage(ctx, actor.ID, in.Files)
	if err != nil {
		return Assignment{}, err
	}
	a := Assignment{AuthorID: actor.ID, Title: in.Title, Subject: in.Subject, Body: in.Body, DueAt: due.UTC(),
		RequiresSubmission: in.RequiresSubmission, CreatedAt: now, PublishedAt: &now}
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		for _, cid := range classIDs {
			if err := tx.Create(&assignmentClass{AssignmentID: a.ID, ClassID: cid}).Error; err != nil {
				return err
			}
		}
		for i, fid := range fileIDs {
			if err := tx.Create(&assignmentFile{AssignmentID: a.ID, FileID: fid, Position: i}).Error; err != nil {
				return err
			}
		}
		if err := s.tellFamilies(ctx, tx, now, a, classIDs); err != nil {
			return err
		}
		// Archived with the notices, in the same transaction: the bundle
		// job follows once it commits. Submissions stay out of it.
		_, err := archive.RecordHomework(ctx, tx, now, archive.Homework{ID: a.ID, Title: a.Title, Subject: a.Subject, Body: a.Body,
			DueAt: a.DueAt, AuthorID: a.AuthorID}, classIDs, fileIDs)
		return err
	})
	if err != nil {
		s.files.Discard(ctx, fileIDs) // stored before the transaction refused
		return Assignment{}, fmt.Errorf("homework: create: %w", err)
	}
	return a, nil
}

// classesExist refuses class ids that name no class (an admin may set
// work to any class, but only to one that exists).
func (s *Service) classesExist(ctx context.Context, ids []uint64) error {
	cs, err := school.ClassesByID(ctx, s.db, ids)
	if err != nil {
		return err
	}
	if len(cs) != len(ids) {
		return apperr.Invalid("class_id", "所选班级不存在，请重新选择")
	}
	return nil
}

// tellFamilies puts a 提醒 in the centre of each guardian of the classes
// who is in the class group.
func (s *Service) tellFamilies(ctx context.Context, tx *gorm.DB, now time.Time, a Assignment, classIDs []uint64) error {
	parents, err := familiesOf(ctx, tx, classIDs)
	if err != nil || len(parents) == 0 {
		return err
	}
	users := auth.CurrentAmong(tx, parents).Select("id AS user_id").Where("id IN (?)", group.InClassGroups(tx, classIDs))
	return notify.AddEach(ctx, tx, now, users, notify.Notification{Kind: "homework",
		Title: "新作业：" + a.Subject + " · " + a.Title, Body: "截止 " + a.DueAt.In(s.loc).Format(DueLayout), Link: Link(a.ID)})
}

// filterText passes each part through the school-wide filter as a notice
// is: blocked or to-be-reviewed content is refused, the rest masked.
func (s *Service) filterText(ctx context.Context, field, what string, parts ...*string) error {
	f, err := s.filters.Filter(ctx, 0)
	if err != nil {
		return err
	}
	for _, part := range parts {
		masked, res, ok := f.Published(*part)
		if !ok {
			return apperr.Invalid(field, fmt.Sprintf("%s含有“%s”类违规或需审核的信息，请修改后再提交", what, res.Category.Label()))
		}
		*part = masked
	}
	return nil
}

func (s *Service) filterNames(ctx context.Context, files []file.Prepared) error {
	f, err := s.filters.Filter(ctx, 0)
	if err != nil {
		return err
	}
	for i := range files {
		masked, res, ok := f.Published(files[i].Name)
		if !ok {
			return apperr.Invalid("file", fmt.Sprintf("第 %d 个附件的文件名含有“%s”类违规或需审核的信息，请修改文件名后再提交", i+1, res.Category.Label()))
		}
		files[i].Name = masked
	}
	return nil
}

package homework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/file"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
)

// ErrMarked refuses a new hand-in once the teacher has marked the work.
var ErrMarked = apperr.New(apperr.ErrConflict, "老师已批改这份作业，不能再修改；如需重交，请等老师打回")

// SubmitInput is a family's hand-in form.
type SubmitInput struct {
	StudentID uint64
	Body      string
	Files     []file.Prepared
}

// Submit hands in the work of one of actor's children in a target class.
// A later hand-in replaces the earlier one (text and files) until the work
// is marked; one after the due time is 迟交. Work sent back (打回) may be
// handed in again.
func (s *Service) Submit(ctx context.Context, actor *auth.User, id uint64, in SubmitInput) (Submission, error) {
	a, classIDs, err := s.assignment(ctx, s.db, id)
	if err != nil {
		return Submission{}, err
	}
	kids, err := children(ctx, s.db, actor)
	if err != nil {
		return Submission{}, err
	}
	var child *school.Child
	inClass := false
	for i, k := range kids {
		if slices.Contains(classIDs, k.ClassID) {
			inClass = true
			if k.StudentID == in.StudentID {
				child = &kids[i]
			}
		}
	}
	if !inClass {
		return Submission{}, ErrNotFamily
	}
	v := &apperr.ValidationError{}
	if child == nil {
		v.Add("student_id", "请选择要提交作业的孩子")
	}
	if !a.RequiresSubmission {
		v.Add("body", "这项作业无需在线提交")
	}
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	if utf8.RuneCountInString(in.Body) > 2000 {
		v.Add("body", "作业说明太长（最多 2000 字）")
	}
	if in.Body == "" && len(in.Files) == 0 {
		v.Add("body", "请写下作业内容或上传照片、文件")
	}
	if len(in.Files) > MaxFiles {
		v.Add("file", fmt.Sprintf("最多上传 %d 个文件", MaxFiles))
	}
	if err := v.Err(); err != nil {
		return Submission{}, err
	}
	if err := s.filterText(ctx, "body", "作业内容", &in.Body); err != nil {
		return Submission{}, err
	}
	in.Files = slices.Clone(in.Files)
	if err := s.filterNames(ctx, in.Files); err != nil {
		return Submission{}, err
	}
	// Refuse marked work before keeping any upload.
	if cur, err := s.current(ctx, s.db, id, in.StudentID); err != nil {
		return Submission{}, err
	} else if cur != nil && cur.Status == Reviewed {
		return Submission{}, ErrMarked
	}
	fileIDs, err := s.files.SaveAllOrStage(ctx, actor.ID, in.Files)
	if err != nil {
		return Submission{}, err
	}
	now := s.now()
	sub := Submission{AssignmentID: id, StudentID: in.StudentID, ParentID: actor.ID, Body: in.Body, SubmittedAt: now,
		Late: now.After(a.DueAt), Status: Submitted}
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		cur, err := s.current(ctx, tx, id, in.StudentID)
		if err != nil {
			return err
		}
		if cur != nil {
			if cur.Status == Reviewed {
				return ErrMarked
			}
			sub.ID = cur.ID
			if err := tx.Where("submission_id = ?", cur.ID).Delete(&submissionFile{}).Error; err != nil {
				return err
			}
			if err := tx.Model(&Submission{}).Where("id = ?", cur.ID).Updates(map[string]any{
				"parent_id": sub.ParentID, "body": sub.Body, "submitted_at": now, "late": sub.Late, "status": Submitted,
				"grade": "", "comment": "", "redo": false, "featured": false, "reviewed_by": nil, "reviewed_at": nil}).Error; err != nil {
				return err
			}
		} else if err := tx.Create(&sub).Error; err != nil {
			if db.IsDuplicate(err) {
				return apperr.New(apperr.ErrConflict, "这份作业刚刚已有家长提交，请刷新后再试")
			}
			return err
		}
		for i, fid := range fileIDs {
			if err := tx.Create(&submissionFile{SubmissionID: sub.ID, FileID: fid, Position: i}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.files.Discard(ctx, fileIDs) // stored before the transaction refused
		return Submission{}, fmt.Errorf("homework: submit: %w", err)
	}
	return sub, nil
}

// current reads the student's submission of an assignment, nil if none.
func (s *Service) current(ctx context.Context, q *gorm.DB, id, studentID uint64) (*Submission, error) {
	var sub Submission
	err := db.FreshIn(ctx, q).Where("assignment_id = ? AND student_id = ?", id, studentID).Take(&sub).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("homework: submission: %w", err)
	}
	return &sub, nil
}

// ReviewInput is a teacher's mark.
type ReviewInput struct {
	Grade    string
	Comment  string
	Redo     bool
	Featured bool
}

// Review marks a submission (a teacher of the student's class, or an
// admin): a grade and a comment, or sent back (打回) to be handed in
// again; marked work may be shown to the class as 优秀作业. The family is
// told in its notification centre.
func (s *Service) Review(ctx context.Context, actor *auth.User, id, submissionID uint64, in ReviewInput) (Submission, error) {
	a, classIDs, err := s.assignment(ctx, s.db, id)
	if err != nil {
		return Submission{}, err
	}
	t, err := school.TaughtBy(ctx, s.db, actor)
	if err != nil {
		return Submission{}, err
	}
	if !t.Any(classIDs) {
		return Submission{}, s.refuse(ctx, actor, id)
	}
	var sub Submission
	if err := s.db.WithContext(ctx).Where("id = ? AND assignment_id = ?", submissionID, id).Take(&sub).Error; err != nil {
		return Submission{}, db.Translate(err)
	}
	sts, err := school.Students(ctx, db.FreshIn(ctx, s.db), []uint64{sub.StudentID})
	if err != nil {
		return Submission{}, err
	}
	if st, ok := sts[sub.StudentID]; !ok || !t.Has(st.ClassID) {
		return Submission{}, ErrNotTeacher
	}
	v := &apperr.ValidationError{}
	in.Comment = strings.TrimSpace(strings.ReplaceAll(in.Comment, "\r\n", "\n"))
	if in.Grade != "" && !slices.Contains(Grades, in.Grade) {
		v.Add("grade", "请选择评价：优、良、合格或待改进")
	}
	if in.Grade == "" && !in.Redo {
		v.Add("grade", "请选择评价，或打回让学生重做")
	}
	if in.Redo && in.Featured {
		v.Add("featured", "打回的作业不能设为优秀作业")
	}
	if in.Redo && in.Comment == "" {
		v.Add("comment", "打回时请写明需要修改的地方")
	}
	if utf8.RuneCountInString(in.Comment) > 500 {
		v.Add("comment", "评语太长（最多 500 字）")
	}
	if err := v.Err(); err != nil {
		return Submission{}, err
	}
	if err := s.filterText(ctx, "comment", "评语", &in.Comment); err != nil {
		return Submission{}, err
	}
	now := s.now()
	status, title := Reviewed, "作业已批改："+a.Title
	if in.Redo {
		status, title = Returned, "作业被打回，请修改后重交："+a.Title
	}
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Model(&Submission{}).Where("id = ?", sub.ID).Updates(map[string]any{
			"status": status, "grade": in.Grade, "comment": in.Comment, "redo": in.Redo, "featured": in.Featured,
			"reviewed_by": actor.ID, "reviewed_at": now}).Error; err != nil {
			return err
		}
		return notify.Add(ctx, tx, now, notify.Notification{UserID: sub.ParentID, Kind: "homework", Title: title, Link: Link(id)})
	})
	if err != nil {
		return Submission{}, fmt.Errorf("homework: review: %w", err)
	}
	sub.Status, sub.Grade, sub.Comment, sub.Redo, sub.Featured, sub.ReviewedBy, sub.ReviewedAt = status, in.Grade, in.Comment, in.Redo, in.Featured, &actor.ID, &now
	return sub, nil
}

package studentleave

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/export"
	"jiaxiao/app/file"
	"jiaxiao/app/school"
)

// A family's own data: what a person's export holds of the leave they
// asked for, and what erasing a parent's account leaves of it.

// ErasedReason stands in for the reason a guardian wrote once their
// account is erased.
const ErasedReason = "（申请人已注销，事由已删除）"

// MaxExported bounds the requests in a person's export; the newest are
// kept and the section says it was cut.
const MaxExported = 10000

// lookupChunk is how many ids one lookup statement names.
const lookupChunk = 1000

// ExportedRequest is a leave request a guardian made.
type ExportedRequest struct {
	ID             uint64       `json:"id"`
	Student        string       `json:"student"`
	StudentNo      string       `json:"student_no"`
	Class          string       `json:"class"`
	Kind           string       `json:"kind"`
	StartDate      string       `json:"start_date"`
	StartHalf      string       `json:"start_half"`
	StartHalfLabel string       `json:"start_half_label"`
	EndDate        string       `json:"end_date"`
	EndHalf        string       `json:"end_half"`
	EndHalfLabel   string       `json:"end_half_label"`
	SchoolDays     float64      `json:"school_days"`
	Reason         string       `json:"reason"`
	Symptoms       []string     `json:"symptoms"`
	Status         string       `json:"status"`
	StatusLabel    string       `json:"status_label"`
	DecisionReason string       `json:"decision_reason"`
	File           *export.File `json:"file"`
	CreatedAt      string       `json:"created_at"`
	DecidedAt      *string      `json:"decided_at"`
	ReturnedAt     *string      `json:"returned_at"`
}

// Exported is the student-leave section of a person's export: the
// requests they asked for, newest first. Cut is set when there were more
// than MaxExported.
type Exported struct {
	Requests []ExportedRequest `json:"requests"`
	Cut      bool              `json:"cut"`
}

// Place fills in where each file went in the zip (export.Filed).
func (e *Exported) Place(where func(fileID uint64) (path, note string)) {
	for _, r := range e.Requests {
		r.File.Place(where)
	}
}

// ForExport reads the leave userID asked for, for their export (an
// export.Part's Read), outside any transaction.
func (s *Service) ForExport(ctx context.Context, userID uint64) (any, error) {
	var ls []Leave
	if err := s.db.WithContext(ctx).Where("parent_id = ?", userID).Order("id DESC").Limit(MaxExported + 1).Find(&ls).Error; err != nil {
		return nil, fmt.Errorf("studentleave: export: %w", err)
	}
	out := &Exported{Requests: []ExportedRequest{}}
	if len(ls) > MaxExported {
		ls, out.Cut = ls[:MaxExported], true
	}
	var studentIDs, classIDs, fileIDs []uint64
	for _, l := range ls {
		studentIDs, classIDs = append(studentIDs, l.StudentID), append(classIDs, l.ClassID)
		if l.FileID != nil {
			fileIDs = append(fileIDs, *l.FileID)
		}
	}
	students := map[uint64]school.Student{}
	classes := map[uint64]school.Class{}
	files := map[uint64]string{}
	for ids := range slices.Chunk(unique(studentIDs), lookupChunk) {
		sts, err := school.Students(ctx, db.FreshIn(ctx, s.db), ids)
		if err != nil {
			return nil, err
		}
		for id, st := range sts {
			students[id] = st
		}
	}
	for ids := range slices.Chunk(unique(classIDs), lookupChunk) {
		cs, err := school.ClassesByID(ctx, s.db, ids)
		if err != nil {
			return nil, err
		}
		for id, c := range cs {
			classes[id] = c
		}
	}
	for ids := range slices.Chunk(unique(fileIDs), lookupChunk) {
		fs, err := file.ByIDs(ctx, db.FreshIn(ctx, s.db), ids)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			files[f.ID] = f.Name
		}
	}
	for _, l := range ls {
		st := students[l.StudentID]
		r := ExportedRequest{ID: l.ID, Student: st.Name, StudentNo: st.StudentNo, Class: classes[l.ClassID].Name(), Kind: l.Kind,
			StartDate: l.StartDate, StartHalf: l.StartHalf, StartHalfLabel: HalfLabel(l.StartHalf), EndDate: l.EndDate, EndHalf: l.EndHalf,
			EndHalfLabel: HalfLabel(l.EndHalf), SchoolDays: l.Days(), Reason: l.Reason, Symptoms: l.SymptomList(), Status: l.Status,
			StatusLabel: StatusLabel(l.Status), DecisionReason: l.RejectReason, CreatedAt: s.stamp(l.CreatedAt), DecidedAt: s.stampp(l.DecidedAt),
			ReturnedAt: s.stampp(l.ReturnedAt)}
		if r.Symptoms == nil {
			r.Symptoms = []string{}
		}
		if l.FileID != nil {
			r.File = &export.File{ID: *l.FileID, Name: files[*l.FileID]}
		}
		out.Requests = append(out.Requests, r)
	}
	return out, nil
}

func (s *Service) stamp(t time.Time) string {
	return t.In(s.loc).Truncate(time.Second).Format(time.RFC3339)
}

func (s *Service) stampp(t *time.Time) *string {
	if t == nil {
		return nil
	}
	v := s.stamp(*t)
	return &v
}

func unique(ids []uint64) []uint64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// Erase is student leave's part of erasing a parent's account (an
// erasure.Part), inside the erasure's transaction. Each request the
// parent asked for stays as the school's attendance record — the
// student, class, kind, dates and halves, status and who decided when —
// and so do its symptoms (the health office's record of illness
// absences) and the head teacher's decision text, with the parent's name
// and phone number scrubbed from it. The reason the parent wrote goes
// (ErasedReason stands in) and so does the attached file (its record and
// object go with the parent's other uploads). The request stays linked to
// the erased account, which has no name or phone left: pages show it as
// auth.ErasedName.
func Erase(ctx context.Context, tx *gorm.DB, userID uint64) error {
	tx = tx.WithContext(ctx)
	res := tx.Model(&Leave{}).Where("parent_id = ?", userID).Updates(map[string]any{"reason": ErasedReason, "file_id": nil})
	if res.Error != nil {
		return fmt.Errorf("studentleave: erase: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil
	}
	u, err := auth.UserIn(ctx, tx, userID)
	if err != nil {
		return err
	}
	for text, with := range map[string]string{u.Phone: "（手机号已删除）", u.Name: auth.ErasedName} {
		if strings.TrimSpace(text) == "" || text == with {
			continue
		}
		res := tx.Model(&Leave{}).Where("parent_id = ? AND reject_reason LIKE ?", userID, "%"+text+"%").
			Update("reject_reason", gorm.Expr("REPLACE(reject_reason, ?, ?)", text, with))
		if res.Error != nil {
			return fmt.Errorf("studentleave: erase: %w", res.Error)
		}
	}
	return nil
}

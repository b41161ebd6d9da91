package homework

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

// A family's own data: what a person's export holds of the 家校本 and
// what erasing a parent's account leaves of it.

// ErasedBody stands in for the text of a submission whose family's
// account was erased: the row, its status and mark stay (the teacher's
// record), what the family wrote and uploaded goes.
const ErasedBody = "（提交人已注销，作业内容已删除）"

// MaxExported bounds each list of a person's export; the newest are kept
// and the list says it was cut.
const MaxExported = 10000

// lookupChunk is how many ids one lookup statement names.
const lookupChunk = 1000

// ExportedSubmission is a hand-in a parent made.
type ExportedSubmission struct {
	ID           uint64         `json:"id"`
	AssignmentID uint64         `json:"assignment_id"`
	Assignment   string         `json:"assignment"`
	Subject      string         `json:"subject"`
	Student      string         `json:"student"`
	StudentNo    string         `json:"student_no"`
	Class        string         `json:"class"`
	Body         string         `json:"body"`
	Files        []*export.File `json:"files"`
	SubmittedAt  string         `json:"submitted_at"`
	Late         bool           `json:"late"`
	Status       string         `json:"status"`
	StatusLabel  string         `json:"status_label"`
	Grade        string         `json:"grade"`
	Comment      string         `json:"comment"`
	Featured     bool           `json:"featured"`
	ReviewedAt   *string        `json:"reviewed_at"`
}

// ExportedAssignment is homework a teacher set.
type ExportedAssignment struct {
	ID                 uint64         `json:"id"`
	Title              string         `json:"title"`
	Subject            string         `json:"subject"`
	Body               string         `json:"body"`
	Classes            []string       `json:"classes"`
	DueAt              string         `json:"due_at"`
	RequiresSubmission bool           `json:"requires_submission"`
	Files              []*export.File `json:"files"`
	CreatedAt          string         `json:"created_at"`
}

// ExportedReview is a teacher's mark of a submission, as it stands.
type ExportedReview struct {
	SubmissionID uint64  `json:"submission_id"`
	AssignmentID uint64  `json:"assignment_id"`
	Assignment   string  `json:"assignment"`
	Student      string  `json:"student"`
	Class        string  `json:"class"`
	Status       string  `json:"status"`
	StatusLabel  string  `json:"status_label"`
	Grade        string  `json:"grade"`
	Comment      string  `json:"comment"`
	Featured     bool    `json:"featured"`
	ReviewedAt   *string `json:"reviewed_at"`
}

// Exported is the homework section of a person's export: a parent's
// submissions; a teacher's assignments and reviews (empty lists for
// whoever has none). Cut names the lists
// that held more than MaxExported rows and keep only the newest.
type Exported struct {
	Submissions []ExportedSubmission `json:"submissions"`
	Assignments []ExportedAssignment `json:"assignments_set"`
	Reviews     []ExportedReview     `json:"reviews"`
	Cut         []string             `json:"cut"`
}

// Place fills in where each file went in the zip (export.Filed).
func (e *Exported) Place(where func(fileID uint64) (path, note string)) {
	for _, s := range e.Submissions {
		for _, f := range s.Files {
			f.Place(where)
		}
	}
	for _, a := range e.Assignments {
		for _, f := range a.Files {
			f.Place(where)
		}
	}
}

// ForExport reads userID's homework for their export (an export.Part's
// Read): outside any transaction, each list bounded.
func (s *Service) ForExport(ctx context.Context, userID uint64) (any, error) {
	u, err := auth.UserIn(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	out := &Exported{Submissions: []ExportedSubmission{}, Assignments: []ExportedAssignment{}, Reviews: []ExportedReview{}, Cut: []string{}}
	r := exportReader{s: s, ctx: ctx}
	var subs []Submission
	if err := s.db.WithContext(ctx).Where("parent_id = ?", userID).Order("submitted_at DESC, id DESC").Limit(MaxExported + 1).Find(&subs).Error; err != nil {
		return nil, fmt.Errorf("homework: export submissions: %w", err)
	}
	if len(subs) > MaxExported {
		subs, out.Cut = subs[:MaxExported], append(out.Cut, "submissions")
	}
	var reviews []Submission
	var set []Assignment
	if u.Role.Staff() {
		if err := s.db.WithContext(ctx).Where("author_id = ?", userID).Order("id DESC").Limit(MaxExported + 1).Find(&set).Error; err != nil {
			return nil, fmt.Errorf("homework: export assignments: %w", err)
		}
		if len(set) > MaxExported {
			set, out.Cut = set[:MaxExported], append(out.Cut, "assignments_set")
		}
		if err := s.db.WithContext(ctx).Where("reviewed_by = ?", userID).Order("reviewed_at DESC, id DESC").Limit(MaxExported + 1).Find(&reviews).Error; err != nil {
			return nil, fmt.Errorf("homework: export reviews: %w", err)
		}
		if len(reviews) > MaxExported {
			reviews, out.Cut = reviews[:MaxExported], append(out.Cut, "reviews")
		}
	}
	if err := r.load(subs, reviews, set); err != nil {
		return nil, err
	}
	for _, sub := range subs {
		st := r.students[sub.StudentID]
		a := r.assignments[sub.AssignmentID]
		out.Submissions = append(out.Submissions, ExportedSubmission{ID: sub.ID, AssignmentID: sub.AssignmentID, Assignment: a.Title,
			Subject: a.Subject, Student: st.Name, StudentNo: st.StudentNo, Class: r.classes[st.ClassID].Name(), Body: sub.Body,
			Files: r.refs(r.subFiles[sub.ID]), SubmittedAt: s.stamp(sub.SubmittedAt), Late: sub.Late, Status: sub.Status,
			StatusLabel: sub.Shown(), Grade: sub.Grade, Comment: sub.Comment, Featured: sub.Featured, ReviewedAt: s.stampp(sub.ReviewedAt)})
	}
	for _, a := range set {
		e := ExportedAssignment{ID: a.ID, Title: a.Title, Subject: a.Subject, Body: a.Body, Classes: []string{}, DueAt: s.stamp(a.DueAt),
			RequiresSubmission: a.RequiresSubmission, Files: r.refs(r.setFiles[a.ID]), CreatedAt: s.stamp(a.CreatedAt)}
		for _, cid := range r.setClasses[a.ID] {
			e.Classes = append(e.Classes, r.classes[cid].Name())
		}
		out.Assignments = append(out.Assignments, e)
	}
	for _, sub := range reviews {
		st := r.students[sub.StudentID]
		out.Reviews = append(out.Reviews, ExportedReview{SubmissionID: sub.ID, AssignmentID: sub.AssignmentID,
			Assignment: r.assignments[sub.AssignmentID].Title, Student: st.Name, Class: r.classes[st.ClassID].Name(), Status: sub.Status,
			StatusLabel: sub.Shown(), Grade: sub.Grade, Comment: sub.Comment, Featured: sub.Featured, ReviewedAt: s.stampp(sub.ReviewedAt)})
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

// exportReader reads the names an export's rows show, a bounded number of
// ids per statement.
type exportReader struct {
	s           *Service
	ctx         context.Context
	assignments map[uint64]Assignment
	students    map[uint64]school.Student
	classes     map[uint64]school.Class
	subFiles    map[uint64][]uint64
	setFiles    map[uint64][]uint64
	setClasses  map[uint64][]uint64
	files       map[uint64]file.File
}

func (r *exportReader) load(subs, reviews []Submission, set []Assignment) error {
	ctx, q := r.ctx, r.s.db
	r.assignments = map[uint64]Assignment{}
	r.students = map[uint64]school.Student{}
	r.classes = map[uint64]school.Class{}
	r.subFiles = map[uint64][]uint64{}
	r.setFiles = map[uint64][]uint64{}
	r.setClasses = map[uint64][]uint64{}
	r.files = map[uint64]file.File{}
	var assignmentIDs, studentIDs, subIDs, setIDs []uint64
	for _, list := range [][]Submission{subs, reviews} {
		for _, sub := range list {
			assignmentIDs, studentIDs = append(assignmentIDs, sub.AssignmentID), append(studentIDs, sub.StudentID)
		}
	}
	for _, sub := range subs {
		subIDs = append(subIDs, sub.ID)
	}
	for _, a := range set {
		setIDs = append(setIDs, a.ID)
		r.assignments[a.ID] = a
	}
	for ids := range slices.Chunk(unique(assignmentIDs), lookupChunk) {
		var as []Assignment
		if err := db.FreshIn(ctx, q).Where("id IN ?", ids).Find(&as).Error; err != nil {
			return fmt.Errorf("homework: export assignments: %w", err)
		}
		for _, a := range as {
			r.assignments[a.ID] = a
		}
	}
	var classIDs []uint64
	for ids := range slices.Chunk(unique(studentIDs), lookupChunk) {
		sts, err := school.Students(ctx, db.FreshIn(ctx, q), ids)
		if err != nil {
			return err
		}
		for id, st := range sts {
			r.students[id] = st
			classIDs = append(classIDs, st.ClassID)
		}
	}
	var fileIDs []uint64
	for ids := range slices.Chunk(subIDs, lookupChunk) {
		files, err := filesOfSubmissions(ctx, q, ids)
		if err != nil {
			return err
		}
		for id, fs := range files {
			r.subFiles[id] = fs
			fileIDs = append(fileIDs, fs...)
		}
	}
	for ids := range slices.Chunk(setIDs, lookupChunk) {
		var links []assignmentClass
		if err := db.FreshIn(ctx, q).Where("assignment_id IN ?", ids).Order("assignment_id, class_id").Find(&links).Error; err != nil {
			return fmt.Errorf("homework: export classes: %w", err)
		}
		for _, l := range links {
			r.setClasses[l.AssignmentID] = append(r.setClasses[l.AssignmentID], l.ClassID)
			classIDs = append(classIDs, l.ClassID)
		}
		var files []assignmentFile
		if err := db.FreshIn(ctx, q).Where("assignment_id IN ?", ids).Order("assignment_id, position").Find(&files).Error; err != nil {
			return fmt.Errorf("homework: export files: %w", err)
		}
		for _, f := range files {
			r.setFiles[f.AssignmentID] = append(r.setFiles[f.AssignmentID], f.FileID)
			fileIDs = append(fileIDs, f.FileID)
		}
	}
	for ids := range slices.Chunk(unique(classIDs), lookupChunk) {
		cs, err := school.ClassesByID(ctx, q, ids)
		if err != nil {
			return err
		}
		for id, c := range cs {
			r.classes[id] = c
		}
	}
	for ids := range slices.Chunk(unique(fileIDs), lookupChunk) {
		fs, err := file.ByIDs(ctx, db.FreshIn(ctx, q), ids)
		if err != nil {
			return err
		}
		for _, f := range fs {
			r.files[f.ID] = f
		}
	}
	return nil
}

// refs are the files ids as an export names them.
func (r *exportReader) refs(ids []uint64) []*export.File {
	out := make([]*export.File, 0, len(ids))
	for _, id := range ids {
		out = append(out, &export.File{ID: id, Name: r.files[id].Name})
	}
	return out
}

func unique(ids []uint64) []uint64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// Erase is homework's part of erasing a parent's account (an
// erasure.Part), inside the erasure's transaction: each submission the
// parent handed in keeps its row — the student, when, 迟交, the status
// and the teacher's mark — but loses its text (ErasedBody stands in) and
// its files (their records and objects go with the parent's other
// uploads), and is no longer shown to the class as 优秀作业, there being
// nothing left to show. The submitter stays the erased account, shown as
// auth.ErasedName. The parent's name and phone number are scrubbed from
// the teachers' comments on that work.
func Erase(ctx context.Context, tx *gorm.DB, userID uint64) error {
	tx = tx.WithContext(ctx)
	var ids []uint64
	if err := tx.Model(&Submission{}).Where("parent_id = ?", userID).Order("id").Pluck("id", &ids).Error; err != nil {
		return fmt.Errorf("homework: erase: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	for batch := range slices.Chunk(ids, lookupChunk) {
		if err := tx.Where("submission_id IN ?", batch).Delete(&submissionFile{}).Error; err != nil {
			return fmt.Errorf("homework: erase files: %w", err)
		}
	}
	if err := tx.Model(&Submission{}).Where("parent_id = ?", userID).
		Updates(map[string]any{"body": ErasedBody, "featured": false}).Error; err != nil {
		return fmt.Errorf("homework: erase: %w", err)
	}
	u, err := auth.UserIn(ctx, tx, userID)
	if err != nil {
		return err
	}
	for text, with := range map[string]string{u.Phone: "（手机号已删除）", u.Name: auth.ErasedName} {
		if strings.TrimSpace(text) == "" || text == with {
			continue
		}
		res := tx.Model(&Submission{}).Where("parent_id = ? AND comment LIKE ?", userID, "%"+text+"%").
			Update("comment", gorm.Expr("REPLACE(comment, ?, ?)", text, with))
		if res.Error != nil {
			return fmt.Errorf("homework: erase comments: %w", res.Error)
		}
	}
	return nil
}

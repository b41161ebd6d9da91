package homework

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/school"
)

// ListLimit is the most assignments a list shows.
const ListLimit = 100

// SetItem is one assignment in its author's list.
type SetItem struct {
	Assignment
	Classes          []string
	Submitted, Total int
}

// Set lists the assignments actor set, newest first, with how many of
// the classes' students have handed in.
func (s *Service) Set(ctx context.Context, actor *auth.User) ([]SetItem, error) {
	if err := CanCreate(actor); err != nil {
		return nil, err
	}
	var as []Assignment
	if err := s.db.WithContext(ctx).Where("author_id = ?", actor.ID).Order("id DESC").Limit(ListLimit).Find(&as).Error; err != nil {
		return nil, fmt.Errorf("homework: set: %w", err)
	}
	if len(as) == 0 {
		return nil, nil
	}
	ids := make([]uint64, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	var links []assignmentClass
	if err := s.db.WithContext(ctx).Where("assignment_id IN ?", ids).Order("assignment_id, class_id").Find(&links).Error; err != nil {
		return nil, fmt.Errorf("homework: set classes: %w", err)
	}
	var classIDs []uint64
	for _, l := range links {
		classIDs = append(classIDs, l.ClassID)
	}
	slices.Sort(classIDs)
	classIDs = slices.Compact(classIDs)
	classes, err := school.ClassesByID(ctx, s.db, classIDs)
	if err != nil {
		return nil, err
	}
	students, err := school.EnrolledIn(ctx, s.db, classIDs)
	if err != nil {
		return nil, err
	}
	perClass := map[uint64]int{}
	for _, st := range students {
		perClass[st.ClassID]++
	}
	var counts []struct {
		AssignmentID uint64
		N            int
	}
	if err := s.db.WithContext(ctx).Model(&Submission{}).Select("assignment_id, COUNT(*) AS n").
		Where("assignment_id IN ?", ids).Group("assignment_id").Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("homework: set counts: %w", err)
	}
	submitted := map[uint64]int{}
	for _, c := range counts {
		submitted[c.AssignmentID] = c.N
	}
	out := make([]SetItem, len(as))
	for i, a := range as {
		out[i] = SetItem{Assignment: a, Submitted: submitted[a.ID]}
		for _, l := range links {
			if l.AssignmentID == a.ID {
				out[i].Classes = append(out[i].Classes, classes[l.ClassID].Name())
				out[i].Total += perClass[l.ClassID]
			}
		}
	}
	return out, nil
}

// FamilyItem is one child's assignment in a parent's list.
type FamilyItem struct {
	Assignment
	Child      school.Child
	Submission *Submission
}

// Pending is whether the family still has to hand it in (待提交).
func (f FamilyItem) Pending() bool {
	return f.RequiresSubmission && (f.Submission == nil || f.Submission.Status == Returned)
}

// Status is the child's state of the assignment as the list shows it.
func (f FamilyItem) Status() string {
	switch {
	case f.Submission != nil:
		return f.Submission.Shown()
	case f.RequiresSubmission:
		return "待提交"
	default:
		return "无需提交"
	}
}

// ForFamily lists each of actor's children's homework: what is still to
// hand in first (soonest due first), then the rest, newest due first.
func (s *Service) ForFamily(ctx context.Context, actor *auth.User) ([]FamilyItem, error) {
	kids, err := children(ctx, s.db, actor)
	if err != nil || len(kids) == 0 {
		return nil, err
	}
	var classIDs, kidIDs []uint64
	for _, k := range kids {
		classIDs, kidIDs = append(classIDs, k.ClassID), append(kidIDs, k.StudentID)
	}
	var links []assignmentClass
	err = s.db.WithContext(ctx).Where("class_id IN ?", classIDs).Order("assignment_id DESC").Limit(ListLimit * len(kids)).Find(&links).Error
	if err != nil {
		return nil, fmt.Errorf("homework: family classes: %w", err)
	}
	var ids []uint64
	for _, l := range links {
		ids = append(ids, l.AssignmentID)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var as []Assignment
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&as).Error; err != nil {
		return nil, fmt.Errorf("homework: family: %w", err)
	}
	byID := map[uint64]Assignment{}
	for _, a := range as {
		byID[a.ID] = a
	}
	var subs []Submission
	if err := s.db.WithContext(ctx).Where("assignment_id IN ? AND student_id IN ?", ids, kidIDs).Find(&subs).Error; err != nil {
		return nil, fmt.Errorf("homework: family submissions: %w", err)
	}
	type key struct{ a, st uint64 }
	mine := map[key]*Submission{}
	for i := range subs {
		mine[key{subs[i].AssignmentID, subs[i].StudentID}] = &subs[i]
	}
	var out []FamilyItem
	for _, l := range links {
		for _, k := range kids {
			if k.ClassID == l.ClassID {
				out = append(out, FamilyItem{Assignment: byID[l.AssignmentID], Child: k, Submission: mine[key{l.AssignmentID, k.StudentID}]})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y FamilyItem) int {
		px, py := x.Pending(), y.Pending()
		switch {
		case px && !py:
			return -1
		case py && !px:
			return 1
		case px:
			return cmp.Or(x.DueAt.Compare(y.DueAt), cmp.Compare(x.ID, y.ID))
		default:
			return cmp.Or(y.DueAt.Compare(x.DueAt), cmp.Compare(y.ID, x.ID))
		}
	})
	return out, nil
}

// ChildWork is one of the family's children's hand-in of an assignment.
type ChildWork struct {
	Child      school.Child
	Submission *Submission
	FileIDs    []uint64
}

// Work is a submission with whose it is, for the submissions page and
// the featured ones.
type Work struct {
	Student    school.Student
	Class      string
	Submission *Submission
	FileIDs    []uint64
}

// Status is the line's state: 未交 when nothing was handed in.
func (w Work) Status() string {
	if w.Submission == nil {
		return StatusMissing
	}
	return w.Submission.Shown()
}

// View is an assignment as one user may see it.
type View struct {
	Assignment
	Classes []school.Class
	FileIDs []uint64
	// Teaches is set for who may see and mark every submission.
	Teaches bool
	// Children are the viewer's children in the target classes.
	Children []ChildWork
	// Featured are the 优秀作业 shown to the classes.
	Featured []Work
}

// Get reads an assignment for actor: its author, teachers of a target
// class, admins and the families of those classes may see it; anyone else
// is told it does not exist.
func (s *Service) Get(ctx context.Context, actor *auth.User, id uint64) (View, error) {
	a, classIDs, err := s.assignment(ctx, s.db, id)
	if err != nil {
		return View{}, err
	}
	t, err := school.TaughtBy(ctx, s.db, actor)
	if err != nil {
		return View{}, err
	}
	v := View{Assignment: a, Teaches: t.Any(classIDs)}
	if !v.Teaches && actor != nil && actor.ID != a.AuthorID {
		kids, err := children(ctx, s.db, actor)
		if err != nil {
			return View{}, err
		}
		for _, k := range kids {
			if slices.Contains(classIDs, k.ClassID) {
				v.Children = append(v.Children, ChildWork{Child: k})
			}
		}
		if len(v.Children) == 0 {
			return View{}, apperr.ErrNotFound
		}
	}
	if actor == nil {
		return View{}, apperr.ErrNotFound
	}
	cs, err := school.ClassesByID(ctx, s.db, classIDs)
	if err != nil {
		return View{}, err
	}
	for _, cid := range classIDs {
		v.Classes = append(v.Classes, cs[cid])
	}
	if v.FileIDs, err = filesOfAssignment(ctx, s.db, id); err != nil {
		return View{}, err
	}
	if len(v.Children) > 0 {
		ids := make([]uint64, len(v.Children))
		for i, c := range v.Children {
			ids[i] = c.Child.StudentID
		}
		var subs []Submission
		if err := s.db.WithContext(ctx).Where("assignment_id = ? AND student_id IN ?", id, ids).Find(&subs).Error; err != nil {
			return View{}, fmt.Errorf("homework: own submissions: %w", err)
		}
		subIDs := make([]uint64, len(subs))
		for i := range subs {
			subIDs[i] = subs[i].ID
		}
		files, err := filesOfSubmissions(ctx, s.db, subIDs)
		if err != nil {
			return View{}, err
		}
		for i := range v.Children {
			for j := range subs {
				if subs[j].StudentID == v.Children[i].Child.StudentID {
					v.Children[i].Submission = &subs[j]
					v.Children[i].FileIDs = files[subs[j].ID]
				}
			}
		}
	}
	var featured []Submission
	if err := s.db.WithContext(ctx).Where("assignment_id = ? AND featured = ?", id, true).Order("id").Limit(ListLimit).Find(&featured).Error; err != nil {
		return View{}, fmt.Errorf("homework: featured: %w", err)
	}
	if v.Featured, err = s.works(ctx, featured, cs); err != nil {
		return View{}, err
	}
	return v, nil
}

// works dresses submissions with their students and files.
func (s *Service) works(ctx context.Context, subs []Submission, classes map[uint64]school.Class) ([]Work, error) {
	ids, studentIDs := make([]uint64, len(subs)), make([]uint64, len(subs))
	for i, sub := range subs {
		ids[i], studentIDs[i] = sub.ID, sub.StudentID
	}
	files, err := filesOfSubmissions(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	students, err := school.Students(ctx, db.FreshIn(ctx, s.db), studentIDs)
	if err != nil {
		return nil, err
	}
	out := make([]Work, len(subs))
	for i := range subs {
		st := students[subs[i].StudentID]
		out[i] = Work{Student: st, Class: classes[st.ClassID].Name(), Submission: &subs[i], FileIDs: files[subs[i].ID]}
	}
	return out, nil
}

// Sheet is the submissions page: every student of the classes the viewer
// teaches among the assignment's, by class and number.
type Sheet struct {
	Assignment
	Lines []Work
}

// Counts tallies the sheet's lines by status.
func (s Sheet) Counts() map[string]int {
	out := map[string]int{}
	for _, l := range s.Lines {
		out[l.Status()]++
	}
	return out
}

// Submissions is the sheet of an assignment for a teacher of one of its
// classes (or an admin).
func (s *Service) Submissions(ctx context.Context, actor *auth.User, id uint64) (Sheet, error) {
	a, classIDs, err := s.assignment(ctx, s.db, id)
	if err != nil {
		return Sheet{}, err
	}
	t, err := school.TaughtBy(ctx, s.db, actor)
	if err != nil {
		return Sheet{}, err
	}
	var mine []uint64
	for _, cid := range classIDs {
		if t.Has(cid) {
			mine = append(mine, cid)
		}
	}
	if len(mine) == 0 {
		return Sheet{}, s.refuse(ctx, actor, id)
	}
	classes, err := school.ClassesByID(ctx, s.db, mine)
	if err != nil {
		return Sheet{}, err
	}
	students, err := school.EnrolledIn(ctx, s.db, mine)
	if err != nil {
		return Sheet{}, err
	}
	var subs []Submission
	if err := s.db.WithContext(ctx).Where("assignment_id = ?", id).Find(&subs).Error; err != nil {
		return Sheet{}, fmt.Errorf("homework: submissions: %w", err)
	}
	ids := make([]uint64, len(subs))
	byStudent := map[uint64]*Submission{}
	for i := range subs {
		ids[i] = subs[i].ID
		byStudent[subs[i].StudentID] = &subs[i]
	}
	files, err := filesOfSubmissions(ctx, s.db, ids)
	if err != nil {
		return Sheet{}, err
	}
	sh := Sheet{Assignment: a, Lines: make([]Work, len(students))}
	for i, st := range students {
		w := Work{Student: st, Class: classes[st.ClassID].Name(), Submission: byStudent[st.ID]}
		if w.Submission != nil {
			w.FileIDs = files[w.Submission.ID]
		}
		sh.Lines[i] = w
	}
	return sh, nil
}

// refuse is why actor may not see the submissions: the assignment does
// not exist for who may not see it at all; others are not its teachers.
func (s *Service) refuse(ctx context.Context, actor *auth.User, id uint64) error {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return err
	}
	return ErrNotTeacher
}

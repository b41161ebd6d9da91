package studentleave

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/db"
	"jiaxiao/app/school"
)

// Item is a leave request with the names a list shows.
type Item struct {
	Leave
	StudentName string
	StudentNo   string
	Class       string
	Grade       int
	ClassNumber int
	ParentName  string
}

// listLimit bounds every list.
const listLimit = 200

// items reads the leaves q selects, pending first, then newest.
func (s *Service) items(ctx context.Context, q *gorm.DB) ([]Item, error) {
	var ls []Leave
	err := q.Order("CASE WHEN status = 'pending' THEN 0 ELSE 1 END, start_date DESC, id DESC").Limit(listLimit).Find(&ls).Error
	if err != nil {
		return nil, fmt.Errorf("studentleave: list: %w", err)
	}
	return s.named(ctx, ls)
}

func (s *Service) named(ctx context.Context, ls []Leave) ([]Item, error) {
	var sids, pids, cids []uint64
	for _, l := range ls {
		sids = append(sids, l.StudentID)
		pids = append(pids, l.ParentID)
		cids = append(cids, l.ClassID)
	}
	// Each once: a school's day names forty classes, not one per child.
	sids, pids, cids = distinct(sids), distinct(pids), distinct(cids)
	sts, err := school.Students(ctx, s.db, sids)
	if err != nil {
		return nil, err
	}
	names, err := auth.Names(ctx, s.db, pids)
	if err != nil {
		return nil, err
	}
	// Only the classes named, not the school's every class.
	byID, err := school.ClassesByID(ctx, s.db, cids)
	if err != nil {
		return nil, err
	}
	out := make([]Item, len(ls))
	for i, l := range ls {
		st, c := sts[l.StudentID], byID[l.ClassID]
		out[i] = Item{Leave: l, StudentName: st.Name, StudentNo: st.StudentNo, Class: c.Name(), Grade: c.Grade, ClassNumber: c.Number, ParentName: names[l.ParentID]}
	}
	return out, nil
}

// distinct sorts ids and drops repeats.
func distinct(ids []uint64) []uint64 {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Mine lists the requests for the actor's children (whichever guardian
// asked), pending first.
func (s *Service) Mine(ctx context.Context, actor *auth.User) ([]Item, error) {
	if actor == nil {
		return nil, apperr.ErrUnauthenticated
	}
	kids, err := school.ChildrenOf(ctx, s.db, school.ChildFilter{Parents: []uint64{actor.ID}})
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, 0, len(kids))
	for _, k := range kids {
		ids = append(ids, k.StudentID)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return s.items(ctx, db.FreshIn(ctx, s.db).Where("student_id IN ?", ids))
}

// HeadClasses are the classes whose leave actor decides: a head
// teacher's own class, every class for an admin.
func (s *Service) HeadClasses(ctx context.Context, actor *auth.User) ([]school.Class, error) {
	if actor == nil {
		return nil, apperr.ErrUnauthenticated
	}
	all, err := school.ClassesIn(ctx, s.db)
	if err != nil {
		return nil, err
	}
	if actor.IsAdmin() {
		return all, nil
	}
	var out []school.Class
	for _, c := range all {
		if actor.Role == auth.RoleTeacher && c.HeadTeacherID != nil && *c.HeadTeacherID == actor.ID {
			out = append(out, c)
		}
	}
	return out, nil
}

// ForHead lists the requests of the classes actor heads (every class for
// an admin), pending first.
func (s *Service) ForHead(ctx context.Context, actor *auth.User) ([]Item, error) {
	cs, err := s.HeadClasses(ctx, actor)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, ErrNotHead
	}
	q := db.FreshIn(ctx, s.db)
	if !actor.IsAdmin() {
		ids := make([]uint64, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		q = q.Where("class_id IN ?", ids)
	}
	return s.items(ctx, q)
}

// awayOn reads the leaves that keep a child away on d: approved, or
// marked back (销假) on a later day. No leave spans more than
// maxSpanDays (HalfDays refuses it), so one that covers d started at
// most that long before: the lower bound keeps the read to the last
// months of the start-date index instead of every year the table holds.
func (s *Service) awayOn(ctx context.Context, d calendar.Day, classID uint64) ([]Leave, error) {
	var ls []Leave
	q := db.FreshIn(ctx, s.db).Where("start_date >= ? AND start_date <= ? AND end_date >= ? AND status IN ?",
		string(dayAdd(d, -maxSpanDays)), string(d), string(d), []string{Approved, Returned})
	if classID != 0 {
		q = q.Where("class_id = ?", classID)
	}
	if err := q.Order("start_date, id").Find(&ls).Error; err != nil {
		return nil, fmt.Errorf("studentleave: away: %w", err)
	}
	out := ls[:0]
	for _, l := range ls {
		if l.Status == Returned && l.ReturnedAt != nil && calendar.DayOf(*l.ReturnedAt, s.loc) <= d {
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

// Presence is one student of the morning view.
type Presence struct {
	StudentID uint64
	StudentNo string
	Name      string
	// Status is 在校, 事假 or 病假.
	Status   string
	Halves   string // 全天, 上午 or 下午 when away
	Symptoms []string
	Leave    *Leave
}

// TodayView is a class's morning view.
type TodayView struct {
	Class    school.Class
	Day      calendar.Day
	Students []Presence
	Away     int
}

// Today is the class on day d: every enrolled student, 在校 or away on
// approved leave. The class's teachers (its head teacher among them) and
// admins.
func (s *Service) Today(ctx context.Context, actor *auth.User, classID uint64, d calendar.Day) (TodayView, error) {
	if actor == nil {
		return TodayView{}, apperr.ErrUnauthenticated
	}
	c, err := school.ClassByID(ctx, s.db, classID)
	if err != nil {
		return TodayView{}, err
	}
	t, err := school.TaughtBy(ctx, s.db, actor)
	if err != nil {
		return TodayView{}, err
	}
	if !t.Has(classID) {
		return TodayView{}, ErrNotTeacher
	}
	sts, err := school.EnrolledIn(ctx, s.db, []uint64{classID})
	if err != nil {
		return TodayView{}, err
	}
	ls, err := s.awayOn(ctx, d, classID)
	if err != nil {
		return TodayView{}, err
	}
	away := map[uint64]Leave{}
	for _, l := range ls {
		away[l.StudentID] = l
	}
	v := TodayView{Class: c, Day: d}
	for _, st := range sts {
		p := Presence{StudentID: st.ID, StudentNo: st.StudentNo, Name: st.Name, Status: "在校"}
		if l, ok := away[st.ID]; ok {
			p.Status, p.Halves, p.Symptoms, p.Leave = l.Kind, l.HalvesOn(d), l.SymptomList(), &l
			v.Away++
		}
		v.Students = append(v.Students, p)
	}
	return v, nil
}

// ClassCount is one class's line of the school's day.
type ClassCount struct {
	Grade, Number  int
	Class          string
	Personal, Sick int
}

// SymptomCount is how many children are away sick with a symptom.
type SymptomCount struct {
	Symptom string
	Count   int
}

// DayView is the school's day: who is away, counted per class and by
// symptom.
type DayView struct {
	Day      calendar.Day
	Classes  []ClassCount
	Symptoms []SymptomCount
	Personal int
	Sick     int
	Rows     []Item
}

// Day is the school's day d, for admins.
func (s *Service) Day(ctx context.Context, actor *auth.User, d calendar.Day) (DayView, error) {
	if actor == nil {
		return DayView{}, apperr.ErrUnauthenticated
	}
	if !actor.IsAdmin() {
		return DayView{}, ErrNotAdmin
	}
	ls, err := s.awayOn(ctx, d, 0)
	if err != nil {
		return DayView{}, err
	}
	rows, err := s.named(ctx, ls)
	if err != nil {
		return DayView{}, err
	}
	slices.SortFunc(rows, func(a, b Item) int {
		return cmp.Or(cmp.Compare(a.Grade, b.Grade), cmp.Compare(a.ClassNumber, b.ClassNumber), strings.Compare(a.StudentNo, b.StudentNo), cmp.Compare(a.ID, b.ID))
	})
	v := DayView{Day: d, Rows: rows}
	bySymptom := map[string]int{}
	for _, r := range rows {
		if n := len(v.Classes); n == 0 || v.Classes[n-1].Grade != r.Grade || v.Classes[n-1].Number != r.ClassNumber {
			v.Classes = append(v.Classes, ClassCount{Grade: r.Grade, Number: r.ClassNumber, Class: r.Class})
		}
		c := &v.Classes[len(v.Classes)-1]
		if r.Kind == Sick {
			c.Sick++
			v.Sick++
			for _, sy := range r.SymptomList() {
				bySymptom[sy]++
			}
		} else {
			c.Personal++
			v.Personal++
		}
	}
	for _, sy := range Symptoms {
		if n := bySymptom[sy]; n > 0 {
			v.Symptoms = append(v.Symptoms, SymptomCount{Symptom: sy, Count: n})
		}
	}
	return v, nil
}

// CSVHeader is the header of the school's day CSV.
var CSVHeader = []string{"年级", "班级", "学号", "姓名", "类型", "开始", "结束", "症状", "状态"}

// WriteCSV writes the day's rows as CSV (UTF-8 with a BOM, which Excel
// needs to read Chinese).
func (v DayView) WriteCSV(w io.Writer) error {
	return school.WriteCSV(w, CSVHeader, v.Rows, func(r Item) []string {
		grade := school.ClassName(r.Grade, r.ClassNumber)
		if i := strings.Index(grade, "年级"); i >= 0 {
			grade = grade[:i+len("年级")]
		}
		return []string{grade, r.Class, r.StudentNo, r.StudentName, r.Kind, r.Start(), r.End(), strings.ReplaceAll(r.Symptoms, ",", "、"), StatusLabel(r.Status)}
	})
}

package school

import (
	"context"
	"errors"
	"fmt"
	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Child is an enrolled student as one of their guardians' children.
type Child struct {
	ParentID  uint64
	StudentID uint64
	Name      string
	StudentNo string
	Relation  string
	ClassID   uint64
	Grade     int
	Number    int
}

// Class is the child's class as Chinese schools write it.
func (c Child) Class() string { return ClassName(c.Grade, c.Number) }

// Call is how a class group calls the guardian: 张小明妈妈.
func (c Child) Call() string { return CallName(c.Name, c.Relation) }

// ChildFilter chooses whose children ChildrenOf reads.
type ChildFilter struct {
	// Parents is a slice of parent ids or a subquery of them; nil for
	// every parent.
	Parents any
	// ClassID, if not zero, keeps the children of that class.
	ClassID uint64
	// AnyStatus keeps children who have left (graduated, transferred) too:
	// the names under old messages stay what they were.
	AnyStatus bool
}

// ChildrenOf reads, through q, the children of current guardianships, by
// student number. It is the one answer to "whose parent is this": for who
// belongs where now, enrolled children only (a transferred or graduated
// child no longer counts); with AnyStatus, for what was written under a
// name, those who have left too.
func ChildrenOf(ctx context.Context, q *gorm.DB, f ChildFilter) ([]Child, error) {
	c := db.FreshIn(ctx, q).Table("guardianships").
		Select("guardianships.parent_id, students.id AS student_id, students.name, students.student_no, guardianships.relation, classes.id AS class_id, classes.grade, classes.number").
		Joins("JOIN students ON students.id = guardianships.student_id").
		Joins("JOIN classes ON classes.id = students.class_id").
		Where("guardianships.revoked_at IS NULL")
	if !f.AnyStatus {
		c = c.Where("students.status = ?", Enrolled)
	}
	if f.Parents != nil {
		c = c.Where(db.In("guardianships.parent_id", f.Parents))
	}
	if f.ClassID != 0 {
		c = c.Where("students.class_id = ?", f.ClassID)
	}
	var out []Child
	if err := c.Order("students.student_no, guardianships.parent_id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("school: children: %w", err)
	}
	return out, nil
}

// ClassByID reads one class through q.
func ClassByID(ctx context.Context, q *gorm.DB, id uint64) (Class, error) {
	var c Class
	err := q.WithContext(ctx).Where("id = ?", id).Take(&c).Error
	return c, db.Translate(err)
}

// EnrolledStudent finds, through q, the enrolled student with number no
// in class classID (gorm.ErrRecordNotFound if there is none).
func EnrolledStudent(ctx context.Context, q *gorm.DB, classID uint64, no string) (Student, error) {
	var st Student
	err := q.WithContext(ctx).Where("student_no = ? AND class_id = ? AND status = ?", no, classID, Enrolled).Take(&st).Error
	return st, err
}

// LockStudent reads a student in tx; on MySQL the row stays locked until
// tx ends, so that changes to the student's guardians wait for each other.
// (SQLite runs one writing transaction at a time anyway.)
func LockStudent(ctx context.Context, tx *gorm.DB, id uint64) (Student, error) {
	var st Student
	q := tx.WithContext(ctx).Where("id = ?", id)
	if db.Dialect(tx) == db.MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Take(&st).Error
	return st, db.Translate(err)
}

// Students reads students by id through q.
func Students(ctx context.Context, q *gorm.DB, ids []uint64) (map[uint64]Student, error) {
	out := make(map[uint64]Student, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var sts []Student
	if err := q.WithContext(ctx).Where("id IN ?", ids).Find(&sts).Error; err != nil {
		return nil, fmt.Errorf("school: students: %w", err)
	}
	for _, st := range sts {
		out[st.ID] = st
	}
	return out, nil
}

// IsGuardian reports whether parentID is a current guardian of studentID.
func IsGuardian(ctx context.Context, q *gorm.DB, studentID, parentID uint64) (bool, error) {
	var n int64
	err := q.WithContext(ctx).Model(&Guardianship{}).Where("student_id = ? AND parent_id = ? AND revoked_at IS NULL", studentID, parentID).Count(&n).Error
	return n > 0, err
}

// CheckGuardianCap refuses a new guardian for a student who has limit
// already. Inside tx, after LockStudent, the count holds against
// approvals running at the same time.
func CheckGuardianCap(ctx context.Context, tx *gorm.DB, studentID uint64, limit int) error {
	var n int64
	q := tx.WithContext(ctx).Model(&Guardianship{}).Where("student_id = ? AND revoked_at IS NULL", studentID)
	if db.Dialect(tx) == db.MySQL {
		// A locking read sees what other transactions have committed since
		// this one began (a plain read would count from its snapshot).
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Count(&n).Error; err != nil {
		return err
	}
	if int(n) >= limit {
		return apperr.Invalid("", fmt.Sprintf("该学生的监护人名额已满（每名学生最多 %d 位监护人），如需调整请联系班主任", limit))
	}
	return nil
}

// AddGuardian records an approved guardianship in tx.
func AddGuardian(ctx context.Context, tx *gorm.DB, g Guardianship) error {
	return tx.WithContext(ctx).Create(&g).Error
}

// OnRoster reports whether the roster lists phone as a contact of the
// student.
func OnRoster(ctx context.Context, q *gorm.DB, studentID uint64, phone string) (bool, error) {
	var n int64
	err := q.WithContext(ctx).Model(&Contact{}).Where("student_id = ? AND phone = ?", studentID, phone).Count(&n).Error
	return n > 0, err
}

// Place puts a user in a class: as one of its teachers, its head teacher
// or a parent of an enrolled child.
type Place struct {
	ClassID uint64
	UserID  uint64
}

// Placements are who belongs to which class, from the roster, for the
// users the subquery users selects.
type Placements struct {
	Teachers, Heads, Parents []Place
}

// PlacementsOf reads, through q, the class places of users.
func PlacementsOf(ctx context.Context, q *gorm.DB, users *gorm.DB) (Placements, error) {
	var p Placements
	q = db.FreshIn(ctx, q)
	if err := q.Model(&ClassTeacher{}).Select("class_id, user_id").Where("user_id IN (?)", users).Scan(&p.Teachers).Error; err != nil {
		return p, fmt.Errorf("school: teachers: %w", err)
	}
	if err := q.Model(&Class{}).Select("id AS class_id, head_teacher_id AS user_id").Where("head_teacher_id IN (?)", users).Scan(&p.Heads).Error; err != nil {
		return p, fmt.Errorf("school: head teachers: %w", err)
	}
	err := q.Table("guardianships").Distinct("students.class_id", "guardianships.parent_id AS user_id").
		Joins("JOIN students ON students.id = guardianships.student_id").
		Where("guardianships.revoked_at IS NULL AND students.status = ? AND guardianships.parent_id IN (?)", Enrolled, users).
		Scan(&p.Parents).Error
	if err != nil {
		return p, fmt.Errorf("school: parents: %w", err)
	}
	return p, nil
}

// DepartmentHead is the head of the department named name, if it has one.
func DepartmentHead(ctx context.Context, q *gorm.DB, name string) (*uint64, error) {
	if name == "" {
		return nil, nil
	}
	var d Department
	err := q.WithContext(ctx).Select("head_id").Where("name = ?", name).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return d.HeadID, err
}

// Children is what a parent sees of their own children: those enrolled, by
// student number.
func (s *Service) Children(ctx context.Context, parentID uint64) ([]Child, error) {
	return ChildrenOf(ctx, s.db, ChildFilter{Parents: []uint64{parentID}})
}

// DepartmentNames reads departments' names by id, for the audit log.
func DepartmentNames(ctx context.Context, q *gorm.DB, ids []uint64) (map[uint64]string, error) {
	out := make(map[uint64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var ds []Department
	if err := db.FreshIn(ctx, q).Select("id, name").Where("id IN ?", ids).Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("school: department names: %w", err)
	}
	for _, d := range ds {
		out[d.ID] = d.Name
	}
	return out, nil
}

// StudentNames reads students' names by id, for the audit log.
func StudentNames(ctx context.Context, q *gorm.DB, ids []uint64) (map[uint64]string, error) {
	sts, err := Students(ctx, db.FreshIn(ctx, q), ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]string, len(sts))
	for id, st := range sts {
		out[id] = st.Name
	}
	return out, nil
}

// EnrolledIn reads, through q, the enrolled students of the classes, by
// class and student number: a class's register (work set to it, the
// morning view of student leave).
func EnrolledIn(ctx context.Context, q *gorm.DB, classIDs []uint64) ([]Student, error) {
	var out []Student
	if len(classIDs) == 0 {
		return out, nil
	}
	err := db.FreshIn(ctx, q).Where("class_id IN ? AND status = ?", classIDs, Enrolled).Order("class_id, student_no").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("school: enrolled: %w", err)
	}
	return out, nil
}

// ClassesByID reads classes by id through q.
func ClassesByID(ctx context.Context, q *gorm.DB, ids []uint64) (map[uint64]Class, error) {
	out := make(map[uint64]Class, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var cs []Class
	if err := db.FreshIn(ctx, q).Where("id IN ?", ids).Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("school: classes: %w", err)
	}
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, nil
}

// Taught is the set of classes someone teaches, as a teacher or as the
// head teacher, by the roster; All is set for an admin, who may act on any.
type Taught struct {
	All     bool
	Classes map[uint64]bool
}

// Has reports whether the class is taught.
func (t Taught) Has(classID uint64) bool { return t.All || t.Classes[classID] }

// Any reports whether one of the classes is taught.
func (t Taught) Any(classIDs []uint64) bool { return slices.ContainsFunc(classIDs, t.Has) }

// TaughtBy reads, through q, what actor teaches. A departed or disabled
// teacher teaches nothing; a parent nothing.
func TaughtBy(ctx context.Context, q *gorm.DB, actor *auth.User) (Taught, error) {
	t := Taught{Classes: map[uint64]bool{}}
	if actor == nil || !actor.Role.Staff() {
		return t, nil
	}
	if actor.Role == auth.RoleAdmin {
		t.All = true
		return t, nil
	}
	p, err := PlacementsOf(ctx, q, auth.CurrentAmong(q, []uint64{actor.ID}))
	if err != nil {
		return t, err
	}
	for _, pl := range append(p.Teachers, p.Heads...) {
		t.Classes[pl.ClassID] = true
	}
	return t, nil
}

package apptest

import (
	"fmt"
	"strings"

	"jiaxiao/app/school"
)

// Family is a student of a bulk school with the one approved parent it
// was given.
type Family struct {
	Student  school.Student
	ParentID uint64
	Phone    string
}

// BulkClassName is the roster's name of the i-th class of a bulk school
// (from 0): eight classes a grade, 1年级1班 to 1年级8班, then 2年级1班.
func BulkClassName(i int) string { return fmt.Sprintf("%d年级%d班", i/8+1, i%8+1) }

// BigSchool fills one class per size (class i as BulkClassName(i)) with
// that many enrolled students, each with one approved parent, inserted in
// bulk (for benchmarks), and returns the families by class and student
// number. Every parent's password is "secret-123".
func (w *World) BigSchool(sizes ...int) []Family {
	w.T.Helper()
	var roster strings.Builder
	roster.WriteString("年级,班级,学号,姓名\n")
	n := 0
	for c, size := range sizes {
		for i := 0; i < size; i++ {
			fmt.Fprintf(&roster, "%d,%d,B%02d%04d,%s\n", c/8+1, c%8+1, c, i, bulkName(n))
			n++
		}
	}
	w.Students(roster.String(), school.ImportOptions{})
	var students []school.Student
	if err := w.DB.Where("student_no LIKE ?", "B%").Order("student_no").Find(&students).Error; err != nil {
		w.T.Fatal(err)
	}
	if len(students) != n {
		w.T.Fatalf("big school: %d students, want %d", len(students), n)
	}
	out := make([]Family, n)
	for i, u := range w.parentsInBulk(students, "136") {
		out[i] = Family{Student: students[i], ParentID: u.ID, Phone: u.Phone}
	}
	return out
}

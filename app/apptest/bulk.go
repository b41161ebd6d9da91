package apptest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jiaxiao/app/auth"
	"jiaxiao/app/school"
)

// BigClass fills class 3-2 with n enrolled students and one approved parent
// each, inserted in bulk (for benchmarks), and returns the parents' phones.
// Every parent's password is "secret-123".
func (w *World) BigClass(n int) []string {
	w.T.Helper()
	var roster strings.Builder
	roster.WriteString("年级,班级,学号,姓名\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&roster, "3,2,2026%05d,%s\n", i, bulkName(i))
	}
	w.Students(roster.String(), school.ImportOptions{})
	var students []school.Student
	if err := w.DB.Where("student_no LIKE ?", "2026%").Order("student_no").Find(&students).Error; err != nil {
		w.T.Fatal(err)
	}
	phones := make([]string, n)
	for i, u := range w.parentsInBulk(students, "137") {
		phones[i] = u.Phone
	}
	return phones
}

var bulkSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
var bulkGiven = []rune("明芳伟娜强磊敏静丽军洋勇艳杰涛超秀霞平刚桂英华玉")

func bulkName(i int) string {
	return string(bulkSurnames[i%len(bulkSurnames)]) + string(bulkGiven[(i/len(bulkSurnames))%len(bulkGiven)]) +
		string(bulkGiven[(i/(len(bulkSurnames)*len(bulkGiven)))%len(bulkGiven)])
}

// parentsInBulk gives each student one approved parent, inserted in bulk:
// an account (phone prefix then the index; password "secret-123") that
// has agreed to the privacy notice, a guardianship, and the class group's
// membership. It returns the parents in the students' order.
func (w *World) parentsInBulk(students []school.Student, prefix string) []auth.User {
	w.T.Helper()
	ctx := context.Background()
	hash, err := auth.HashPassword("secret-123")
	if err != nil {
		w.T.Fatal(err)
	}
	now := time.Now().UTC()
	users := make([]auth.User, len(students))
	for i := range users {
		users[i] = auth.User{Phone: fmt.Sprintf("%s%08d", prefix, i), Name: bulkName(i + 7), Role: auth.RoleParent, Status: auth.StatusActive,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	}
	if err := w.DB.CreateInBatches(users, 500).Error; err != nil {
		w.T.Fatal(err)
	}
	ids := make([]uint64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	if err := w.Privacy.AgreeAll(ctx, ids); err != nil {
		w.T.Fatal(err)
	}
	gs := make([]school.Guardianship, len(students))
	for i := range gs {
		gs[i] = school.Guardianship{StudentID: students[i].ID, ParentID: users[i].ID, Relation: "母亲", ApprovedAt: now}
	}
	if err := w.DB.CreateInBatches(gs, 500).Error; err != nil {
		w.T.Fatal(err)
	}
	if err := w.Groups.Sync(ctx, w.DB, nil); err != nil {
		w.T.Fatal(err)
	}
	return users
}

package school_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/school"
)

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	given    = []rune("明芳伟娜强磊敏静丽军洋勇艳杰涛超秀霞平刚桂英华玉")
)

func name(i int) string {
	return string(surnames[i%len(surnames)]) + string(given[(i/len(surnames))%len(given)]) + string(given[(i/7+3)%len(given)])
}

// bigRoster is a school of 2,000 students in 48 classes (grades 1–6, 8
// classes each), two listed guardians per student, and 120 staff.
func bigRoster() (students, staff string) {
	var b strings.Builder
	b.WriteString("年级,班级,学号,姓名,家长姓名,家长手机,关系\n")
	for i := 0; i < 2000; i++ {
		grade, class := i%6+1, (i/6)%8+1
		no := fmt.Sprintf("2026%05d", i)
		fmt.Fprintf(&b, "%d,%d,%s,%s,%s,139%08d,父亲\n", grade, class, no, name(i), name(i+7), i*2)
		fmt.Fprintf(&b, "%d,%d,%s,%s,%s,139%08d,母亲\n", grade, class, no, name(i), name(i+11), i*2+1)
	}
	students = b.String()
	b.Reset()
	b.WriteString("姓名,手机,角色,部门,任教班级,班主任\n")
	for i := 0; i < 120; i++ {
		role, teaches, heads := "教师", "", ""
		if i < 2 {
			role = "管理员"
		} else {
			g, c := (i-2)%6+1, ((i-2)/6)%8+1
			teaches = fmt.Sprintf("%d年级%d班;%d年级%d班", g, c, (g%6)+1, c)
			if i-2 < 48 {
				heads = fmt.Sprintf("%d年级%d班", g, c)
			}
		}
		fmt.Fprintf(&b, "%s,138%08d,%s,教研组%d,%s,%s\n", name(i+101), i, role, i%8, teaches, heads)
	}
	return students, b.String()
}

// BenchmarkImportSchoolMySQL imports the staff roster and then the student
// roster of a 2,000-student school into an empty MySQL database, with group
// membership brought in step, as one operation.
func BenchmarkImportSchoolMySQL(b *testing.B) {
	students, staff := bigRoster()
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := apptest.NewWorld(b, apptest.MySQL(b))
		b.StartTimer()
		if _, err := w.School.ImportStaff(ctx, auth.System, "staff.csv", []byte(staff), false); err != nil {
			b.Fatal(err)
		}
		res, err := w.School.Import(ctx, auth.System, "students.csv", []byte(students), school.ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if res.StudentsCreated != 2000 || res.ContactsAdded != 4000 {
			b.Fatalf("%+v", res)
		}
	}
}

// BenchmarkImportSchoolSQLite is BenchmarkImportSchoolMySQL on the
// embedded default, SQLite.
func BenchmarkImportSchoolSQLite(b *testing.B) {
	students, staff := bigRoster()
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := apptest.NewWorld(b, apptest.SQLite(b))
		b.StartTimer()
		if _, err := w.School.ImportStaff(ctx, auth.System, "staff.csv", []byte(staff), false); err != nil {
			b.Fatal(err)
		}
		res, err := w.School.Import(ctx, auth.System, "students.csv", []byte(students), school.ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if res.StudentsCreated != 2000 || res.ContactsAdded != 4000 {
			b.Fatalf("%+v", res)
		}
	}
}

// BenchmarkReimportUnchangedMySQL imports the same 2,000-student roster
// again: everything is compared, nothing is written.
func BenchmarkReimportUnchangedMySQL(b *testing.B) {
	students, staff := bigRoster()
	ctx := context.Background()
	w := apptest.NewWorld(b, apptest.MySQL(b))
	if _, err := w.School.ImportStaff(ctx, auth.System, "staff.csv", []byte(staff), false); err != nil {
		b.Fatal(err)
	}
	if _, err := w.School.Import(ctx, auth.System, "students.csv", []byte(students), school.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := w.School.Import(ctx, auth.System, "students.csv", []byte(students), school.ImportOptions{})
		if err != nil || res.Changed() {
			b.Fatalf("%+v %v", res, err)
		}
	}
}

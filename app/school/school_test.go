package school_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
	"jiaxiao/app/school"
)

const roster = `年级,班级,学号,姓名,家长姓名,家长手机,关系
3,2,20230201,张小明,张伟,13900000001,父亲
3,2,20230201,张小明,李娜,13900000002,母亲
三年级,(2)班,20230202,王芳,王强,13900000003,爸爸
3,3班,20230301,赵雷,,,
`

func count(t *testing.T, g *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := g.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportStudentsIsIdempotent(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		res := w.Students(roster, school.ImportOptions{})
		if res.ClassesCreated != 2 || res.StudentsCreated != 3 || res.ContactsAdded != 3 || len(res.Leaving) != 0 {
			t.Fatalf("first import %+v", res)
		}
		again := w.Students(roster, school.ImportOptions{})
		if again.Changed() || again.StudentsUnchanged != 3 {
			t.Fatalf("re-import changed something: %+v", again)
		}
		if n := count(t, g, "`groups`"); n != 4 {
			t.Fatalf("want staff, school and two class groups, got %d", n)
		}
		if n := count(t, g, "student_contacts"); n != 3 {
			t.Fatalf("contacts %d", n)
		}
		// A changed name and class is an update, not a new student.
		res = w.Students(strings.Replace(roster, "3,3班,20230301,赵雷", "3,2,20230301,赵蕾", 1), school.ImportOptions{})
		if res.StudentsUpdated != 1 || res.StudentsCreated != 0 {
			t.Fatalf("update %+v", res)
		}
	})
}

func TestImportRejectsEveryBadLine(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		bad := `年级,班级,学号,姓名,家长姓名,家长手机,关系
3,2,20230201,张小明,张伟,13900000001,父亲
十,2,20230202,王芳,,,
3,2,20230201,李四,李娜,13900000002,母亲
3,2,20230203,陈晨,陈刚,1390000,父亲
3,2,20230204,周杰,周明,13900000005,舅舅
3,2,20230205,吴,,,
`
		_, err := w.School.Import(context.Background(), auth.System, "bad.csv", []byte(bad), school.ImportOptions{})
		var ie *school.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("want ImportError, got %v", err)
		}
		want := map[int]string{3: "年级", 4: "学号 20230201 重复", 5: "家长手机", 6: "关系", 7: "学生姓名"}
		got := map[int]string{}
		for _, l := range ie.Lines {
			got[l.Line] = l.Reason
		}
		for line, frag := range want {
			if !strings.Contains(got[line], frag) {
				t.Errorf("line %d: got %q, want mention of %q", line, got[line], frag)
			}
		}
		if len(got) != len(want) {
			t.Errorf("lines %v", got)
		}
		if n := count(t, g, "students"); n != 0 {
			t.Fatalf("a bad roster imported %d students", n)
		}
		if n := count(t, g, "classes"); n != 0 {
			t.Fatalf("a bad roster created %d classes", n)
		}
	})
}

func gbk(t *testing.T, s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportGBKAndXLSX(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	w := apptest.NewWorld(t, g)
	ctx := context.Background()
	res, err := w.School.Import(ctx, auth.System, "excel.csv", gbk(t, strings.ReplaceAll(roster, "\n", "\r\n")), school.ImportOptions{})
	if err != nil || res.StudentsCreated != 3 {
		t.Fatalf("GBK import: %+v %v", res, err)
	}
	var st school.Student
	if err := g.Where("student_no = ?", "20230201").Take(&st).Error; err != nil || st.Name != "张小明" {
		t.Fatalf("GBK decoded %q %v", st.Name, err)
	}

	// A broken byte in a GBK file: nothing imported, the line named.
	broken := gbk(t, "年级,班级,学号,姓名\n3,4,20230401,钱多多\n3,4,20230402,孙丽\n")
	i := bytes.Index(broken, gbk(t, "孙"))
	broken[i+1] = 0x7F // not a GBK trail byte
	_, err = w.School.Import(ctx, auth.System, "broken.csv", broken, school.ImportOptions{})
	var ie *school.ImportError
	if !errors.As(err, &ie) || len(ie.Lines) != 1 || ie.Lines[0].Line != 3 {
		t.Fatalf("broken GBK: %v", err)
	}
	var n int64
	g.Model(&school.Student{}).Where("student_no LIKE ?", "202304%").Count(&n)
	if n != 0 {
		t.Fatal("broken file imported rows")
	}

	f := excelize.NewFile()
	rows := [][]any{{"学号", "姓名", "年级", "班级"}, {"20230501", "欧阳娜娜", "5", "1"}, {"20230502", "阿依古丽·买买提", "五年级", "1班"}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	res, err = w.School.Import(ctx, auth.System, "名单.xlsx", buf.Bytes(), school.ImportOptions{})
	if err != nil || res.StudentsCreated != 2 {
		t.Fatalf("xlsx: %+v %v", res, err)
	}
}

func TestLeaversNeedConfirmation(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		ctx := context.Background()
		w.Students(roster, school.ImportOptions{})
		// 张伟 is approved as 张小明's father.
		parent := w.User(auth.RoleParent, "张伟", "13900000001")
		approveGuardian(t, w, parent, 3, 2, "20230201", "张小明", "父亲")
		cg := w.ClassGroup(3, 2)
		if in, _ := w.IsMember(cg.ID, parent.ID); !in {
			t.Fatal("approved parent not in class group")
		}
		without := strings.Join(strings.Split(roster, "\n")[:3], "\n") + "\n3,3班,20230301,赵雷,,,\n" // 王芳 left out
		res := w.Students(without, school.ImportOptions{})
		if len(res.Leaving) != 1 || res.Leaving[0].Name != "王芳" || res.LeftMarked != 0 {
			t.Fatalf("leavers %+v", res)
		}
		var st school.Student
		g.Where("student_no = ?", "20230202").Take(&st)
		if st.Status != school.Enrolled {
			t.Fatal("a student left without confirmation")
		}
		res = w.Students(without, school.ImportOptions{ConfirmLeavers: true})
		g.Where("student_no = ?", "20230202").Take(&st)
		if res.LeftMarked != 1 || st.Status != school.Transferred {
			t.Fatalf("confirmed leavers: %+v %s", res, st.Status)
		}
		// 张小明 transfers: his father leaves the class and school groups at once.
		var xm school.Student
		g.Where("student_no = ?", "20230201").Take(&xm)
		if err := w.School.SetStudentStatus(ctx, auth.System, xm.ID, school.Transferred); err != nil {
			t.Fatal(err)
		}
		if in, _ := w.IsMember(cg.ID, parent.ID); in {
			t.Fatal("guardian of a transferred student still in the class group")
		}
		if in, _ := w.IsMember(w.KindGroup(group.KindSchool).ID, parent.ID); in {
			t.Fatal("parent without enrolled children still in the school group")
		}
	})
}

// approveGuardian runs the join flow end to end as the class's head teacher would.
func approveGuardian(t *testing.T, w *apptest.World, parent *auth.User, grade, number int, no, name, relation string) {
	t.Helper()
	ctx := context.Background()
	cg := w.ClassGroup(grade, number)
	req, err := w.Groups.Join(ctx, parent, cg.InviteCode, group.JoinInput{StudentNo: no, StudentName: name, Relation: relation})
	if err != nil {
		t.Fatalf("join: %v", err)
	}
	admin := &auth.User{ID: 0, Role: auth.RoleAdmin}
	if err := w.Groups.Approve(ctx, admin, cg.ID, req.ID); err != nil {
		t.Fatalf("approve: %v", err)
	}
}

const staffCSV = `姓名,手机,角色,部门,任教班级,班主任
王建国,13800000001,管理员,校长室,,
李芳,13800000002,教师,语文教研组,3年级2班;3年级3班,3年级2班
陈志强,13800000003,教师,数学教研组,3年级2班,
`

func TestImportStaff(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		ctx := context.Background()
		w.Students(roster, school.ImportOptions{})
		res := w.Staff(staffCSV)
		if res.Created != 3 || len(res.Codes) != 3 {
			t.Fatalf("staff import %+v", res)
		}
		again, err := w.School.ImportStaff(ctx, auth.System, "staff.csv", []byte(staffCSV), false)
		if err != nil || again.Created != 0 || again.Updated != 0 || again.Unchanged != 3 || len(again.Codes) != 0 {
			t.Fatalf("re-import %+v %v", again, err)
		}
		li, chen, wang := w.ByPhone("13800000002"), w.ByPhone("13800000003"), w.ByPhone("13800000001")
		c32, c33 := w.ClassGroup(3, 2), w.ClassGroup(3, 3)
		if in, role := w.IsMember(c32.ID, li.ID); !in || role != group.RoleOwner {
			t.Fatalf("head teacher in 3-2: %v %s", in, role)
		}
		if in, role := w.IsMember(c33.ID, li.ID); !in || role != group.RoleMember {
			t.Fatalf("李芳 in 3-3: %v %s", in, role)
		}
		if in, _ := w.IsMember(c32.ID, chen.ID); !in {
			t.Fatal("陈志强 not in 3-2")
		}
		if in, role := w.IsMember(w.KindGroup(group.KindStaff).ID, wang.ID); !in || role != group.RoleOwner {
			t.Fatal("admin not owner of the staff group")
		}
		if in, _ := w.IsMember(c32.ID, wang.ID); in {
			t.Fatal("an admin who teaches no class is in a class group")
		}
		// 陈志强 takes over 3-2 and 李芳 stops teaching 3-3.
		moved := strings.NewReplacer("3年级2班;3年级3班,3年级2班", "3年级2班,", "数学教研组,3年级2班,", "数学教研组,3年级2班,3年级2班").Replace(staffCSV)
		res2, err := w.School.ImportStaff(ctx, auth.System, "staff.csv", []byte(moved), false)
		if err != nil || res2.Updated != 2 {
			t.Fatalf("move: %+v %v", res2, err)
		}
		if _, role := w.IsMember(c32.ID, chen.ID); role != group.RoleOwner {
			t.Fatalf("new head teacher role %s", role)
		}
		if _, role := w.IsMember(c32.ID, li.ID); role != group.RoleMember {
			t.Fatalf("old head teacher role %s", role)
		}
		if in, _ := w.IsMember(c33.ID, li.ID); in {
			t.Fatal("unassigned teacher still in 3-3")
		}

		// Departure: out of every group at once, no login, sessions gone.
		_, token, err := w.Auth.Login(ctx, auth.LoginInput{Phone: li.Phone, Password: "secret-123"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.School.Depart(ctx, wang, li.ID); err != nil {
			t.Fatal(err)
		}
		var n int64
		g.Model(&group.Member{}).Where("user_id = ?", li.ID).Count(&n)
		if n != 0 {
			t.Fatalf("departed teacher still in %d groups", n)
		}
		if _, err := w.Auth.Authenticate(ctx, token); err == nil {
			t.Fatal("departed teacher's session still valid")
		}
		if _, _, err := w.Auth.Login(ctx, auth.LoginInput{Phone: li.Phone, Password: "secret-123"}); !errors.Is(err, auth.ErrInactive) {
			t.Fatalf("departed login: %v", err)
		}
		if err := w.School.Depart(ctx, chen, wang.ID); err == nil {
			t.Fatal("a teacher marked someone departed")
		}
		// The form sent twice: the second departure succeeds and changes
		// nothing; the users page no longer offers it.
		if err := w.School.Depart(ctx, wang, li.ID); err != nil {
			t.Fatalf("departing again: %v", err)
		}
		departed, _ := auth.UserIn(ctx, g, li.ID)
		if err := school.CanDepart(wang, departed); err == nil {
			t.Fatal("departure offered for someone departed")
		}
	})
}

func TestImportStaffRejectsEveryBadLine(t *testing.T) {
	t.Parallel()
	w := apptest.NewWorld(t, apptest.SQLite(t))
	bad := `姓名,手机,角色,部门,任教班级,班主任
李芳,13800000002,教师,语文教研组,3年级2班,3年级2班
陈志强,13800000002,教师,数学教研组,三年二班,
赵,13800000004,校长,,,
孙悦,13800000005,教师,,,3年级2班
`
	_, err := w.School.ImportStaff(context.Background(), auth.System, "staff.csv", []byte(bad), false)
	var ie *school.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want ImportError, got %v", err)
	}
	lines := map[int]bool{}
	for _, l := range ie.Lines {
		lines[l.Line] = true
	}
	for _, l := range []int{3, 4, 5} {
		if !lines[l] {
			t.Errorf("line %d not named: %v", l, ie)
		}
	}
	if n := count(t, w.DB, "users"); n != 0 {
		t.Fatalf("bad staff file created %d accounts", n)
	}
}

func TestActivation(t *testing.T) {
	t.Parallel()
	w := apptest.NewWorld(t, apptest.SQLite(t))
	ctx := context.Background()
	res, err := w.School.ImportStaff(ctx, auth.System, "staff.csv", []byte(staffCSV), false)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Codes[0]
	if _, _, err := w.Auth.Login(ctx, auth.LoginInput{Phone: c.Phone, Password: "anything-1"}); err == nil {
		t.Fatal("pending account logged in")
	}
	if _, _, err := w.Auth.Activate(ctx, auth.ActivateInput{Phone: c.Phone, Code: "WRONGCOD", Password: "new-pass-1"}); err == nil {
		t.Fatal("wrong code accepted")
	}
	if _, _, err := w.Auth.Activate(ctx, auth.ActivateInput{Phone: c.Phone, Code: strings.ToLower(c.Code), Password: "new-pass-1"}); err != nil {
		t.Fatalf("activate: %v", err)
	}
	if _, _, err := w.Auth.Login(ctx, auth.LoginInput{Phone: c.Phone, Password: "new-pass-1"}); err != nil {
		t.Fatalf("login after activation: %v", err)
	}
	if _, _, err := w.Auth.Activate(ctx, auth.ActivateInput{Phone: c.Phone, Code: c.Code, Password: "other-pass"}); err == nil {
		t.Fatal("code used twice")
	}
}

func TestParsers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"3": 3, "三年级": 3, "9年级": 9, "九": 9} {
		if got, ok := school.ParseGrade(in); !ok || got != want {
			t.Errorf("ParseGrade(%q) = %d %v", in, got, ok)
		}
	}
	for _, in := range []string{"0", "10", "十年级", "x"} {
		if _, ok := school.ParseGrade(in); ok {
			t.Errorf("ParseGrade(%q) accepted", in)
		}
	}
	for in, want := range map[string]int{"2": 2, "2班": 2, "(2)班": 2, "（12）班": 12} {
		if got, ok := school.ParseClassNumber(in); !ok || got != want {
			t.Errorf("ParseClassNumber(%q) = %d %v", in, got, ok)
		}
	}
	if g, n, ok := school.ParseClassRef("三年级(2)班"); !ok || g != 3 || n != 2 {
		t.Errorf("ParseClassRef: %d %d %v", g, n, ok)
	}
	if school.ClassName(3, 2) != "三年级(2)班" {
		t.Errorf("ClassName %s", school.ClassName(3, 2))
	}
	if school.CallName("张小明", "母亲") != "张小明妈妈" || school.CallName("张小明", "外婆") != "张小明外婆" {
		t.Error("CallName")
	}
}

func FuzzReadTable(f *testing.F) {
	f.Add([]byte(roster), false)
	f.Add([]byte("年级,班级\n\"3,2\n"), false)
	f.Add([]byte{0xc4, 0xea, 0xbc, 0xb6, 0x0a, 0x81, 0x7f}, false)
	f.Fuzz(func(t *testing.T, data []byte, xlsx bool) {
		name := "f.csv"
		if xlsx {
			name = "f.xlsx"
		}
		rows, err := school.ReadTable(name, data, []string{"年级", "班级"}, []string{"学号"})
		if err != nil {
			var ie *school.ImportError
			if !errors.As(err, &ie) || len(ie.Lines) == 0 {
				t.Fatalf("error without lines: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Fatalf("row line %d", r.Line)
			}
		}
	})
}

func TestDepartmentHeadAndClassStudents(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		ctx := context.Background()
		w.Students(roster, school.ImportOptions{})
		w.Staff(staffCSV)
		depts, err := w.School.Departments(ctx, auth.System)
		if err != nil || len(depts) != 3 {
			t.Fatalf("departments %+v %v", depts, err)
		}
		var chinese school.DepartmentView
		for _, d := range depts {
			if d.Name == "语文教研组" {
				chinese = d
			}
		}
		if len(chinese.Staff) != 1 || chinese.Staff[0].Name != "李芳" {
			t.Fatalf("语文教研组 staff %+v", chinese.Staff)
		}
		li, chen := w.ByPhone("13800000002"), w.ByPhone("13800000003")
		if err := w.School.SetDepartmentHead(ctx, chen, chinese.ID, li.ID); err == nil {
			t.Fatal("a teacher set a department head")
		}
		parent := w.User(auth.RoleParent, "张伟", "13900000001")
		if err := w.School.SetDepartmentHead(ctx, auth.System, chinese.ID, parent.ID); err == nil {
			t.Fatal("a parent made department head")
		}
		if err := w.School.SetDepartmentHead(ctx, auth.System, chinese.ID, li.ID); err != nil {
			t.Fatal(err)
		}
		depts, _ = w.School.Departments(ctx, auth.System)
		for _, d := range depts {
			if d.ID == chinese.ID && (d.HeadID == nil || *d.HeadID != li.ID || d.HeadName != "李芳") {
				t.Fatalf("head not set: %+v", d)
			}
		}
		// Departure clears the headship.
		if err := w.School.Depart(ctx, auth.System, li.ID); err != nil {
			t.Fatal(err)
		}
		var d school.Department
		g.Where("id = ?", chinese.ID).Take(&d)
		if d.HeadID != nil {
			t.Fatal("departed teacher still heads the department")
		}
		var cls school.Class
		g.Where("grade = 3 AND number = 2").Take(&cls)
		_, students, err := w.School.ClassStudents(ctx, auth.System, cls.ID)
		if err != nil || len(students) != 2 || students[0].StudentNo != "20230201" {
			t.Fatalf("class students %+v %v", students, err)
		}
	})
}

package homework_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/file/filetest"
	"jiaxiao/app/group"
	"jiaxiao/app/homework"
	"jiaxiao/app/school"
)

const roster = `年级,班级,学号,姓名
3,2,20230201,张小明
3,2,20230202,王芳
3,3,20230301,赵雷
`

const staff = `姓名,手机,角色,部门,任教班级,班主任
王建国,13800000001,管理员,校长室,,
李芳,13800000002,教师,语文教研组,3年级2班,3年级2班
陈志强,13800000003,教师,数学教研组,3年级2班,
刘洋,13800000004,教师,英语教研组,3年级3班,3年级3班
`

type fx struct {
	*apptest.World
	admin, head, teacher, other       *auth.User
	dad, wang, zhao, pending, removed *auth.User
	c32, c33                          group.Group
	class32, class33                  uint64
	xiaoming, wangfang                uint64
}

func setup(t *testing.T, g *gorm.DB) *fx {
	w := apptest.NewWorld(t, g)
	ctx := context.Background()
	w.Students(roster, school.ImportOptions{})
	w.Staff(staff)
	if err := w.Words.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fx{World: w, admin: w.ByPhone("13800000001"), head: w.ByPhone("13800000002"), teacher: w.ByPhone("13800000003"),
		other: w.ByPhone("13800000004"), c32: w.ClassGroup(3, 2), c33: w.ClassGroup(3, 3)}
	f.class32, f.class33 = *f.c32.ClassID, *f.c33.ClassID
	join := func(name, phone string, g group.Group, no, child, rel string, approve bool) *auth.User {
		u := w.User(auth.RoleParent, name, phone)
		req, err := w.Groups.Join(ctx, u, g.InviteCode, group.JoinInput{StudentNo: no, StudentName: child, Relation: rel})
		if err != nil {
			t.Fatal(err)
		}
		if approve {
			if err := w.Groups.Approve(ctx, f.admin, g.ID, req.ID); err != nil {
				t.Fatal(err)
			}
		}
		return u
	}
	f.dad = join("张伟", "13900000001", f.c32, "20230201", "张小明", "父亲", true)
	f.wang = join("王强", "13900000003", f.c32, "20230202", "王芳", "父亲", true)
	f.zhao = join("赵国庆", "13900000006", f.c33, "20230301", "赵雷", "父亲", true)
	f.pending = join("张妈妈", "13900000002", f.c32, "20230201", "张小明", "母亲", false)
	f.removed = join("王奶奶", "13900000004", f.c32, "20230202", "王芳", "奶奶", true)
	if err := w.Groups.Remove(ctx, f.head, f.c32.ID, f.removed.ID, "不是本班家长", false); err != nil {
		t.Fatal(err)
	}
	kids, err := w.School.Children(ctx, f.dad.ID)
	if err != nil || len(kids) != 1 {
		t.Fatalf("dad's children: %v %v", kids, err)
	}
	f.xiaoming = kids[0].StudentID
	kids, err = w.School.Children(ctx, f.wang.ID)
	if err != nil || len(kids) != 1 {
		t.Fatalf("wang's children: %v %v", kids, err)
	}
	f.wangfang = kids[0].StudentID
	// 10:00 on Monday 2 November 2026 in Shanghai.
	w.Clock.Set(time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC))
	return f
}

// set has the head teacher set homework to 3-2, due 20:00 on 3 November.
func (f *fx) set(t *testing.T) homework.Assignment {
	t.Helper()
	a, err := f.Homework.Create(context.Background(), f.head, homework.CreateInput{Title: "背诵古诗", Subject: "语文",
		Body: "背诵《静夜思》并录音。", ClassIDs: []uint64{f.class32}, Due: "2026-11-03 20:00", RequiresSubmission: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func photo(t *testing.T, name string) file.Prepared {
	t.Helper()
	p, err := file.Prepare("file", name, filetest.PNG(8, 8, 8, 2))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	v, ok := apperr.AsValidation(err)
	if !ok {
		t.Fatalf("want a validation error, got %v", err)
	}
	for k := range v.Fields {
		return k
	}
	return ""
}

func TestCreate(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		in := homework.CreateInput{Title: "口算练习", Subject: "数学", Body: "第 12 页。", ClassIDs: []uint64{f.class32}, Due: "2026-11-03 20:00"}
		a, err := f.Homework.Create(ctx, f.teacher, in)
		if err != nil {
			t.Fatalf("a teacher of 3-2: %v", err)
		}
		if want := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC); !a.DueAt.Equal(want) {
			t.Errorf("due %v, want %v (20:00 Shanghai)", a.DueAt, want)
		}
		if _, err := f.Homework.Create(ctx, f.other, in); fieldOf(t, err) != "class_id" {
			t.Errorf("a teacher of 3-3 set work to 3-2: %v", err)
		}
		if _, err := f.Homework.Create(ctx, f.dad, in); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("a parent set work: %v", err)
		}
		both := in
		both.ClassIDs, both.Title = []uint64{f.class32, f.class33}, "全年级口算"
		if _, err := f.Homework.Create(ctx, f.admin, both); err != nil {
			t.Errorf("an admin, to two classes: %v", err)
		}
		for _, c := range []struct {
			field string
			edit  func(*homework.CreateInput)
		}{
			{"title", func(i *homework.CreateInput) { i.Title = "口" }},
			{"subject", func(i *homework.CreateInput) { i.Subject = "" }},
			{"class_id", func(i *homework.CreateInput) { i.ClassIDs = nil }},
			{"due_at", func(i *homework.CreateInput) { i.Due = "明天" }},
			{"due_at", func(i *homework.CreateInput) { i.Due = "2026-11-01 20:00" }},
			{"body", func(i *homework.CreateInput) { i.Body = "谁要代开发票找我" }},
		} {
			bad := in
			c.edit(&bad)
			if _, err := f.Homework.Create(ctx, f.teacher, bad); fieldOf(t, err) != c.field {
				t.Errorf("%+v: %v, want an error on %s", bad, err, c.field)
			}
		}
		// The families of 3-2 in the class group are told; 3-3's and the removed one are not.
		for u, want := range map[*auth.User]int{f.dad: 1, f.wang: 1, f.zhao: 0, f.removed: 0} {
			ns, err := f.Centre.List(ctx, u.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, x := range ns {
				if x.Kind == "homework" && strings.Contains(x.Title, "口算练习") {
					n++
				}
			}
			if n != want {
				t.Errorf("%s has %d homework notifications, want %d", u.Name, n, want)
			}
		}
	})
}

// TestPermissionMatrix: who may see, hand in, list and mark work set to 3-2.
func TestPermissionMatrix(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		a := f.set(t)
		for _, c := range []struct {
			who        *auth.User
			see, sheet bool
		}{
			{f.dad, true, false}, {f.wang, true, false}, {f.head, true, true}, {f.teacher, true, true}, {f.admin, true, true},
			{f.zhao, false, false}, {f.other, false, false}, {f.pending, false, false}, {f.removed, false, false},
		} {
			_, err := f.Homework.Get(ctx, c.who, a.ID)
			if c.see != (err == nil) || (!c.see && !errors.Is(err, apperr.ErrNotFound)) {
				t.Errorf("%s sees the assignment: %v, want %t", c.who.Name, err, c.see)
			}
			// Who may not see the assignment is told it does not exist.
			want := apperr.ErrForbidden
			if !c.see {
				want = apperr.ErrNotFound
			}
			_, err = f.Homework.Submissions(ctx, c.who, a.ID)
			if c.sheet != (err == nil) || (!c.sheet && !errors.Is(err, want)) {
				t.Errorf("%s sees the submissions: %v, want %t", c.who.Name, err, c.sheet)
			}
		}
		for _, c := range []struct {
			who     *auth.User
			student uint64
		}{{f.zhao, f.xiaoming}, {f.pending, f.xiaoming}, {f.removed, f.wangfang}, {f.head, f.xiaoming}, {f.other, f.xiaoming}} {
			if _, err := f.Homework.Submit(ctx, c.who, a.ID, homework.SubmitInput{StudentID: c.student, Body: "背好了"}); !errors.Is(err, apperr.ErrForbidden) {
				t.Errorf("%s handed in: %v", c.who.Name, err)
			}
		}
		if _, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.wangfang, Body: "背好了"}); fieldOf(t, err) != "student_id" {
			t.Errorf("dad handed in for 王芳: %v", err)
		}
		sub, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: "背好了"})
		if err != nil {
			t.Fatal(err)
		}
		for who, want := range map[*auth.User]error{f.other: apperr.ErrNotFound, f.dad: apperr.ErrForbidden, f.zhao: apperr.ErrNotFound} {
			if _, err := f.Homework.Review(ctx, who, a.ID, sub.ID, homework.ReviewInput{Grade: "优"}); !errors.Is(err, want) {
				t.Errorf("%s marked: %v", who.Name, err)
			}
		}
		if _, err := f.Homework.Review(ctx, f.teacher, a.ID, sub.ID, homework.ReviewInput{Grade: "甲"}); fieldOf(t, err) != "grade" {
			t.Errorf("grade 甲: %v", err)
		}
		if _, err := f.Homework.Review(ctx, f.teacher, a.ID, sub.ID, homework.ReviewInput{Grade: "良", Comment: "很好"}); err != nil {
			t.Errorf("a teacher of 3-2 marked: %v", err)
		}
	})
}

func TestReplaceUntilMarked(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		a := f.set(t)
		first, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: "第一次", Files: []file.Prepared{photo(t, "a.png"), photo(t, "b.png")}})
		if err != nil {
			t.Fatal(err)
		}
		second, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: "第二次", Files: []file.Prepared{photo(t, "c.png")}})
		if err != nil {
			t.Fatal(err)
		}
		if second.ID != first.ID {
			t.Errorf("a second hand-in made submission %d beside %d", second.ID, first.ID)
		}
		v, err := f.Homework.Get(ctx, f.dad, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Children) != 1 || v.Children[0].Submission == nil || v.Children[0].Submission.Body != "第二次" || len(v.Children[0].FileIDs) != 1 {
			t.Fatalf("after replacing: %+v", v.Children)
		}
		if _, err := f.Homework.Review(ctx, f.head, a.ID, first.ID, homework.ReviewInput{Redo: true}); fieldOf(t, err) != "comment" {
			t.Errorf("sent back without a comment: %v", err)
		}
		if _, err := f.Homework.Review(ctx, f.head, a.ID, first.ID, homework.ReviewInput{Redo: true, Comment: "第二句背错了"}); err != nil {
			t.Fatal(err)
		}
		v, _ = f.Homework.Get(ctx, f.dad, a.ID)
		if s := v.Children[0].Submission; s.Shown() != homework.StatusReturned || s.Comment != "第二句背错了" {
			t.Errorf("sent back: %+v", s)
		}
		if _, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: "第三次"}); err != nil {
			t.Fatalf("resubmitting after 打回: %v", err)
		}
		if _, err := f.Homework.Review(ctx, f.head, a.ID, first.ID, homework.ReviewInput{Grade: "优", Comment: "背得很熟"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: "第四次"}); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("replacing marked work: %v", err)
		}
		v, _ = f.Homework.Get(ctx, f.dad, a.ID)
		if s := v.Children[0].Submission; s.Body != "第三次" || s.Grade != "优" || s.Shown() != homework.StatusReviewed {
			t.Errorf("marked: %+v", s)
		}
	})
}

func TestLateAndLists(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		a := f.set(t)
		later, err := f.Homework.Create(ctx, f.head, homework.CreateInput{Title: "读课外书", Subject: "语文", ClassIDs: []uint64{f.class32},
			Due: "2026-11-05 20:00", RequiresSubmission: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Homework.Submit(ctx, f.dad, later.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: "读完了"}); err != nil {
			t.Fatal(err)
		}
		items, err := f.Homework.ForFamily(ctx, f.dad)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 || items[0].ID != a.ID || items[0].Status() != "待提交" || items[1].Status() != homework.StatusDone {
			t.Errorf("dad's list: %+v", items)
		}
		// 20:01 on 3 November: a minute late.
		f.Clock.Set(time.Date(2026, 11, 3, 12, 1, 0, 0, time.UTC))
		sub, err := f.Homework.Submit(ctx, f.wang, a.ID, homework.SubmitInput{StudentID: f.wangfang, Body: "晚了"})
		if err != nil {
			t.Fatal(err)
		}
		if !sub.Late || sub.Shown() != homework.StatusLate {
			t.Errorf("after the due time: %+v", sub)
		}
		sh, err := f.Homework.Submissions(ctx, f.teacher, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := sh.Counts(); got[homework.StatusLate] != 1 || got[homework.StatusMissing] != 1 || len(sh.Lines) != 2 {
			t.Errorf("sheet counts %v over %d lines", got, len(sh.Lines))
		}
		set, err := f.Homework.Set(ctx, f.head)
		if err != nil {
			t.Fatal(err)
		}
		if len(set) != 2 || set[0].ID != later.ID || set[0].Submitted != 1 || set[0].Total != 2 || set[1].Submitted != 1 ||
			strings.Join(set[0].Classes, "") != "三年级(2)班" {
			t.Errorf("head's list: %+v", set)
		}
		if set, _ := f.Homework.Set(ctx, f.teacher); len(set) != 0 {
			t.Errorf("陈志强 set nothing but lists %d", len(set))
		}
	})
}

func TestFeaturedVisibility(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		a := f.set(t)
		mine, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: "小明的作业"})
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := f.Homework.Submit(ctx, f.wang, a.ID, homework.SubmitInput{StudentID: f.wangfang, Body: "王芳的作业"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Homework.Review(ctx, f.head, a.ID, theirs.ID, homework.ReviewInput{Grade: "合格", Comment: "字迹要工整"}); err != nil {
			t.Fatal(err)
		}
		v, _ := f.Homework.Get(ctx, f.dad, a.ID)
		if len(v.Featured) != 0 || len(v.Children) != 1 || v.Children[0].Child.StudentID != f.xiaoming {
			t.Errorf("before featuring, dad sees %+v and %+v", v.Children, v.Featured)
		}
		if _, err := f.Homework.Review(ctx, f.head, a.ID, mine.ID, homework.ReviewInput{Grade: "优", Featured: true}); err != nil {
			t.Fatal(err)
		}
		v, _ = f.Homework.Get(ctx, f.wang, a.ID)
		if len(v.Featured) != 1 || v.Featured[0].Student.Name != "张小明" || v.Featured[0].Submission.Body != "小明的作业" {
			t.Errorf("wang sees featured %+v", v.Featured)
		}
		if len(v.Children) != 1 || v.Children[0].Submission.Comment != "字迹要工整" {
			t.Errorf("wang sees own %+v", v.Children)
		}
		for _, c := range v.Children {
			if c.Submission != nil && c.Submission.ID == mine.ID {
				t.Error("wang sees 张小明's submission as their own")
			}
		}
		if _, err := f.Homework.Get(ctx, f.zhao, a.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("3-3's parent sees the featured work: %v", err)
		}
		if _, err := f.Homework.Review(ctx, f.head, a.ID, theirs.ID, homework.ReviewInput{Redo: true, Featured: true, Comment: "重做"}); fieldOf(t, err) != "featured" {
			t.Errorf("featuring work sent back: %v", err)
		}
	})
}

func TestCSV(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		a := f.set(t)
		f.Clock.Set(time.Date(2026, 11, 2, 11, 30, 0, 0, time.UTC))
		sub, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: "好了"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Homework.Review(ctx, f.head, a.ID, sub.ID, homework.ReviewInput{Grade: "优", Comment: "很棒，继续"}); err != nil {
			t.Fatal(err)
		}
		sh, err := f.Homework.Submissions(ctx, f.head, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		sh2, _ := time.LoadLocation("Asia/Shanghai")
		if err := homework.WriteCSV(&buf, sh, sh2); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{
			{"学号", "学生", "班级", "状态", "提交时间", "评价", "评语"},
			{"20230201", "张小明", "三年级(2)班", "已批改", "2026-11-02 19:30", "优", "很棒，继续"},
			{"20230202", "王芳", "三年级(2)班", "未交", "", "", ""},
		}
		if len(rows) != len(want) {
			t.Fatalf("rows %q", rows)
		}
		for i := range want {
			if strings.Join(rows[i], ",") != strings.Join(want[i], ",") {
				t.Errorf("row %d: %q, want %q", i, rows[i], want[i])
			}
		}
	})
}

func TestFilesAndClasses(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		for who, want := range map[*auth.User]int{f.head: 1, f.other: 1, f.admin: 2} {
			cs, err := f.Homework.Classes(ctx, who)
			if err != nil || len(cs) != want {
				t.Errorf("%s may set work to %d classes (%v), want %d", who.Name, len(cs), err, want)
			}
		}
		if _, err := f.Homework.Classes(ctx, f.dad); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("a parent's classes: %v", err)
		}
		a, err := f.Homework.Create(ctx, f.head, homework.CreateInput{Title: "看图写话", Subject: "语文", ClassIDs: []uint64{f.class32},
			Due: "2026-11-03 20:00", RequiresSubmission: true, Files: []file.Prepared{photo(t, "题目.png")}})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := f.Homework.Get(ctx, f.head, a.ID)
		if len(v.FileIDs) != 1 {
			t.Fatalf("assignment files %v", v.FileIDs)
		}
		sub, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.xiaoming, Files: []file.Prepared{photo(t, "作业.png")}})
		if err != nil {
			t.Fatal(err)
		}
		dv, _ := f.Homework.Get(ctx, f.dad, a.ID)
		subFile := dv.Children[0].FileIDs[0]
		check := func(fileID uint64, who *auth.User, want bool) {
			t.Helper()
			ok, err := f.Homework.FileAccess(ctx, who, fileID)
			if err != nil || ok != want {
				t.Errorf("%s may download file %d: %t (%v), want %t", who.Name, fileID, ok, err, want)
			}
		}
		for who, want := range map[*auth.User]bool{f.dad: true, f.wang: true, f.teacher: true, f.zhao: false, f.other: false, f.removed: false} {
			check(v.FileIDs[0], who, want)
		}
		for who, want := range map[*auth.User]bool{f.dad: true, f.wang: false, f.teacher: true, f.admin: true, f.zhao: false, f.other: false, f.pending: false} {
			check(subFile, who, want)
		}
		if _, err := f.Homework.Review(ctx, f.head, a.ID, sub.ID, homework.ReviewInput{Grade: "优", Featured: true}); err != nil {
			t.Fatal(err)
		}
		check(subFile, f.wang, true)
		check(subFile, f.zhao, false)
	})
}

package services_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
	"jiaxiao/app/homework"
	"jiaxiao/app/school"
	"jiaxiao/app/services"
	"jiaxiao/app/studentleave"
)

// TestHousekeepingSendsReminders: the housekeeping a serving process runs
// sends, on its round, the homework reminder to a family that has not
// handed in and the leave reminder to the head teacher, each once.
func TestHousekeepingSendsReminders(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		ctx := context.Background()
		w.Students("年级,班级,学号,姓名\n3,2,20230201,张小明\n", school.ImportOptions{})
		w.Staff("姓名,手机,角色,部门,任教班级,班主任\n王建国,13800000001,管理员,校长室,,\n李芳,13800000002,教师,语文教研组,3年级2班,3年级2班\n")
		admin, head := w.ByPhone("13800000001"), w.ByPhone("13800000002")
		c32 := w.ClassGroup(3, 2)
		dad := w.User(auth.RoleParent, "张伟", "13900000001")
		req, err := w.Groups.Join(ctx, dad, c32.InviteCode, group.JoinInput{StudentNo: "20230201", StudentName: "张小明", Relation: "父亲"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Groups.Approve(ctx, admin, c32.ID, req.ID); err != nil {
			t.Fatal(err)
		}
		kids, err := w.School.Children(ctx, dad.ID)
		if err != nil || len(kids) != 1 {
			t.Fatalf("children: %v %v", kids, err)
		}
		sh := w.Location()
		w.Clock.Set(time.Date(2026, 11, 2, 10, 0, 0, 0, sh)) // Monday
		if _, err := w.Homework.Create(ctx, head, homework.CreateInput{Title: "背诵古诗", Subject: "语文", ClassIDs: []uint64{*c32.ClassID},
			Due: "2026-11-02 18:00", RequiresSubmission: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Leave.Request(ctx, dad, studentleave.RequestInput{StudentID: kids[0].StudentID, Kind: studentleave.Personal,
			StartDate: "2026-11-03", StartHalf: "am", EndDate: "2026-11-03", EndHalf: "pm", Reason: "回老家"}); err != nil {
			t.Fatal(err)
		}
		count := func(u *auth.User, kind string) int {
			all, err := w.Centre.List(ctx, u.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, x := range all {
				if x.Kind == kind {
					n++
				}
			}
			return n
		}
		round := func() {
			ctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			hk := w.Background(services.BackgroundOptions{}).Housekeeping
			go func() { hk.Run(ctx); close(done) }()
			deadline := time.Now().Add(15 * time.Second)
			for (count(dad, "homework.remind") == 0 || count(head, "leave.remind") == 0) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			<-done
		}
		w.Clock.Set(time.Date(2026, 11, 2, 16, 0, 0, 0, sh)) // due in two hours; the request pending six
		round()
		if count(dad, "homework.remind") != 1 || count(head, "leave.remind") != 1 {
			t.Fatalf("homework reminders %d, leave reminders %d; want one each", count(dad, "homework.remind"), count(head, "leave.remind"))
		}
		if err := w.Remind(ctx); err != nil { // a minute later, or another instance
			t.Fatal(err)
		}
		if count(dad, "homework.remind") != 1 || count(head, "leave.remind") != 1 {
			t.Fatalf("again: homework reminders %d, leave reminders %d; want one each", count(dad, "homework.remind"), count(head, "leave.remind"))
		}
	})
}

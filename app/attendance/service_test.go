package attendance_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/attendance"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
)

var sh, _ = time.LoadLocation("Asia/Shanghai")

const staff = `姓名,手机,角色,部门,任教班级,班主任
王建国,13800000001,管理员,校长室,,
李芳,13800000002,教师,语文教研组,,
陈志强,13800000003,教师,语文教研组,,
`

type fx struct {
	*apptest.World
	admin, head, teacher *auth.User
}

func setup(t *testing.T, g *gorm.DB) *fx {
	w := apptest.NewWorld(t, g)
	ctx := context.Background()
	w.Students("年级,班级,学号,姓名\n3,2,20230201,张小明\n", school.ImportOptions{})
	w.Staff(staff)
	f := &fx{World: w, admin: w.ByPhone("13800000001"), head: w.ByPhone("13800000002"), teacher: w.ByPhone("13800000003")}
	depts, _ := w.School.Departments(ctx, auth.System)
	for _, d := range depts {
		if d.Name == "语文教研组" {
			if err := w.School.SetDepartmentHead(ctx, auth.System, d.ID, f.head.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := w.Settings.Update(ctx, f.admin, map[string]string{"school_lat": "31.2304", "school_lng": "121.4737"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fx) at(local string) {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", local, sh)
	if err != nil {
		panic(err)
	}
	f.Clock.Set(t.UTC())
}

func ptr(v float64) *float64 { return &v }

func TestPunch(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		f.at("2026-11-02 08:20:00")
		if _, err := f.Attendance.Punch(ctx, f.teacher, attendance.PunchInput{}); err == nil {
			t.Fatal("a punch without coordinates")
		}
		p, err := f.Attendance.Punch(ctx, f.teacher, attendance.PunchInput{Lat: ptr(31.2305), Lng: ptr(121.4738), Accuracy: ptr(20), IP: "10.0.0.5", UserAgent: "phone"})
		if err != nil || p.Field || p.Flagged || p.IP != "10.0.0.5" || !p.At.Equal(f.Clock.Now()) {
			t.Fatalf("inside: %+v %v", p, err)
		}
		far := attendance.PunchInput{Lat: ptr(31.2504), Lng: ptr(121.4737), Accuracy: ptr(150)}
		_, err = f.Attendance.Punch(ctx, f.teacher, far)
		if v, ok := apperr.AsValidation(err); !ok || v.Fields["note"] == "" {
			t.Fatalf("outside without a note: %v", err)
		}
		far.Note = "在教育局开会"
		f.at("2026-11-02 17:40:00")
		p, err = f.Attendance.Punch(ctx, f.teacher, far)
		if err != nil || !p.Field || !p.Flagged || p.DistanceM < 2000 {
			t.Fatalf("field: %+v %v", p, err)
		}
		f.at("2026-11-03 09:00:00")
		tm, err := f.Attendance.Own(ctx, f.teacher, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		if d := tm.Days[1]; d.Status != attendance.Field || d.FieldCount != 1 {
			t.Fatalf("2 Nov: %+v", d)
		}
		parent := f.User(auth.RoleParent, "张伟", "13900000001")
		if _, err := f.Attendance.Punch(ctx, parent, far); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent punching: %v", err)
		}
	})
}

func TestTerminalImport(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		good := "手机,姓名,打卡时间\n13800000002,李芳,2026-11-02 08:05:13\n13800000002,李芳,2026-11-02 17:35:00\n13800000003,陈志强,2026-11-02 08:40:00\n"
		res, err := f.Attendance.ImportPunches(ctx, auth.System, "t.csv", []byte(good))
		if err != nil || res.Added != 3 {
			t.Fatalf("import: %+v %v", res, err)
		}
		res, err = f.Attendance.ImportPunches(ctx, auth.System, "t.csv", []byte(good))
		if err != nil || res.Added != 0 || res.Known != 3 {
			t.Fatalf("again: %+v %v", res, err)
		}
		bad := "手机,姓名,打卡时间\n13800000002,李芳,2026-11-03 08:05:13\n13912345678,某人,2026-11-03 08:06:00\n13800000003,陈志强,11月3日八点\n"
		_, err = f.Attendance.ImportPunches(ctx, auth.System, "bad.csv", []byte(bad))
		var ie *school.ImportError
		if !errors.As(err, &ie) || len(ie.Lines) != 2 || ie.Lines[0].Line != 3 || ie.Lines[1].Line != 4 {
			t.Fatalf("bad file: %v", err)
		}
		var n int64
		g.Model(&attendance.Punch{}).Count(&n)
		if n != 3 {
			t.Fatalf("a bad file imported rows: %d", n)
		}
	})
}

func TestLeaveRoutingAndApproval(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		f.at("2026-11-02 09:00:00")
		short, err := f.Attendance.RequestLeave(ctx, f.teacher, attendance.LeaveInput{Kind: "病假", Start: "2026-11-04", End: "2026-11-05", Reason: "发烧"})
		if err != nil || short.Days != 2 || short.ApproverID == nil || *short.ApproverID != f.head.ID {
			t.Fatalf("2 days go to the department head: %+v %v", short, err)
		}
		long, err := f.Attendance.RequestLeave(ctx, f.teacher, attendance.LeaveInput{Kind: "婚假", Start: "2026-11-09", End: "2026-11-13", Reason: "结婚"})
		if err != nil || long.Days != 5 || long.ApproverID != nil {
			t.Fatalf("5 days go to the principal: %+v %v", long, err)
		}
		half, err := f.Attendance.RequestLeave(ctx, f.teacher, attendance.LeaveInput{Kind: "事假", Start: "2026-11-16T13:00", End: "2026-11-16T17:30", Reason: "办事"})
		if err != nil || half.Days != 0.5 {
			t.Fatalf("half a day: %+v %v", half, err)
		}
		// Only the approver decides.
		if err := f.Attendance.Decide(ctx, f.admin, short.ID, true, ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("admin deciding the head's request: %v", err)
		}
		if err := f.Attendance.Decide(ctx, f.head, long.ID, true, ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("head deciding the principal's: %v", err)
		}
		inbox, _ := f.Attendance.Inbox(ctx, f.head)
		if len(inbox) != 2 {
			t.Fatalf("head's inbox %d", len(inbox))
		}
		if err := f.Attendance.Decide(ctx, f.head, short.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if err := f.Attendance.Decide(ctx, f.admin, long.ID, false, ""); err == nil {
			t.Fatal("rejected without a reason")
		}
		f.at("2026-11-06 09:00:00")
		tm, _ := f.Attendance.Own(ctx, f.teacher, "2026-11")
		if d := tm.Days[3]; d.Status != attendance.OnLeave || d.Leave != 1 { // 4 Nov
			t.Fatalf("4 Nov: %+v", d)
		}
		if tm.Summary.Leave != 2 {
			t.Fatalf("leave days %v", tm.Summary.Leave)
		}
	})
}

func TestMakeupQuotaAndWindow(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		f.at("2026-11-13 18:00:00") // Friday
		for i, day := range []string{"2026-11-09", "2026-11-10", "2026-11-11"} {
			if _, err := f.Attendance.RequestMakeup(ctx, f.teacher, attendance.MakeupInput{Date: day, Which: "in", Reason: "忘记打卡"}); err != nil {
				t.Fatalf("make-up %d: %v", i+1, err)
			}
		}
		_, err := f.Attendance.RequestMakeup(ctx, f.teacher, attendance.MakeupInput{Date: "2026-11-12", Which: "out", Reason: "忘记打卡"})
		if v, ok := apperr.AsValidation(err); !ok || !strings.Contains(v.Error(), "每月最多 3 次") {
			t.Fatalf("over the quota: %v", err)
		}
		if _, err := f.Attendance.RequestMakeup(ctx, f.head, attendance.MakeupInput{Date: "2026-11-05", Which: "in", Reason: "忘记打卡"}); err == nil {
			t.Fatal("a make-up 6 work days back")
		}
		if _, err := f.Attendance.RequestMakeup(ctx, f.head, attendance.MakeupInput{Date: "2026-11-08", Which: "in", Reason: "忘记打卡"}); err == nil {
			t.Fatal("a make-up on a Sunday")
		}
		a, err := f.Attendance.RequestMakeup(ctx, f.head, attendance.MakeupInput{Date: "2026-11-06", Which: "out", Reason: "忘记打卡"})
		if err != nil || a.ApproverID != nil {
			t.Fatalf("5 work days back, for an admin: %+v %v", a, err)
		}
	})
}

func TestApprovalReminder(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	f := setup(t, g)
	ctx := context.Background()
	f.at("2026-11-06 16:30:00") // Friday: 1 working hour left
	if _, err := f.Attendance.RequestLeave(ctx, f.teacher, attendance.LeaveInput{Kind: "事假", Start: "2026-11-10", End: "2026-11-10", Reason: "家中有事"}); err != nil {
		t.Fatal(err)
	}
	w := f.Worker()
	f.at("2026-11-09 11:29:00") // Monday: 3 h 59 min of working time later
	_, _ = w.RunDue(ctx)
	// A fresh centre for each count: a centre keeps counts in memory until
	// its hub tells it of a change, and there is no hub here.
	if n, _ := notify.NewCentre(g, nil).Unread(ctx, f.head.ID); n != 0 {
		t.Fatal("reminded too early")
	}
	f.at("2026-11-09 11:30:00")
	_, _ = w.RunDue(ctx)
	if n, _ := notify.NewCentre(g, nil).Unread(ctx, f.head.ID); n != 1 {
		t.Fatalf("approver reminders: %d", n)
	}
}

func TestAddWorkingTime(t *testing.T) {
	t.Parallel()
	r := attendance.RulesFrom(settingDefaults(), sh)
	cal := calendar.Calendar{}
	at := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02 15:04", s, sh); return t }
	cases := [][2]string{
		{"2026-11-02 09:00", "2026-11-02 13:00"},
		{"2026-11-02 16:30", "2026-11-03 11:30"},
		{"2026-11-06 16:30", "2026-11-09 11:30"}, // over the weekend
		{"2026-11-07 10:00", "2026-11-09 12:30"}, // from a Saturday
		{"2026-09-30 17:00", "2026-10-08 12:00"}, // over the 国庆节 holiday
	}
	for _, c := range cases {
		if got := attendance.AddWorkingTime(r, cal, at(c[0]), 4*time.Hour); !got.Equal(at(c[1])) {
			t.Errorf("%s + 4h = %s, want %s", c[0], got.In(sh).Format("2006-01-02 15:04"), c[1])
		}
	}
}

func TestConfirmLocksTheMonth(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		f.at("2026-11-30 08:20:00")
		if err := f.Attendance.Confirm(ctx, f.teacher, "2026-11"); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("teacher confirming: %v", err)
		}
		if err := f.Attendance.Confirm(ctx, f.admin, "2026-11"); err != nil {
			t.Fatal(err)
		}
		_, err := f.Attendance.Punch(ctx, f.teacher, attendance.PunchInput{Lat: ptr(31.2305), Lng: ptr(121.4738), Accuracy: ptr(20)})
		if !attendance.ErrLocked(err) {
			t.Fatalf("punch in a confirmed month: %v", err)
		}
		_, err = f.Attendance.ImportPunches(ctx, auth.System, "t.csv", []byte("手机,姓名,打卡时间\n13800000002,李芳,2026-11-27 08:05:13\n"))
		if err == nil || !strings.Contains(err.Error(), "锁定") {
			t.Fatalf("import into a confirmed month: %v", err)
		}
		var n int64
		g.Table("audit_logs").Where("action = ?", "attendance.locked_edit").Count(&n)
		if n == 0 {
			t.Fatal("refused edit not logged")
		}
	})
}

func TestSchoolDays(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	f := setup(t, g)
	ctx := context.Background()
	if err := f.Attendance.SetDay(ctx, f.teacher, "2026-11-06", false, "校运会"); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("teacher setting a day: %v", err)
	}
	if err := f.Attendance.SetDay(ctx, f.admin, "11月6日", false, ""); err == nil {
		t.Fatal("bad date accepted")
	}
	if err := f.Attendance.SetDay(ctx, f.admin, "2026-11-06", false, "校运会"); err != nil {
		t.Fatal(err)
	}
	cal, _ := calendar.Load(ctx, g)
	if cal.IsWorkDay("2026-11-06") {
		t.Fatal("the school's rest day is still a work day")
	}
	if err := f.Attendance.DeleteDay(ctx, f.admin, "2026-11-06"); err != nil {
		t.Fatal(err)
	}
	if cal, _ = calendar.Load(ctx, g); !cal.IsWorkDay("2026-11-06") {
		t.Fatal("deleted override still applies")
	}
}

// TestLeaveBounds: a leave longer than a year, or starting years away, is
// refused at once rather than counted day by day.
func TestLeaveBounds(t *testing.T) {
	g := apptest.SQLite(t)
	f := setup(t, g)
	ctx := context.Background()
	for _, in := range []attendance.LeaveInput{
		{Kind: "事假", Start: "2026-11-04", End: "9999-12-31", Reason: "出国"},
		{Kind: "事假", Start: "0001-01-01", End: "0001-01-02", Reason: "穿越"},
		{Kind: "事假", Start: "2031-11-04", End: "2031-11-05", Reason: "太早"},
	} {
		start := time.Now()
		_, err := f.Attendance.RequestLeave(ctx, f.teacher, in)
		if _, ok := apperr.AsValidation(err); !ok {
			t.Fatalf("%s to %s: %v", in.Start, in.End, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("%s to %s took %v to refuse", in.Start, in.End, d)
		}
	}
	if _, err := f.Attendance.RequestLeave(ctx, f.teacher, attendance.LeaveInput{Kind: "产假", Start: "2026-11-04", End: "2027-04-10", Reason: "生育"}); err != nil {
		t.Fatalf("158 days of maternity leave: %v", err)
	}
}

// A request decided after its month was confirmed is refused, and the
// refusal is in the audit log: written after the refused change's
// transaction ends, not through a second connection while it holds the
// database (which on SQLite waited 10 s and lost the row).
func TestDecideInAConfirmedMonth(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		f.at("2026-11-27 18:00:00")
		a, err := f.Attendance.RequestMakeup(ctx, f.teacher, attendance.MakeupInput{Date: "2026-11-26", Which: "in", Reason: "忘记打卡"})
		if err != nil {
			t.Fatal(err)
		}
		f.at("2026-11-30 08:20:00")
		if err := f.Attendance.Confirm(ctx, f.admin, "2026-11"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := f.Attendance.Decide(ctx, f.admin, a.ID, true, ""); !attendance.ErrLocked(err) {
			t.Fatalf("deciding in a confirmed month: %v", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the refusal took %s", d)
		}
		var st string
		g.Table("approvals").Select("status").Where("id = ?", a.ID).Scan(&st)
		if st != attendance.StatusPending {
			t.Errorf("status %q after a refused decision", st)
		}
		var n int64
		g.Table("audit_logs").Where("action = ? AND subject = ? AND detail = ?", "attendance.locked_edit", "2026-11", "decide").Count(&n)
		if n != 1 {
			t.Errorf("%d audit rows for the refused decision, want 1", n)
		}
	})
}

// The monthly make-up quota holds when one person files many at once.
func TestMakeupQuotaInParallel(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		f.at("2026-11-13 18:00:00") // Friday
		days := []string{"2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13"}
		errs := make(chan error, 2*len(days))
		var wg sync.WaitGroup
		for _, day := range days {
			for _, which := range []string{"in", "out"} {
				wg.Go(func() {
					_, err := f.Attendance.RequestMakeup(ctx, f.teacher, attendance.MakeupInput{Date: day, Which: which, Reason: "忘记打卡"})
					errs <- err
				})
			}
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch v, isV := apperr.AsValidation(err); {
			case err == nil:
				ok++
			case isV && strings.Contains(v.Error(), "每月最多 3 次"):
			default:
				t.Errorf("unexpected: %v", err)
			}
		}
		var n int64
		g.Table("approvals").Where("user_id = ? AND kind = ?", f.teacher.ID, attendance.KindMakeup).Count(&n)
		if ok != 3 || n != 3 {
			t.Fatalf("%d accepted, %d stored; the quota is 3", ok, n)
		}
	})
}

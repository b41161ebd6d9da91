package erasure_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/attendance"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/erasure"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/job"
	"jiaxiao/app/message"
	"jiaxiao/app/notice"
	"jiaxiao/app/notify"
	"jiaxiao/storage"
)

// generation is one of each record retention looks at, made at one time.
type generation struct {
	message      message.Message
	fileKey      string
	notification uint64
	request      uint64
	punch        uint64
	sessionUser  uint64
	notice       notice.Notice
	failurePhone string
	codePhone    string
}

func (f *fx) generation(t *testing.T, tag string, n int) generation {
	t.Helper()
	ctx := context.Background()
	g := f.DB
	var gen generation
	gen.message = f.post(t, f.wang, "第"+tag+"条消息", pdf(t, "附件"+tag+".pdf", "内容"+tag))
	var fl file.File
	g.Where("id = ?", *gen.message.FileID).Take(&fl)
	gen.fileKey = fl.StorageKey
	if err := notify.Add(ctx, g, f.Clock.Now(), notify.Notification{UserID: f.wang.ID, Kind: "test", Title: "提醒" + tag}); err != nil {
		t.Fatal(err)
	}
	var nt notify.Notification
	g.Where("title = ?", "提醒"+tag).Take(&nt)
	gen.notification = nt.ID
	p := f.World.User(auth.RoleParent, "钱家长"+[]string{"甲", "乙"}[n], fmt.Sprintf("1370000000%d", n))
	req := f.pendingRequest(t, p, "20230302", "钱多多")
	if err := f.Groups.Reject(context.Background(), f.admin, f.c33.ID, req.ID, "请由班主任核实"); err != nil {
		t.Fatal(err)
	}
	gen.request = req.ID
	// A failed join attempt (a wrong name) of the same parent.
	if _, err := f.Groups.Join(ctx, p, f.c33.InviteCode, group.JoinInput{StudentNo: "20230302", StudentName: "钱少少", Relation: "父亲"}); err == nil {
		t.Fatal("a wrong name joined")
	}
	teacher := f.World.User(auth.RoleTeacher, "孙老师"+[]string{"甲", "乙"}[n], fmt.Sprintf("1360000000%d", n))
	if _, _, err := f.Auth.Login(ctx, auth.LoginInput{Phone: teacher.Phone, Password: "secret-123", IP: "10.1.1." + tag, UserAgent: "浏览器" + tag}); err != nil {
		t.Fatal(err)
	}
	gen.sessionUser = teacher.ID
	lat, lng, acc := 31.23, 121.47, 20.0
	pu, err := f.Attendance.Punch(ctx, teacher, attendance.PunchInput{Lat: &lat, Lng: &lng, Accuracy: &acc, IP: "10.1.1." + tag, UserAgent: "浏览器" + tag})
	if err != nil {
		t.Fatal(err)
	}
	gen.punch = pu.ID
	gen.failurePhone = fmt.Sprintf("1350000000%d", n)
	if _, _, err := f.Auth.Login(ctx, auth.LoginInput{Phone: gen.failurePhone, Password: "guess-guess", IP: "10.2.2.2"}); err == nil {
		t.Fatal("a guess logged in")
	}
	gen.codePhone = fmt.Sprintf("1340000000%d", n)
	if err := f.Auth.SendRegisterCode(ctx, gen.codePhone, "10.3.3.3"); err != nil {
		t.Fatal(err)
	}
	if gen.notice, err = f.Notices.Compose(ctx, f.head, notice.ComposeInput{Title: "通知" + tag, Body: "正文", Category: "通知", GroupIDs: []uint64{f.c32.ID}}); err != nil {
		t.Fatal(err)
	}
	return gen
}

// Retention deletes exactly what is older than each limit: of two
// generations of records two seconds apart, the older goes (or loses its
// IP address and browser) and the newer stays; notices are kept whatever
// their age; a second run finds nothing.
func TestRetentionDeletesExactlyWhatIsOld(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		form := map[string]string{}
		for _, name := range []string{"retain_messages_days", "retain_notifications_days", "retain_requests_days", "retain_ip_days", "retain_login_days"} {
			form[name] = "30"
		}
		if _, err := f.Settings.Update(ctx, f.admin, form); err != nil {
			t.Fatal(err)
		}
		t0 := f.Clock.Now()
		old := f.generation(t, "1", 0)
		f.Clock.Set(t0.Add(2 * time.Second))
		young := f.generation(t, "2", 1)
		f.runJobs(t) // SMS codes, the archive
		f.Clock.Set(t0.Add(30*24*time.Hour + time.Second))

		r, err := f.Erasure.Retention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.More || r.Messages < 1 || r.Notifications < 1 || r.Requests < 1 || r.Addresses < 2 || r.Logins < 3 {
			t.Fatalf("report %+v", r)
		}
		exists := func(model any, id uint64) bool { return count(t, g.Model(model).Where("id = ?", id)) == 1 }
		for _, c := range []struct {
			what      string
			model     any
			old, kept uint64
		}{
			{"message", &message.Message{}, old.message.ID, young.message.ID},
			{"notification", &notify.Notification{}, old.notification, young.notification},
			{"decided join request", &group.JoinRequest{}, old.request, young.request},
		} {
			if exists(c.model, c.old) {
				t.Errorf("the old %s is kept", c.what)
			}
			if !exists(c.model, c.kept) {
				t.Errorf("the young %s went", c.what)
			}
		}
		for _, gen := range []generation{old, young} {
			if !exists(&notice.Notice{}, gen.notice.ID) {
				t.Errorf("notice %q went", gen.notice.Title)
			}
		}
		var punches []attendance.Punch
		g.Where("id IN ?", []uint64{old.punch, young.punch}).Order("id").Find(&punches)
		if len(punches) != 2 || punches[0].IP != "" || punches[0].UserAgent != "" || punches[1].IP != "10.1.1.2" || punches[1].UserAgent != "浏览器2" {
			t.Errorf("punches after retention: %+v", punches)
		}
		var sessions []auth.Session
		g.Where("user_id IN ?", []uint64{old.sessionUser, young.sessionUser}).Order("created_at").Find(&sessions)
		if len(sessions) != 2 || sessions[0].IP != "" || sessions[0].UserAgent != "" || sessions[1].IP != "10.1.1.2" {
			t.Errorf("sessions after retention: %+v", sessions)
		}
		for _, c := range []struct {
			table, col, old, young string
		}{
			{"login_failures", "phone", old.failurePhone, young.failurePhone},
			{"verification_codes", "phone", old.codePhone, young.codePhone},
		} {
			if n := count(t, g.Table(c.table).Where(c.col+" = ?", c.old)); n != 0 {
				t.Errorf("%s: the old rows are kept (%d)", c.table, n)
			}
			if n := count(t, g.Table(c.table).Where(c.col+" = ?", c.young)); n == 0 {
				t.Errorf("%s: the young rows went", c.table)
			}
		}
		if n := count(t, g.Table("join_failures").Where("created_at < ?", t0.Add(time.Second))); n != 0 {
			t.Errorf("%d old failed join attempts kept", n)
		}
		if n := count(t, g.Table("join_failures").Where("created_at >= ?", t0.Add(time.Second))); n != 1 {
			t.Errorf("%d young failed join attempts kept, want 1", n)
		}
		// The old message's file goes from storage after the commit.
		f.runJobs(t)
		if _, err := f.Store.Stat(ctx, old.fileKey); !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("the old message's file is still stored: %v", err)
		}
		if _, err := f.Store.Stat(ctx, young.fileKey); err != nil {
			t.Errorf("the young message's file went: %v", err)
		}
		var es []audit.Entry
		g.Where("action = ?", "retention.purge").Find(&es)
		if len(es) != 1 || es[0].ActorID != nil {
			t.Fatalf("retention audit entries %+v", es)
		}
		// Idempotent: nothing is left to do.
		if r, err := f.Erasure.Retention(ctx); err != nil || r.Total() != 0 {
			t.Fatalf("second run: %+v %v", r, err)
		}
		if n := count(t, g.Model(&audit.Entry{}).Where("action = ?", "retention.purge")); n != 1 {
			t.Errorf("an empty run was audited (%d entries)", n)
		}
	})
}

// A big school: more old notifications than one batch go in several
// short transactions, all of them.
func TestRetentionBatches(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		old := f.Clock.Now().Add(-200 * 24 * time.Hour)
		rows := make([]notify.Notification, 2*erasure.Batch+7)
		for i := range rows {
			rows[i] = notify.Notification{UserID: f.wang.ID, Kind: "test", Title: "旧提醒", CreatedAt: old}
		}
		if err := g.CreateInBatches(rows, 300).Error; err != nil {
			t.Fatal(err)
		}
		r, err := f.Erasure.Retention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.Notifications != int64(len(rows)) || r.More {
			t.Fatalf("report %+v, want %d notifications", r, len(rows))
		}
		if n := count(t, g.Model(&notify.Notification{}).Where("title = ?", "旧提醒")); n != 0 {
			t.Fatalf("%d old notifications left", n)
		}
	})
}

// The nightly run is queued once, at 02:00 school time; running it queues
// the next night's, and a closed account whose job was lost is erased by
// it.
func TestRetentionNightly(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		sh, _ := time.LoadLocation("Asia/Shanghai")
		for range 2 {
			if err := f.Erasure.Schedule(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var jobs []job.Job
		g.Where("kind = ? AND done_at IS NULL", erasure.JobRetention).Find(&jobs)
		want := time.Date(2026, 11, 3, 2, 0, 0, 0, sh)
		if len(jobs) != 1 || !jobs[0].RunAt.Equal(want) {
			t.Fatalf("queued %+v, want one at %s", jobs, want)
		}
		// A closed account whose erasure job is lost.
		if _, err := f.Erasure.Close(ctx, f.dad, "secret-123", ""); err != nil {
			t.Fatal(err)
		}
		if err := g.Where("kind = ?", erasure.JobErase).Delete(&job.Job{}).Error; err != nil {
			t.Fatal(err)
		}
		f.Clock.Set(want.Add(time.Minute))
		f.runJobs(t)
		if u := f.user(t, f.dad.ID); u.Status != auth.StatusClosed {
			t.Fatalf("erased before its day: %s", u.Status)
		}
		g.Where("kind = ? AND done_at IS NULL", erasure.JobRetention).Find(&jobs)
		if len(jobs) != 1 || !jobs[0].RunAt.Equal(want.AddDate(0, 0, 1)) {
			t.Fatalf("next night %+v", jobs)
		}
		f.Clock.Set(want.AddDate(0, 0, 7).Add(time.Minute))
		f.runJobs(t)
		if u := f.user(t, f.dad.ID); u.Status != auth.StatusErased {
			t.Fatalf("the nightly run did not erase the account due: %s", u.Status)
		}
	})
}

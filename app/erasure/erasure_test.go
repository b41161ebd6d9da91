package erasure_test

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/erasure"
	"jiaxiao/app/event"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/job"
	"jiaxiao/app/message"
	"jiaxiao/app/notice"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
	"jiaxiao/storage"
)

const roster = `年级,班级,学号,姓名
3,2,20230201,张小明
3,2,20230202,王芳
3,3,20230301,赵雷
3,3,20230302,钱多多
`

const staff = `姓名,手机,角色,部门,任教班级,班主任
王建国,13800000001,管理员,校长室,,
李芳,13800000002,教师,语文教研组,3年级2班,3年级2班
陈志强,13800000003,教师,数学教研组,3年级2班,
`

const dadPhone = "13900000001"

type fx struct {
	*apptest.World
	admin, head, teacher, dad, wang *auth.User
	c32, c33                        group.Group
}

func setup(t *testing.T, g *gorm.DB) *fx {
	t.Helper()
	w := apptest.NewWorld(t, g)
	ctx := context.Background()
	w.Students(roster, school.ImportOptions{})
	w.Staff(staff)
	if err := w.Words.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fx{World: w, admin: w.ByPhone("13800000001"), head: w.ByPhone("13800000002"), teacher: w.ByPhone("13800000003"),
		c32: w.ClassGroup(3, 2), c33: w.ClassGroup(3, 3)}
	admit := func(name, phone, no, child string) *auth.User {
		u := w.User(auth.RoleParent, name, phone)
		req, err := w.Groups.Join(ctx, u, f.c32.InviteCode, group.JoinInput{StudentNo: no, StudentName: child, Relation: "父亲"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Groups.Approve(ctx, f.admin, f.c32.ID, req.ID); err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.dad = admit("张伟", dadPhone, "20230201", "张小明")
	f.wang = admit("王强", "13900000003", "20230202", "王芳")
	// 10:00 on Monday 2 November 2026 in Shanghai.
	w.Clock.Set(time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC))
	return f
}

// pendingRequest files a join request of u to 3-3 that waits for a moderator.
func (f *fx) pendingRequest(t *testing.T, u *auth.User, no, child string) group.JoinRequest {
	t.Helper()
	req, err := f.Groups.Join(context.Background(), u, f.c33.InviteCode, group.JoinInput{StudentNo: no, StudentName: child, Relation: "父亲"})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func (f *fx) post(t *testing.T, u *auth.User, body string, attach *file.Prepared) message.Message {
	t.Helper()
	m, err := f.Messages.Post(context.Background(), u, f.c32.ID, message.PostInput{Body: body, File: attach})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func pdf(t *testing.T, name, body string) *file.Prepared {
	t.Helper()
	p, err := file.Prepare("file", name, []byte("%PDF-1.4\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	return &p
}

// runJobs runs every job due on the world's clock.
func (f *fx) runJobs(t *testing.T) {
	t.Helper()
	if _, err := f.Worker().RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (f *fx) user(t *testing.T, id uint64) auth.User {
	t.Helper()
	var u auth.User
	if err := f.DB.Where("id = ?", id).Take(&u).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

func count(t *testing.T, q *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Closing: a wrong or missing password changes nothing; staff are sent to
// the admin; the right password ends every session, takes the parent out
// of every group and pending request at once (the other members' counts
// follow live), frees the child's guardian place, and refuses the next
// login with the reason.
func TestCloseEndsSessionsAndMemberships(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		_, token, err := f.Auth.Login(ctx, auth.LoginInput{Phone: dadPhone, Password: "secret-123", IP: "10.0.0.9"})
		if err != nil {
			t.Fatal(err)
		}
		req := f.pendingRequest(t, f.dad, "20230302", "钱多多")
		schoolG := f.KindGroup(group.KindSchool)

		for _, pw := range []string{"", "wrong-password"} {
			_, err := f.Erasure.Close(ctx, f.dad, pw, "10.0.0.9")
			if v, ok := apperr.AsValidation(err); !ok || v.Fields["password"] == "" {
				t.Fatalf("password %q: %v", pw, err)
			}
		}
		if u := f.user(t, f.dad.ID); u.Status != auth.StatusActive {
			t.Fatalf("a refused closing changed the account: %s", u.Status)
		}
		if _, err := f.Erasure.Close(ctx, f.head, "secret-123", ""); !errors.Is(err, apperr.ErrForbidden) || !strings.Contains(apperr.UserMessage(err), "管理员") {
			t.Fatalf("staff closing their own account: %v", err)
		}

		before := count(t, g.Model(&event.Event{}).Where("user_id = ? AND kind = ? AND ref_id = ?", f.wang.ID, group.EventCounts, f.c32.ID))
		c, err := f.Erasure.Close(ctx, f.dad, "secret-123", "10.0.0.9")
		if err != nil {
			t.Fatal(err)
		}
		if c.Days != 7 || !c.EraseAt.Equal(f.Clock.Now().Add(7*24*time.Hour)) {
			t.Fatalf("closed %+v at %s", c, f.Clock)
		}
		if _, err := f.Auth.Authenticate(ctx, token); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("the session lives on: %v", err)
		}
		if _, _, err := f.Auth.Login(ctx, auth.LoginInput{Phone: dadPhone, Password: "secret-123", IP: "10.0.0.9"}); !errors.Is(err, auth.ErrClosed) ||
			!errors.Is(err, apperr.ErrUnauthenticated) || !strings.Contains(apperr.UserMessage(err), "已注销") {
			t.Fatalf("login after closing: %v", err)
		}
		for _, gr := range []group.Group{f.c32, schoolG} {
			if in, _ := f.IsMember(gr.ID, f.dad.ID); in {
				t.Errorf("still a member of %s", gr.Name)
			}
		}
		if n := count(t, g.Model(&group.JoinRequest{}).Where("id = ?", req.ID)); n != 0 {
			t.Error("the pending join request was not withdrawn")
		}
		if ok, _ := school.IsGuardian(ctx, g, mustStudent(t, g, "20230201"), f.dad.ID); ok {
			t.Error("still 张小明's guardian")
		}
		after := count(t, g.Model(&event.Event{}).Where("user_id = ? AND kind = ? AND ref_id = ?", f.wang.ID, group.EventCounts, f.c32.ID))
		if after != before+1 {
			t.Errorf("王强 was told of 3-2's new count %d times", after-before)
		}
		if n := count(t, g.Model(&event.Event{}).Where("user_id = ? AND kind = ? AND group_id = ?", f.dad.ID, event.Removed, f.c32.ID)); n != 1 {
			t.Errorf("张伟's open pages of 3-2 were told %d times", n)
		}
		// A roster sync does not bring the closed account back.
		if err := g.Transaction(func(tx *gorm.DB) error { return f.Groups.Sync(ctx, tx, nil) }); err != nil {
			t.Fatal(err)
		}
		if in, _ := f.IsMember(f.c32.ID, f.dad.ID); in {
			t.Error("a roster sync put the closed account back")
		}
		// Nothing is sent to a closed account; its number is shown to nobody.
		cs, err := auth.Contacts(ctx, g, []uint64{f.dad.ID})
		if err != nil || cs[f.dad.ID].Phone != "" || cs[f.dad.ID].Name != "张伟" {
			t.Fatalf("contact of a closed account: %+v %v", cs, err)
		}
		// The phone cannot register while the account waits for erasure.
		if err := f.Auth.SendRegisterCode(ctx, dadPhone, "10.0.0.9"); err == nil || !strings.Contains(err.Error(), "已注销") {
			t.Fatalf("registering a closed account's phone: %v", err)
		}
		if _, err := f.Erasure.Close(ctx, f.dad, "secret-123", ""); err == nil {
			t.Fatal("closed twice")
		}
		assertAudit(t, g, "user.close", f.dad.ID, &f.dad.ID, "days=7")
	})
}

func mustStudent(t *testing.T, g *gorm.DB, no string) uint64 {
	t.Helper()
	var st school.Student
	if err := g.Where("student_no = ?", no).Take(&st).Error; err != nil {
		t.Fatal(err)
	}
	return st.ID
}

// assertAudit finds the entry of action about user id, by actor (nil: the
// system), whose detail holds want.
func assertAudit(t *testing.T, g *gorm.DB, action string, id uint64, actor *uint64, want string) audit.Entry {
	t.Helper()
	var es []audit.Entry
	g.Where("action = ? AND subject = ?", action, "user:"+itoa(id)).Find(&es)
	if len(es) != 1 {
		t.Fatalf("%d %s entries about user %d", len(es), action, id)
	}
	e := es[0]
	if (actor == nil) != (e.ActorID == nil) || (actor != nil && *actor != *e.ActorID) || !strings.Contains(e.Detail, want) {
		t.Fatalf("%s entry %+v, want actor %v and %q", action, e, actor, want)
	}
	return e
}

func itoa(id uint64) string { return strconv.FormatUint(id, 10) }

// An admin closes a parent's account only with a reason (2–200
// characters), only a parent's, and the audit log keeps the reason.
func TestAdminEraseNeedsReason(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		for _, reason := range []string{"", " ", "好", strings.Repeat("理", erasure.MaxReason+1)} {
			_, err := f.Erasure.AdminErase(ctx, f.admin, f.dad.ID, reason)
			if v, ok := apperr.AsValidation(err); !ok || v.Fields["reason"] == "" {
				t.Fatalf("reason %q: %v", reason, err)
			}
		}
		if _, err := f.Erasure.AdminErase(ctx, f.head, f.dad.ID, "家长书面申请注销"); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a teacher erasing: %v", err)
		}
		if _, err := f.Erasure.AdminErase(ctx, f.admin, f.teacher.ID, "调离本校"); !errors.Is(err, erasure.ErrNotParent) {
			t.Fatalf("erasing a teacher: %v", err)
		}
		if u := f.user(t, f.dad.ID); u.Status != auth.StatusActive {
			t.Fatal("a refused erasure closed the account")
		}
		if _, err := f.Erasure.AdminErase(ctx, f.admin, f.dad.ID, "家长书面申请注销"); err != nil {
			t.Fatal(err)
		}
		if u := f.user(t, f.dad.ID); u.Status != auth.StatusClosed {
			t.Fatalf("after the admin's erasure: %s", u.Status)
		}
		if in, _ := f.IsMember(f.c32.ID, f.dad.ID); in {
			t.Error("still in 3-2")
		}
		assertAudit(t, g, "user.erase", f.dad.ID, &f.admin.ID, "reason=家长书面申请注销")
		if _, err := f.Erasure.AdminErase(ctx, f.admin, f.dad.ID, "家长书面申请注销"); !errors.Is(err, erasure.ErrAlreadyClosed) {
			t.Fatalf("erasing twice: %v", err)
		}
	})
}

var sixDigits = regexp.MustCompile(`\d{6}`)

// The erasure job runs erase_after_days after closing, not before; it
// takes the name, phone and password, the text and files of the messages
// (objects no one else stored go), the join requests, guardianships and
// notifications; receipts still count the account as 已注销用户; the
// audit log keeps the events and the id, not the name or the phone; the
// phone registers afresh.
func TestEraseAfterDelay(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		mine := f.post(t, f.dad, "明天家长会我会准时到", pdf(t, "请假条.pdf", "只有张伟上传过"))
		shared := f.post(t, f.dad, "课程表", pdf(t, "课程表.pdf", "两个人都上传过"))
		f.post(t, f.wang, "收到", pdf(t, "课程表.pdf", "两个人都上传过"))
		var mineFile, sharedFile file.File
		g.Where("id = ?", *mine.FileID).Take(&mineFile)
		g.Where("id = ?", *shared.FileID).Take(&sharedFile)
		n, err := f.Notices.Compose(ctx, f.head, notice.ComposeInput{Title: "家长会通知", Body: "周五下午家长会。", Category: "通知",
			GroupIDs: []uint64{f.c32.ID}, RequiresAck: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Notices.Open(ctx, f.dad, n.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.Notices.Ack(ctx, f.dad, n.ID); err != nil {
			t.Fatal(err)
		}
		_, progress, _, err := f.Notices.Receipts(ctx, f.head, n.ID, notice.ReceiptsPage{})
		if err != nil {
			t.Fatal(err)
		}
		// A rejection whose reason names the parent and their number.
		req := f.pendingRequest(t, f.dad, "20230302", "钱多多")
		if err := f.Groups.Reject(ctx, f.admin, f.c33.ID, req.ID, "张伟（"+dadPhone+"）不是钱多多的家长"); err != nil {
			t.Fatal(err)
		}

		if _, err := f.Erasure.Close(ctx, f.dad, "secret-123", "10.0.0.9"); err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(7*24*time.Hour - time.Minute)
		f.runJobs(t)
		if u := f.user(t, f.dad.ID); u.Status != auth.StatusClosed || u.Name != "张伟" || u.Phone != dadPhone {
			t.Fatalf("erased before its time: %+v", u)
		}
		if ok, err := f.Erasure.Erase(ctx, f.dad.ID); ok || err != nil {
			t.Fatalf("erased by hand before its time: %v %v", ok, err)
		}
		f.Clock.Advance(time.Minute)
		f.runJobs(t)

		u := f.user(t, f.dad.ID)
		if u.Status != auth.StatusErased || u.Name != auth.ErasedName || u.Phone == dadPhone || u.PasswordHash != "" {
			t.Fatalf("after the erasure: %+v", u)
		}
		var ms []message.Message
		g.Where("author_id = ?", f.dad.ID).Order("id").Find(&ms)
		if len(ms) != 2 {
			t.Fatalf("the rows of the messages: %d", len(ms))
		}
		for _, m := range ms {
			if m.Body != message.ErasedBody || m.FileID != nil {
				t.Errorf("message %d after the erasure: %q file %v", m.ID, m.Body, m.FileID)
			}
		}
		if n := count(t, g.Model(&file.File{}).Where("uploaded_by = ?", f.dad.ID)); n != 0 {
			t.Errorf("%d of the parent's files are left", n)
		}
		if _, err := f.Store.Stat(ctx, mineFile.StorageKey); !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("the parent's own upload is still stored: %v", err)
		}
		if _, err := f.Store.Stat(ctx, sharedFile.StorageKey); err != nil {
			t.Errorf("the same file 王强 posted went too: %v", err)
		}
		if n := count(t, g.Model(&group.JoinRequest{}).Where("parent_id = ?", f.dad.ID)); n != 0 {
			t.Errorf("%d join requests left", n)
		}
		if n := count(t, g.Model(&school.Guardianship{}).Where("parent_id = ?", f.dad.ID)); n != 0 {
			t.Errorf("%d guardianships left", n)
		}
		if n := count(t, g.Model(&notify.Notification{}).Where("user_id = ?", f.dad.ID)); n != 0 {
			t.Errorf("%d notifications left", n)
		}
		// The feed keeps the thread: 已注销用户 and the placeholder.
		page, err := f.Messages.List(ctx, f.wang, f.c32.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		erased := 0
		for _, v := range page.Messages {
			if v.AuthorID == f.dad.ID {
				erased++
				if v.AuthorName != auth.ErasedName || v.AuthorCall != "" || v.Body != message.ErasedBody || v.File != nil {
					t.Errorf("the feed shows %+v", v)
				}
			}
		}
		if erased != 2 {
			t.Errorf("the feed shows %d of the erased parent's messages", erased)
		}
		// Receipts count the same, one line 已注销用户 without a phone.
		_, after, lines, err := f.Notices.Receipts(ctx, f.head, n.ID, notice.ReceiptsPage{})
		if err != nil || after != progress {
			t.Fatalf("receipts %+v, before %+v: %v", after, progress, err)
		}
		found := false
		for _, l := range lines {
			if l.UserID == f.dad.ID {
				found = l.Name == auth.ErasedName && l.Phone == "" && l.Students == "" && l.AckedAt != nil
			}
		}
		if !found {
			t.Errorf("receipt lines %+v", lines)
		}
		// The audit log keeps the events and the id, not the name or phone.
		var es []audit.Entry
		g.Where("actor_id = ? OR subject = ? OR detail LIKE ?", f.dad.ID, "user:"+itoa(f.dad.ID), "%parent:"+itoa(f.dad.ID)+"%").Find(&es)
		actions := map[string]bool{}
		for _, e := range es {
			actions[e.Action] = true
			if strings.Contains(e.Detail, "张伟") || strings.Contains(e.Detail, dadPhone) {
				t.Errorf("%s still names the parent: %q", e.Action, e.Detail)
			}
			if e.ActorID != nil && *e.ActorID == f.dad.ID && e.IP != "" {
				t.Errorf("%s keeps the parent's address %s", e.Action, e.IP)
			}
		}
		for _, a := range []string{"join.request", "join.reject", "user.close", "user.erased"} {
			if !actions[a] {
				t.Errorf("the audit log lost %s", a)
			}
		}
		assertAudit(t, g, "user.erased", f.dad.ID, nil, "messages=2 files=2 requests=")
		// Running again changes nothing.
		if ok, err := f.Erasure.Erase(ctx, f.dad.ID); ok || err != nil {
			t.Fatalf("erased twice: %v %v", ok, err)
		}
		// The phone registers afresh, as a new account.
		if err := f.Auth.SendRegisterCode(ctx, dadPhone, "10.0.0.9"); err != nil {
			t.Fatal(err)
		}
		f.runJobs(t)
		var code string
		for _, m := range f.Sent.Sent() {
			if m.Phone == dadPhone {
				code = sixDigits.FindString(m.Text)
			}
		}
		notice, err := f.Privacy.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		nu, _, err := f.Auth.Register(ctx, auth.RegisterInput{Phone: dadPhone, Name: "张伟", Password: "new-secret-1", Code: code,
			Consent: func(ctx context.Context, tx *gorm.DB, id uint64) error {
				return f.Privacy.Agree(ctx, tx, id, notice.Version)
			}})
		if err != nil || nu.ID == f.dad.ID {
			t.Fatalf("registering again: %+v %v", nu, err)
		}
	})
}

// flakyStore is a storage.Store that can be taken down.
type flakyStore struct {
	storage.Store
	down atomic.Bool
}

var errDown = errors.New("storage down")

func (s *flakyStore) Delete(ctx context.Context, key string) error {
	if s.down.Load() {
		return errDown
	}
	return s.Store.Delete(ctx, key)
}

func (s *flakyStore) Stat(ctx context.Context, key string) (storage.Object, error) {
	if s.down.Load() {
		return storage.Object{}, errDown
	}
	return s.Store.Stat(ctx, key)
}

// Storage down while the account is erased: the erasure commits, the
// deletion of its objects waits in a job that retries, and once storage is
// back the objects go; nothing is left behind.
func TestEraseWhileStorageDown(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		flaky := &flakyStore{Store: f.Store}
		f.UseStore(flaky)
		eraseWithStorageDown(t, f, func(down bool) { flaky.down.Store(down) })
	})
}

// The same on MinIO, stopped and started again.
func TestEraseWhileMinIODown(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	f := setup(t, g)
	m := apptest.StartMinIO(t)
	store, err := storage.NewMinIO(context.Background(), storage.MinIOOptions{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: "erasure"})
	if err != nil {
		t.Fatal(err)
	}
	f.UseStore(store)
	eraseWithStorageDown(t, f, func(down bool) {
		if down {
			m.Stop()
		} else {
			m.Start()
		}
	})
}

func eraseWithStorageDown(t *testing.T, f *fx, down func(bool)) {
	t.Helper()
	ctx := context.Background()
	m := f.post(t, f.dad, "成绩单", pdf(t, "成绩单.pdf", "张伟的"))
	var fl file.File
	f.DB.Where("id = ?", *m.FileID).Take(&fl)
	if _, err := f.Erasure.Close(ctx, f.dad, "secret-123", ""); err != nil {
		t.Fatal(err)
	}
	down(true)
	f.Clock.Advance(8 * 24 * time.Hour)
	jctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	_, _ = f.Worker().RunDue(jctx)
	cancel()
	if u := f.user(t, f.dad.ID); u.Status != auth.StatusErased {
		t.Fatalf("storage down held back the erasure of the database: %s", u.Status)
	}
	var jobs []job.Job
	f.DB.Where("kind = ?", file.JobDeleteObjects).Find(&jobs)
	if len(jobs) != 1 || jobs[0].DoneAt != nil || jobs[0].FailedAt != nil || jobs[0].LastError == nil {
		t.Fatalf("the deletion job while storage is down: %+v", jobs)
	}
	down(false)
	if _, err := f.Store.Stat(ctx, fl.StorageKey); err != nil {
		t.Fatalf("the object went while storage was down? %v", err)
	}
	f.Clock.Advance(time.Hour) // past the retry's backoff
	f.runJobs(t)
	if _, err := f.Store.Stat(ctx, fl.StorageKey); !errors.Is(err, storage.ErrNotExist) {
		t.Fatalf("the object is left after storage came back: %v", err)
	}
	f.DB.Where("kind = ?", file.JobDeleteObjects).Find(&jobs)
	if len(jobs) != 1 || jobs[0].DoneAt == nil {
		t.Fatalf("the deletion job after storage came back: %+v", jobs)
	}
}

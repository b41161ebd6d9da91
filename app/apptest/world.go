package apptest

import (
	"context"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/archive"
	"jiaxiao/app/attendance"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/job"
	"jiaxiao/app/message"
	"jiaxiao/app/notice"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
	"jiaxiao/app/setting"
	"jiaxiao/app/wordlist"
	"jiaxiao/storage"
)

// World is a school's services wired on one database with a fake clock,
// the way cmd/jiaxiao wires them, for tests of rules that span domains.
type World struct {
	T          testing.TB
	DB         *gorm.DB
	Clock      *Clock
	Auth       *auth.Service
	Settings   *setting.Service
	Groups     *group.Service
	School     *school.Service
	Words      *wordlist.Service
	Files      *file.Service
	Messages   *message.Service
	Archive    *archive.Service
	Notices    *notice.Service
	Attendance *attendance.Service
	Store      storage.Store
	Sent       *Outbox
}

// Outbox is a Sender that keeps what it was given.
type Outbox struct {
	mu       sync.Mutex
	Messages []notify.Message
}

// Send implements notify.Sender.
func (o *Outbox) Send(_ context.Context, m notify.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.Messages = append(o.Messages, m)
	return nil
}

// Sent returns a copy of what was sent so far.
func (o *Outbox) Sent() []notify.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]notify.Message(nil), o.Messages...)
}

// NewWorld wires the services on g with a fake clock at 2026-11-02 08:00
// (a Monday) in Shanghai.
func NewWorld(t testing.TB, g *gorm.DB) *World {
	return newWorld(t, g, NewClock(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)))
}

// NewLiveWorld wires the services on g with the real clock, for benchmarks.
func NewLiveWorld(t testing.TB, g *gorm.DB) *World {
	return newWorld(t, g, nil)
}

func newWorld(t testing.TB, g *gorm.DB, clock *Clock) *World {
	w := &World{T: t, DB: g, Clock: clock, Sent: &Outbox{}}
	now := time.Now
	if clock != nil {
		now = clock.Now
	}
	w.Auth = auth.NewService(auth.Options{DB: g, Now: now, Log: Logger()})
	w.Settings = setting.NewService(g, now)
	w.Groups = group.NewService(group.Options{DB: g, Now: now, Settings: w.Settings, Log: Logger()})
	w.School = school.NewService(school.Options{DB: g, Now: now, Groups: w.Groups, Accounts: w.Auth, Log: Logger()})
	w.Words = wordlist.NewService(g, w.Groups, now)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	w.Attendance = attendance.NewService(attendance.Options{DB: g, Now: now, Location: sh, Settings: w.Settings, Log: Logger()})
	store, err := storage.NewFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w.wireStore(store, now)
	return w
}

// UseStore makes the file, archive and notice services use store (a MinIO
// server of the test's own, say).
func (w *World) UseStore(store storage.Store) {
	now := time.Now
	if w.Clock != nil {
		now = w.Clock.Now
	}
	w.wireStore(store, now)
}

// wireStore (re)builds the services that touch object storage. It updates
// them in place, so a web app already built on the world follows.
func (w *World) wireStore(store storage.Store, now func() time.Time) {
	w.Store = store
	files := file.NewService(w.DB, store, now)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	if w.Files == nil {
		w.Files, w.Messages, w.Archive, w.Notices = new(file.Service), new(message.Service), new(archive.Service), new(notice.Service)
	}
	*w.Files = *files
	*w.Messages = *message.NewService(message.Options{DB: w.DB, Now: now, Groups: w.Groups, Filters: w.Words, Files: w.Files, Log: Logger()})
	*w.Archive = *archive.NewService(archive.Options{DB: w.DB, Now: now, Store: store, Files: w.Files, Groups: w.Groups, Log: Logger()})
	*w.Notices = *notice.NewService(notice.Options{DB: w.DB, Now: now, Location: sh, Groups: w.Groups, Filters: w.Words, Files: w.Files,
		Settings: w.Settings, Log: Logger()})
}

// Worker returns a job worker with every handler of the app, on the world's clock.
func (w *World) Worker() *job.Worker {
	now := time.Now
	if w.Clock != nil {
		now = w.Clock.Now
	}
	return job.NewWorker(job.WorkerOptions{DB: w.DB, Now: now, Log: Logger(), Handlers: map[string]job.Handler{
		archive.JobKind:      w.Archive.WriteBundle,
		notice.JobPublish:    w.Notices.PublishDue,
		notice.JobDing:       w.Notices.AutoDing,
		notice.JobRemind:     w.Notices.RemindLater,
		attendance.JobRemind: w.Attendance.Remind,
		notify.JobSend:       notify.Outbox{Sender: w.Sent}.Deliver,
	}})
}

// User creates an active account with password "secret-123".
func (w *World) User(role auth.Role, name, phone string) *auth.User {
	w.T.Helper()
	u, err := w.Auth.CreateUser(context.Background(), auth.NewUser{Phone: phone, Name: name, Role: role, Password: "secret-123"})
	if err != nil {
		w.T.Fatalf("user %s: %v", phone, err)
	}
	return &u
}

// Students imports a student roster given as CSV text.
func (w *World) Students(csv string, o school.ImportOptions) school.ImportResult {
	w.T.Helper()
	res, err := w.School.Import(context.Background(), auth.System, "roster.csv", []byte(csv), o)
	if err != nil {
		w.T.Fatalf("import students: %v", err)
	}
	return res
}

// Staff imports a staff roster given as CSV text and activates every new
// account with password "secret-123".
func (w *World) Staff(csv string) school.StaffImportResult {
	w.T.Helper()
	ctx := context.Background()
	res, err := w.School.ImportStaff(ctx, auth.System, "staff.csv", []byte(csv), false)
	if err != nil {
		w.T.Fatalf("import staff: %v", err)
	}
	for _, c := range res.Codes {
		if _, _, err := w.Auth.Activate(ctx, auth.ActivateInput{Phone: c.Phone, Code: c.Code, Password: "secret-123"}); err != nil {
			w.T.Fatalf("activate %s: %v", c.Phone, err)
		}
	}
	return res
}

// ByPhone returns the account with the phone.
func (w *World) ByPhone(phone string) *auth.User {
	w.T.Helper()
	var u auth.User
	if err := w.DB.Where("phone = ?", phone).Take(&u).Error; err != nil {
		w.T.Fatalf("user %s: %v", phone, err)
	}
	return &u
}

// ClassGroup returns the class group of a grade and class number.
func (w *World) ClassGroup(grade, number int) group.Group {
	w.T.Helper()
	var g group.Group
	err := w.DB.Table("`groups`").Joins("JOIN classes ON classes.id = `groups`.class_id").
		Where("classes.grade = ? AND classes.number = ?", grade, number).Select("`groups`.*").Take(&g).Error
	if err != nil {
		w.T.Fatalf("class group %d-%d: %v", grade, number, err)
	}
	return g
}

// KindGroup returns the staff or school group.
func (w *World) KindGroup(kind group.Kind) group.Group {
	w.T.Helper()
	var g group.Group
	if err := w.DB.Where("kind = ?", kind).Take(&g).Error; err != nil {
		w.T.Fatalf("%s group: %v", kind, err)
	}
	return g
}

// IsMember reports whether the user is in the group, and with which role.
func (w *World) IsMember(groupID, userID uint64) (bool, group.Role) {
	w.T.Helper()
	var m group.Member
	err := w.DB.Where("group_id = ? AND user_id = ?", groupID, userID).Take(&m).Error
	if err == gorm.ErrRecordNotFound {
		return false, ""
	}
	if err != nil {
		w.T.Fatal(err)
	}
	return true, m.Role
}

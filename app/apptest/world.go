package apptest

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/app/group"
	"jiaxiao/app/job"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
	"jiaxiao/app/services"
	"jiaxiao/storage"
)

// World is a school's services wired on one database with a fake clock,
// the way cmd/jiaxiao wires them (app/services), for tests of rules that
// span domains.
type World struct {
	T     testing.TB
	Clock *Clock
	*services.Services
	Sent *Outbox
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

// FastHashing is the password hashing of test worlds: the same argon2id
// code at a small fraction of the cost, since tests create and log in
// hundreds of accounts. The tests of the hashing budgets build their own
// auth service at auth.DefaultCost.
var FastHashing = auth.Cost{Time: 1, MemoryKiB: 64, Threads: 1}

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
	var now func() time.Time
	if clock != nil {
		now = clock.Now
	}
	store, err := storage.NewFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	svc := services.New(services.Options{DB: g, Store: store, Now: now, Location: sh, Log: Logger(), PasswordCost: FastHashing})
	return &World{T: t, Clock: clock, Services: svc, Sent: &Outbox{}}
}

// Worker returns a job worker with every handler of the app, the
// outbox's included, on the world's clock.
func (w *World) Worker() *job.Worker {
	var now func() time.Time
	if w.Clock != nil {
		now = w.Clock.Now
	}
	handlers := w.Jobs()
	maps.Copy(handlers, services.Outbox(w.Sent))
	return job.NewWorker(job.WorkerOptions{DB: w.DB, Now: now, Log: Logger(), Handlers: handlers})
}

// User creates an active account with password "secret-123". A parent
// has agreed to the privacy notice in force, as registering does.
func (w *World) User(role auth.Role, name, phone string) *auth.User {
	w.T.Helper()
	ctx := context.Background()
	u, err := w.Auth.CreateUser(ctx, auth.NewUser{Phone: phone, Name: name, Role: role, Password: "secret-123"})
	if err != nil {
		w.T.Fatalf("user %s: %v", phone, err)
	}
	if role == auth.RoleParent {
		if err := w.Privacy.AgreeAll(ctx, []uint64{u.ID}); err != nil {
			w.T.Fatalf("user %s: consent: %v", phone, err)
		}
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

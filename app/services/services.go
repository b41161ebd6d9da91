// Package services wires the domain services together the one way the
// command line, the server, the load generator and the tests all use, and
// builds what a serving process runs in the background: the hub that reads
// live events, the job worker and the outbox worker.
package services

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"jiaxiao/app/archive"
	"jiaxiao/app/attendance"
	"jiaxiao/app/auth"
	"jiaxiao/app/erasure"
	"jiaxiao/app/event"
	"jiaxiao/app/export"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/homework"
	"jiaxiao/app/job"
	"jiaxiao/app/message"
	"jiaxiao/app/notice"
	"jiaxiao/app/notify"
	"jiaxiao/app/privacy"
	"jiaxiao/app/school"
	"jiaxiao/app/setting"
	"jiaxiao/app/studentleave"
	"jiaxiao/app/wordlist"
	"jiaxiao/storage"
)

// Options configure New.
type Options struct {
	DB *gorm.DB
	// Store is object storage; nil for commands that touch no files.
	Store storage.Store
	// Now is the clock (nil: time.Now); tests give a fake one.
	Now func() time.Time
	// Location is the school's time zone (nil: Asia/Shanghai).
	Location *time.Location
	Log      *slog.Logger
	// PasswordCost is what hashing a password costs (zero: auth.DefaultCost).
	PasswordCost auth.Cost
}

// Services are the school's domain services on one database.
type Services struct {
	DB         *gorm.DB
	Store      storage.Store
	Auth       *auth.Service
	Settings   *setting.Service
	Groups     *group.Service
	School     *school.Service
	Words      *wordlist.Service
	Files      *file.Service
	Messages   *message.Service
	Archive    *archive.Service
	Notices    *notice.Service
	Homework   *homework.Service
	Attendance *attendance.Service
	Centre     *notify.Centre
	Export     *export.Service
	Erasure    *erasure.Service
	Privacy    *privacy.Service
	Leave      *studentleave.Service

	o Options
}

// New wires the services.
func New(o Options) *Services {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Location == nil {
		o.Location, _ = time.LoadLocation("Asia/Shanghai")
	}
	// A nil clock stays nil below: each service then reads the real time.
	s := &Services{DB: o.DB, o: o}
	s.Auth = auth.NewService(auth.Options{DB: o.DB, Now: o.Now, Log: o.Log, Cost: o.PasswordCost})
	s.Settings = setting.NewService(o.DB, o.Now)
	s.Groups = group.NewService(group.Options{DB: o.DB, Now: o.Now, Settings: s.Settings, Log: o.Log})
	// The school service changes accounts through the auth service the
	// pages use, so its cache of sessions follows.
	s.School = school.NewService(school.Options{DB: o.DB, Now: o.Now, Groups: s.Groups, Accounts: s.Auth, Log: o.Log})
	s.Words = wordlist.NewService(o.DB, s.Groups, o.Now)
	s.Attendance = attendance.NewService(attendance.Options{DB: o.DB, Now: o.Now, Location: o.Location, Settings: s.Settings, Log: o.Log})
	s.Centre = notify.NewCentre(o.DB, o.Now)
	s.Privacy = privacy.NewService(privacy.Options{DB: o.DB, Now: o.Now, Location: o.Location, Settings: s.Settings, Log: o.Log})
	s.UseStore(o.Store)
	// Files is updated in place by UseStore, so doctor's notes follow a new store.
	s.Leave = studentleave.NewService(studentleave.Options{DB: o.DB, Now: o.Now, Location: o.Location, Calendars: s.Settings, Files: s.Files})
	// Files is updated in place by UseStore, so exports follow a new store.
	s.Export = export.NewService(export.Options{DB: o.DB, Files: s.Files, Now: o.Now, Location: o.Location, Log: o.Log})
	// The consent record and who was shown one's data go in one's export.
	s.Export.AddPart(export.Part{Key: "privacy", Read: s.Privacy.ForExport})
	// Homework handed in, set and marked; the leave asked for.
	s.Export.AddPart(export.Part{Key: "homework", Read: s.Homework.ForExport})
	s.Export.AddPart(export.Part{Key: "student_leave", Read: s.Leave.ForExport})
	s.Erasure = s.ErasureFor(s.Auth)
	return s
}

// ErasureFor is the erasure service closing accounts through accounts
// (the auth service whose cached sessions must follow: the pages').
func (s *Services) ErasureFor(accounts *auth.Service) *erasure.Service {
	o := s.o
	e := erasure.NewService(erasure.Options{DB: o.DB, Now: o.Now, Location: o.Location, Accounts: accounts, Groups: s.Groups,
		Messages: s.Messages, Settings: s.Settings, Log: o.Log})
	// The access-log rows about the person go with the rest.
	e.AddPart(privacy.Erase)
	// Submissions and leave requests keep the school's record, not the
	// family's words and files.
	e.AddPart(homework.Erase)
	e.AddPart(studentleave.Erase)
	return e
}

// UseStore (re)builds the services that touch object storage on store. It
// updates them in place, so a web app already built on them follows (a
// test that moves to a MinIO server of its own, say).
func (s *Services) UseStore(store storage.Store) {
	s.Store = store
	if s.Files == nil {
		s.Files, s.Messages, s.Archive, s.Notices = new(file.Service), new(message.Service), new(archive.Service), new(notice.Service)
		s.Homework = new(homework.Service)
	}
	o := s.o
	*s.Files = *file.NewService(o.DB, store, o.Now)
	*s.Messages = *message.NewService(message.Options{DB: o.DB, Now: o.Now, Groups: s.Groups, Filters: s.Words, Files: s.Files, Log: o.Log})
	*s.Archive = *archive.NewService(archive.Options{DB: o.DB, Now: o.Now, Store: store, Files: s.Files, Groups: s.Groups, Log: o.Log})
	*s.Notices = *s.NoticesAt(o.Now)
	*s.Homework = *homework.NewService(homework.Options{DB: o.DB, Now: o.Now, Location: o.Location, Filters: s.Words, Files: s.Files, Log: o.Log})
}

// NoticesAt is the notice service on another clock (the demo school's
// older notices).
func (s *Services) NoticesAt(now func() time.Time) *notice.Service {
	o := s.o
	return notice.NewService(notice.Options{DB: o.DB, Now: now, Location: o.Location, Groups: s.Groups, Filters: s.Words, Files: s.Files,
		Settings: s.Settings, Log: o.Log})
}

// Location is the school's time zone.
func (s *Services) Location() *time.Location { return s.o.Location }

// Log is the services' logger.
func (s *Services) Log() *slog.Logger { return s.o.Log }

// Jobs are the background job handlers, but for the outbox's.
func (s *Services) Jobs() map[string]job.Handler {
	return map[string]job.Handler{
		archive.JobKind:       s.Archive.WriteBundle,
		notice.JobPublish:     s.Notices.PublishDue,
		notice.JobDing:        s.Notices.AutoDing,
		notice.JobRemind:      s.Notices.RemindLater,
		attendance.JobRemind:  s.Attendance.Remind,
		file.JobDeleteObjects: s.Files.DeleteObjects,
		erasure.JobErase:      s.Erasure.EraseJob,
		erasure.JobRetention:  s.Erasure.RetentionJob,
	}
}

// Outbox is the handler of queued outbound messages (SMS codes, DING),
// run by a worker of its own so that a slow gateway holds back no other
// job.
func Outbox(sender notify.Sender) map[string]job.Handler {
	return map[string]job.Handler{notify.JobSend: notify.Outbox{Sender: sender}.Deliver}
}

// BackgroundOptions configure Background.
type BackgroundOptions struct {
	Sender notify.Sender
	// Broker wakes the other instances' hubs (nil: they poll).
	Broker  event.Broker
	Metrics prometheus.Registerer
	// Poll is how often the hub and the workers look without being woken
	// (0: their defaults); tests shorten it.
	Poll time.Duration
	// WorkerNow is the workers' clock (nil: the services'): a test whose
	// accounts queue messages on the real clock while the rest of the
	// school runs on a fake one.
	WorkerNow func() time.Time
}

// Background is what a serving process runs besides its pages.
type Background struct {
	Hub          *event.Hub
	Worker       *job.Worker // the jobs of Jobs; it pokes the hub after each
	Outbox       *job.Worker
	Housekeeping Housekeeping
}

// Housekeeping sends, every minute, the reminders whose time has come
// (Remind), and deletes, every hour, expired sessions and codes, jobs done
// a week ago and live events older than an hour, and makes sure the
// nightly retention run is queued.
type Housekeeping struct{ s *Services }

// Run does its work now, then reminds every minute and cleans up every
// hour until ctx ends.
func (h Housekeeping) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	l := h.s.o.Log
	var cleaned time.Time
	for {
		// Reminders first: an hour's cleanup must not make the minute's
		// scan late.
		if err := h.s.Remind(ctx); err != nil && ctx.Err() == nil {
			l.Warn("housekeeping: reminders", "err", err)
		}
		if time.Since(cleaned) >= time.Hour {
			h.cleanup(ctx)
			cleaned = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (h Housekeeping) cleanup(ctx context.Context) {
	l := h.s.o.Log
	if err := h.s.Auth.Cleanup(ctx); err != nil && ctx.Err() == nil {
		l.Warn("housekeeping: auth", "err", err)
	}
	if _, err := job.Prune(ctx, h.s.DB, time.Now(), 7*24*time.Hour); err != nil && ctx.Err() == nil {
		l.Warn("housekeeping: jobs", "err", err)
	}
	if err := event.Prune(ctx, h.s.DB, time.Now()); err != nil && ctx.Err() == nil {
		l.Warn("housekeeping: events", "err", err)
	}
	if err := h.s.Erasure.Schedule(ctx); err != nil && ctx.Err() == nil {
		l.Warn("housekeeping: retention schedule", "err", err)
	}
}

// Remind sends the reminders whose time has come, under the settings of
// the moment: homework to families who have not handed in before the due
// time (never in quiet hours), and pending student leave to the head
// teacher after 30 working minutes. Each is sent once, however many
// instances run it; Housekeeping runs it every minute.
func (s *Services) Remind(ctx context.Context) error {
	rules, err := s.Settings.Get(ctx)
	if err != nil {
		return err
	}
	_, herr := s.Homework.RemindDue(ctx, rules)
	_, lerr := s.Leave.RemindDue(ctx, rules)
	return errors.Join(herr, lerr)
}

// Background builds the hub and the two workers.
func (s *Services) Background(o BackgroundOptions) *Background {
	l := s.o.Log
	wnow := s.o.Now
	if o.WorkerNow != nil {
		wnow = o.WorkerNow
	}
	hub := event.NewHub(event.HubOptions{DB: s.DB, Now: s.o.Now, Log: l, Broker: o.Broker, Metrics: o.Metrics, Poll: o.Poll})
	return &Background{
		Hub:    hub,
		Worker: job.NewWorker(job.WorkerOptions{DB: s.DB, Now: wnow, Handlers: s.Jobs(), Log: l, Metrics: o.Metrics, OnDone: hub.Poke, Poll: o.Poll}),
		Outbox: job.NewWorker(job.WorkerOptions{DB: s.DB, Now: wnow, Handlers: Outbox(o.Sender), Log: l, Concurrency: 8, Poll: o.Poll}),

		Housekeeping: Housekeeping{s},
	}
}

// Start runs each part (a hub, a worker) until ctx ends; the returned
// wait blocks until they have all stopped.
func Start(ctx context.Context, parts ...interface{ Run(context.Context) }) (wait func()) {
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Go(func() { p.Run(ctx) })
	}
	return wg.Wait
}

// Package export gives people a copy of their own data (GET /me/export):
// a zip holding data.json — the account, children and guardianships,
// groups, sessions, join requests, messages written, notices received with
// read and 收到 times, notifications, and for staff punches and leave and
// make-up requests — and the files they uploaded.
//
// Rules: a person exports only their own data, never another's (not the
// other messages of their groups, not other families' children). Rows
// are read through the packages that own them, outside any transaction;
// files are then streamed from storage and the zip is written as it goes,
// never held whole in memory. Each section holds at most MaxRows rows
// (messages are read a page at a time), the files at most MaxFiles and
// MaxFileBytes, and data.json says what was left out. A person runs one
// export at a time and MaxPerHour an hour (counted in the audit log, so
// across instances); an instance runs MaxConcurrent at once. Every export
// is recorded in the audit log (data.export) before its first byte.
package export

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/attendance"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/notice"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
)

// Budgets.
const (
	// MaxRows bounds each section of data.json; a section cut short keeps
	// the newest rows and is named in its limits.
	MaxRows = 10000
	// MaxFiles and MaxFileBytes bound the uploaded files packed into one
	// export, the newest first; the rest are listed without their content.
	MaxFiles     = 1000
	MaxFileBytes = 1 << 30
	// MaxPerHour is how many exports a person may start in an hour.
	MaxPerHour = 3
	// MaxConcurrent is how many exports one instance streams at once.
	MaxConcurrent = 2
	// pageSize is how many messages are read at a time.
	pageSize = 500
)

// Action is the audit log's action for an export.
const Action = "data.export"

// Refusals (429).
var (
	ErrRunning = apperr.New(apperr.ErrTooMany, "您的数据正在导出，请等这次下载完成后再试。")
	ErrBusy    = apperr.New(apperr.ErrTooMany, "正在导出数据的人较多，请过几分钟再试。")
)

// tooOften refuses an export past MaxPerHour, saying when the next may start.
func tooOften(next time.Time) error {
	return apperr.New(apperr.ErrTooMany, fmt.Sprintf("导出太频繁：每小时最多导出 %d 次，请在 %s 之后再试。", MaxPerHour, next.Format("15:04")))
}

// Part is a section of data.json that another part of the school keeps
// (the consent record, say): Key names it and Read gives its value for
// one person, anything encoding/json can write. Parts are read with the
// rest, before the first byte is sent.
type Part struct {
	Key  string
	Read func(ctx context.Context, userID uint64) (any, error)
}

// Filed is a part's value that names uploaded files (a homework photo, a
// doctor's note): before it is written, Place is told where each file went
// in the zip (path), or why it is not there (note).
type Filed interface {
	Place(where func(fileID uint64) (path, note string))
}

// File is an uploaded file a part's row names: Path is where it is in the
// zip, or Note says why it is not there (both set by Place).
type File struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
	Path string `json:"path,omitempty"`
	Note string `json:"note,omitempty"`
}

// Place sets where f went in the zip; a nil f is none.
func (f *File) Place(where func(fileID uint64) (path, note string)) {
	if f != nil {
		f.Path, f.Note = where(f.ID)
	}
}

// Service makes exports.
type Service struct {
	db    *gorm.DB
	files *file.Service
	now   func() time.Time
	loc   *time.Location
	log   *slog.Logger
	parts []Part

	mu      sync.Mutex
	running map[uint64]bool
	slots   chan struct{}
}

// Options configure NewService.
type Options struct {
	DB *gorm.DB
	// Files streams the uploaded files; a pointer the services update in
	// place when they move to another store.
	Files    *file.Service
	Now      func() time.Time
	Location *time.Location
	Log      *slog.Logger
	// Parts are the sections other packages add to data.json.
	Parts []Part
}

// NewService returns the export service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{db: o.DB, files: o.Files, now: func() time.Time { return o.Now().UTC() }, loc: o.Location, log: o.Log,
		parts: o.Parts, running: map[uint64]bool{}, slots: make(chan struct{}, MaxConcurrent)}
}

// AddPart adds a section to every later export's data.json.
func (s *Service) AddPart(p Part) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.parts = append(s.parts, p)
}

// Export is one person's export, its rows read, ready to be written. The
// caller writes it (Write) and then closes it (Close), which frees the
// person's turn.
type Export struct {
	s       *Service
	actor   auth.User
	at      time.Time
	data    data
	release func()
}

// Begin starts an export of actor's data: it checks the budgets, reads
// every section but the messages (read a page at a time as they are
// written), and records the export in the audit log. ip is where the
// request came from, for the log.
func (s *Service) Begin(ctx context.Context, actor *auth.User, ip string) (*Export, error) {
	if actor == nil {
		return nil, apperr.ErrUnauthenticated
	}
	release, err := s.take(actor.ID)
	if err != nil {
		return nil, err
	}
	e, err := s.begin(ctx, actor, ip)
	if err != nil {
		release()
		return nil, err
	}
	e.release = release
	return e, nil
}

// take claims the person's turn and one of the instance's slots.
func (s *Service) take(userID uint64) (func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[userID] {
		return nil, ErrRunning
	}
	select {
	case s.slots <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	s.running[userID] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.running, userID)
			s.mu.Unlock()
			<-s.slots
		})
	}, nil
}

func (s *Service) begin(ctx context.Context, actor *auth.User, ip string) (*Export, error) {
	now := s.now()
	recent, err := audit.Recent(ctx, s.db, actor.ID, Action, now.Add(-time.Hour), MaxPerHour+1)
	if err != nil {
		return nil, err
	}
	if len(recent) >= MaxPerHour {
		return nil, tooOften(recent[len(recent)-MaxPerHour].Add(time.Hour).In(s.loc))
	}
	// The account as it is now, not as the session cached it.
	u, err := auth.UserIn(ctx, s.db, actor.ID)
	if err != nil {
		return nil, fmt.Errorf("export: account: %w", err)
	}
	d, err := s.read(ctx, u, now)
	if err != nil {
		return nil, err
	}
	err = audit.Record(ctx, s.db, audit.Entry{ActorID: &u.ID, Action: Action, Subject: fmt.Sprintf("user:%d", u.ID),
		Detail: fmt.Sprintf("files=%d", len(d.files)), IP: ip, CreatedAt: now})
	if err != nil {
		return nil, err
	}
	return &Export{s: s, actor: u, at: now, data: d}, nil
}

// FileName is the zip's name as the browser saves it: 我的数据-张伟-2026-11-02.zip.
func (e *Export) FileName() string {
	return "我的数据-" + e.actor.Name + "-" + e.at.In(e.s.loc).Format("2006-01-02") + ".zip"
}

// Close frees the person's turn; it may be called more than once.
func (e *Export) Close() {
	if e.release != nil {
		e.release()
	}
}

// data is what Begin read.
type data struct {
	account       auth.User
	sessions      []auth.ActiveSession
	children      []school.Child
	guardianships []school.GuardianshipLine
	groups        []group.MembershipLine
	requests      []group.JoinRequest
	notices       []notice.ReceivedLine
	notifications []notify.Notification
	punches       []attendance.Punch
	approvals     []attendance.Approval
	files         []file.File
	// names the requests and messages need: groups and students by id.
	groupNames   map[uint64]string
	studentNames map[uint64]string
	fileNames    map[uint64]string
	parts        []partValue
	cut          []string // the sections MaxRows cut short
	filesCut     bool     // more than MaxFiles files
}

type partValue struct {
	key   string
	value any
}

// read reads every section of u's data but the messages.
func (s *Service) read(ctx context.Context, u auth.User, now time.Time) (data, error) {
	d := data{account: u}
	var err error
	// cut reads a section of at most MaxRows, noting when there were more.
	cut := func(name string, n int) {
		if n > MaxRows {
			d.cut = append(d.cut, name)
		}
	}
	if d.sessions, _, err = auth.SessionsOf(ctx, s.db, u.ID, "", now, MaxRows); err != nil {
		return d, err
	}
	if d.children, err = school.ChildrenOf(ctx, s.db, school.ChildFilter{Parents: []uint64{u.ID}}); err != nil {
		return d, err
	}
	if d.guardianships, err = school.GuardianshipsOf(ctx, s.db, u.ID, MaxRows+1); err != nil {
		return d, err
	}
	cut("guardianships", len(d.guardianships))
	d.guardianships = first(d.guardianships, MaxRows)
	if d.groups, err = group.MembershipsOf(ctx, s.db, u.ID); err != nil {
		return d, err
	}
	if d.requests, err = group.RequestsBy(ctx, s.db, u.ID, MaxRows+1); err != nil {
		return d, err
	}
	cut("join_requests", len(d.requests))
	d.requests = first(d.requests, MaxRows)
	if d.notices, err = notice.ReceivedBy(ctx, s.db, u.ID, MaxRows+1); err != nil {
		return d, err
	}
	cut("notices", len(d.notices))
	d.notices = first(d.notices, MaxRows)
	if d.notifications, err = notify.Of(ctx, s.db, u.ID, MaxRows+1); err != nil {
		return d, err
	}
	cut("notifications", len(d.notifications))
	d.notifications = first(d.notifications, MaxRows)
	if u.Role.Staff() {
		if d.punches, err = attendance.PunchesOf(ctx, s.db, u.ID, MaxRows+1); err != nil {
			return d, err
		}
		cut("punches", len(d.punches))
		d.punches = first(d.punches, MaxRows)
		if d.approvals, err = attendance.RequestsOf(ctx, s.db, u.ID, MaxRows+1); err != nil {
			return d, err
		}
		cut("leave_and_makeup_requests", len(d.approvals))
		d.approvals = first(d.approvals, MaxRows)
	}
	if d.files, err = file.UploadedBy(ctx, s.db, u.ID, MaxFiles+1); err != nil {
		return d, err
	}
	d.filesCut = len(d.files) > MaxFiles
	d.files = first(d.files, MaxFiles)
	d.fileNames = make(map[uint64]string, len(d.files))
	for _, f := range d.files {
		d.fileNames[f.ID] = f.Name
	}

	d.groupNames = map[uint64]string{}
	for _, g := range d.groups {
		d.groupNames[g.GroupID] = g.Name
	}
	var studentIDs []uint64
	var groupIDs []uint64
	for _, r := range d.requests {
		studentIDs = append(studentIDs, r.StudentID)
		if _, ok := d.groupNames[r.GroupID]; !ok {
			groupIDs = append(groupIDs, r.GroupID)
		}
	}
	if err := s.nameGroups(ctx, d.groupNames, groupIDs); err != nil {
		return d, err
	}
	if d.studentNames, err = school.StudentNames(ctx, s.db, studentIDs); err != nil {
		return d, err
	}
	s.mu.Lock()
	parts := append([]Part(nil), s.parts...)
	s.mu.Unlock()
	for _, p := range parts {
		v, err := p.Read(ctx, u.ID)
		if err != nil {
			return d, fmt.Errorf("export: %s: %w", p.Key, err)
		}
		d.parts = append(d.parts, partValue{key: p.Key, value: v})
	}
	return d, nil
}

// nameGroups adds the names of the groups ids to names.
func (s *Service) nameGroups(ctx context.Context, names map[uint64]string, ids []uint64) error {
	if len(ids) == 0 {
		return nil
	}
	gs, err := group.ByIDs(ctx, s.db, ids)
	if err != nil {
		return err
	}
	for _, g := range gs {
		names[g.ID] = g.Name
	}
	return nil
}

func first[T any](xs []T, n int) []T {
	if len(xs) > n {
		return xs[:n]
	}
	return xs
}

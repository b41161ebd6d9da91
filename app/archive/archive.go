// Package archive keeps every published notice, every assignment of
// homework (作业) and every filed document (文件, 报表) as an immutable
// bundle in object storage: notices/{yyyy}/{mm}/{notice-id}/notice.json
// (homework/{yyyy}/{mm}/{homework-id}/homework.json for homework, with its
// subject and due time; documents/… for a document) listing the
// attachments with their SHA-256, the attachments
// themselves content-addressed under files/{sha256}/{name}. Bundles are
// written by a background job that retries until storage takes them, so an
// outage delays archiving but loses nothing; until then the entry shows
// 归档中. Search covers title and body by keyword, category, group and date,
// and shows each user only entries of their own groups (admins see all);
// homework is in the class groups of its classes. Families' submissions
// are never archived.
package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/job"
	"jiaxiao/storage"
)

// Kinds of entry.
const (
	KindNotice   = "notice"
	KindDocument = "document"
	KindHomework = "homework"
)

// HomeworkCategory is the category of archived homework.
const HomeworkCategory = "作业"

// Categories of standalone documents.
var DocumentCategories = []string{"文件", "报表"}

// JobKind is the background job that writes a bundle.
const JobKind = "archive.bundle"

// Entry is one archived notice, assignment or document.
type Entry struct {
	ID         uint64
	Kind       string
	NoticeID   *uint64
	HomeworkID *uint64
	Title      string
	Body       string
	Category   string
	// Subject and DueAt are an assignment's.
	Subject    string
	DueAt      *time.Time
	CreatedBy  uint64
	CreatedAt  time.Time
	BundleKey  string
	ArchivedAt *time.Time
}

// TableName implements gorm's Tabler.
func (Entry) TableName() string { return "archive_entries" }

type entryGroup struct {
	EntryID uint64 `gorm:"primaryKey;autoIncrement:false"`
	GroupID uint64 `gorm:"primaryKey;autoIncrement:false"`
}

func (entryGroup) TableName() string { return "archive_groups" }

type entryFile struct {
	EntryID uint64 `gorm:"primaryKey;autoIncrement:false"`
	FileID  uint64 `gorm:"primaryKey;autoIncrement:false"`
}

func (entryFile) TableName() string { return "archive_files" }

// Service is the archive's API.
type Service struct {
	db     *gorm.DB
	now    func() time.Time
	store  storage.Store
	files  *file.Service
	groups *group.Service
	log    *slog.Logger
}

// Options configure NewService.
type Options struct {
	DB     *gorm.DB
	Now    func() time.Time
	Store  storage.Store
	Files  *file.Service
	Groups *group.Service
	Log    *slog.Logger
}

// NewService returns the archive service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, store: o.Store, files: o.Files, groups: o.Groups, log: o.Log}
}

// Record creates an entry inside tx (the transaction that publishes the
// notice or files the document) and queues the job that writes its bundle.
func Record(ctx context.Context, tx *gorm.DB, now time.Time, e Entry, groupIDs, fileIDs []uint64) (Entry, error) {
	e.ID, e.CreatedAt = 0, now.UTC()
	if err := tx.WithContext(ctx).Create(&e).Error; err != nil {
		return e, fmt.Errorf("archive: record: %w", err)
	}
	for _, g := range groupIDs {
		if err := tx.Create(&entryGroup{EntryID: e.ID, GroupID: g}).Error; err != nil {
			return e, err
		}
	}
	for _, f := range fileIDs {
		if err := tx.Create(&entryFile{EntryID: e.ID, FileID: f}).Error; err != nil {
			return e, err
		}
	}
	// Storage may be down for long: retry for days rather than give up.
	_, err := job.Enqueue(ctx, tx, now, JobKind, map[string]uint64{"entry_id": e.ID}, job.Options{MaxAttempts: 1000})
	return e, err
}

// Homework is an assignment as the archive keeps it.
type Homework struct {
	ID       uint64
	Title    string
	Subject  string
	Body     string
	DueAt    time.Time
	AuthorID uint64
}

// RecordHomework archives an assignment inside tx (the transaction that
// sets it): its files, and the class groups of classIDs as the groups that
// may see it. Submissions are the families' own and are not archived.
func RecordHomework(ctx context.Context, tx *gorm.DB, now time.Time, h Homework, classIDs, fileIDs []uint64) (Entry, error) {
	var groupIDs []uint64
	if len(classIDs) > 0 {
		groups, err := group.ByIDs(ctx, tx, group.OfClasses(tx, classIDs))
		if err != nil {
			return Entry{}, fmt.Errorf("archive: homework %d: %w", h.ID, err)
		}
		for _, g := range groups {
			groupIDs = append(groupIDs, g.ID)
		}
	}
	id, due := h.ID, h.DueAt.UTC()
	return Record(ctx, tx, now, Entry{Kind: KindHomework, HomeworkID: &id, Title: h.Title, Body: h.Body, Category: HomeworkCategory,
		Subject: h.Subject, DueAt: &due, CreatedBy: h.AuthorID}, groupIDs, fileIDs)
}

// Bundle is the JSON document stored for an entry.
type Bundle struct {
	ID          uint64       `json:"id"`
	Kind        string       `json:"kind"`
	NoticeID    *uint64      `json:"notice_id,omitempty"`
	HomeworkID  *uint64      `json:"homework_id,omitempty"`
	Title       string       `json:"title"`
	Body        string       `json:"body"`
	Category    string       `json:"category"`
	Subject     string       `json:"subject,omitempty"`
	DueAt       *time.Time   `json:"due_at,omitempty"`
	Author      string       `json:"author"`
	Groups      []string     `json:"groups"`
	CreatedAt   time.Time    `json:"created_at"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment is one file of a bundle.
type Attachment struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Key    string `json:"key"`
}

// WriteBundle is the job handler: it moves staged attachments into
// storage, writes the bundle, and marks the entry archived. An error (such
// as storage being down) makes the job retry.
func (s *Service) WriteBundle(ctx context.Context, j job.Job) error {
	var p struct {
		EntryID uint64 `json:"entry_id"`
	}
	if err := j.Decode(&p); err != nil {
		return job.Permanent(err)
	}
	var e Entry
	if err := s.db.WithContext(ctx).Where("id = ?", p.EntryID).Take(&e).Error; err != nil {
		return job.Permanent(err)
	}
	if e.ArchivedAt != nil {
		return nil
	}
	files, err := s.entryFiles(ctx, e.ID)
	if err != nil {
		return err
	}
	b := Bundle{ID: e.ID, Kind: e.Kind, NoticeID: e.NoticeID, HomeworkID: e.HomeworkID, Title: e.Title, Body: e.Body, Category: e.Category,
		Subject: e.Subject, DueAt: e.DueAt, CreatedAt: e.CreatedAt}
	names, err := auth.Names(ctx, s.db, []uint64{e.CreatedBy})
	if err != nil {
		return err
	}
	b.Author = names[e.CreatedBy]
	groups, err := group.ByIDs(ctx, s.db, s.db.Model(&entryGroup{}).Select("group_id").Where("entry_id = ?", e.ID))
	if err != nil {
		return err
	}
	for _, g := range groups {
		b.Groups = append(b.Groups, g.Name)
	}
	for _, f := range files {
		if err := s.files.Commit(ctx, f); err != nil {
			return fmt.Errorf("archive: entry %d: %w", e.ID, err)
		}
		b.Attachments = append(b.Attachments, Attachment{Name: f.Name, Size: f.Size, SHA256: f.SHA256, Key: f.StorageKey})
	}
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return job.Permanent(err)
	}
	key := BundleKey(e)
	if _, err := s.store.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/json"); err != nil {
		return fmt.Errorf("archive: entry %d: %w", e.ID, err)
	}
	return s.db.WithContext(ctx).Model(&Entry{}).Where("id = ?", e.ID).Updates(map[string]any{"bundle_key": key, "archived_at": s.now()}).Error
}

// BundleKey is where an entry's bundle is stored.
func BundleKey(e Entry) string {
	t := e.CreatedAt.UTC()
	if e.Kind == KindNotice && e.NoticeID != nil {
		return fmt.Sprintf("notices/%04d/%02d/%d/notice.json", t.Year(), t.Month(), *e.NoticeID)
	}
	if e.Kind == KindHomework && e.HomeworkID != nil {
		return fmt.Sprintf("homework/%04d/%02d/%d/homework.json", t.Year(), t.Month(), *e.HomeworkID)
	}
	return fmt.Sprintf("documents/%04d/%02d/%d/entry.json", t.Year(), t.Month(), e.ID)
}

func (s *Service) entryFiles(ctx context.Context, entryID uint64) ([]file.File, error) {
	var ids []uint64
	if err := s.db.WithContext(ctx).Model(&entryFile{}).Where("entry_id = ?", entryID).Order("file_id").Pluck("file_id", &ids).Error; err != nil {
		return nil, err
	}
	return file.ByIDs(ctx, s.db, ids)
}

// CanFile says whether actor may file documents: staff may.
func CanFile(actor *auth.User) error {
	if actor == nil || !actor.Role.Staff() {
		return apperr.New(apperr.ErrForbidden, "只有教职工可以归档文件")
	}
	return nil
}

// FileDocument files a standalone document for a group; staff only, for a
// group they belong to (admins: any).
func (s *Service) FileDocument(ctx context.Context, actor *auth.User, title, category string, groupID uint64, p *file.Prepared) (Entry, error) {
	if err := CanFile(actor); err != nil {
		return Entry{}, err
	}
	v := &apperr.ValidationError{}
	title = strings.TrimSpace(title)
	if n := len([]rune(title)); n < 2 || n > 100 {
		v.Add("title", "请填写标题（2–100 字）")
	}
	if category != "文件" && category != "报表" {
		v.Add("category", "请选择类别：文件或报表")
	}
	if p == nil {
		v.Add("file", "请选择要归档的文件")
	}
	if groupID == 0 {
		v.Add("group_id", "请选择归档到哪个群")
	}
	if err := v.Err(); err != nil {
		return Entry{}, err
	}
	if _, err := s.groups.Access(ctx, actor, groupID); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return Entry{}, apperr.Invalid("group_id", "只能归档到自己所在的群")
		}
		return Entry{}, err
	}
	// A standalone upload goes straight to storage: while it is down the
	// upload is refused (503) and the form keeps its text.
	f, err := s.files.Save(ctx, actor.ID, *p)
	if err != nil {
		return Entry{}, err
	}
	var e Entry
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		e, err = Record(ctx, tx, s.now(), Entry{Kind: KindDocument, Title: title, Category: category, CreatedBy: actor.ID}, []uint64{groupID}, []uint64{f.ID})
		return err
	})
	return e, err
}

// Query is an archive search.
type Query struct {
	Q        string
	Category string
	GroupID  uint64
	From, To time.Time // inclusive dates in UTC; zero: open
	Page     int       // from 1
}

// PageSize is how many entries a page lists.
const PageSize = 20

// Hit is one search result.
type Hit struct {
	Entry
	Groups string
}

// Search lists the entries the actor may see that match q, newest first,
// and the total count.
func (s *Service) Search(ctx context.Context, actor *auth.User, q Query) ([]Hit, int64, error) {
	base := s.db.WithContext(ctx).Table("archive_entries")
	if actor.Role != auth.RoleAdmin {
		base = base.Where("archive_entries.id IN (SELECT ag.entry_id FROM archive_groups ag WHERE ag.group_id IN (?))", group.MemberOf(s.db, actor.ID))
	}
	if q.GroupID != 0 {
		base = base.Where("archive_entries.id IN (SELECT entry_id FROM archive_groups WHERE group_id = ?)", q.GroupID)
	}
	if q.Category != "" {
		base = base.Where("archive_entries.category = ?", q.Category)
	}
	if kw := strings.TrimSpace(q.Q); kw != "" {
		// '!' escapes LIKE wildcards the same way in MySQL and SQLite.
		like := "%" + strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(kw) + "%"
		base = base.Where("(archive_entries.title LIKE ? ESCAPE '!' OR archive_entries.body LIKE ? ESCAPE '!')", like, like)
	}
	if !q.From.IsZero() {
		base = base.Where("archive_entries.created_at >= ?", q.From)
	}
	if !q.To.IsZero() {
		base = base.Where("archive_entries.created_at < ?", q.To)
	}
	var total int64
	if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if q.Page < 1 {
		q.Page = 1
	}
	var hits []Hit
	err := base.Select("archive_entries.*").Order("archive_entries.created_at DESC, archive_entries.id DESC").
		Limit(PageSize).Offset((q.Page - 1) * PageSize).Scan(&hits).Error
	if err != nil {
		return nil, 0, err
	}
	ids := make([]uint64, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	names, err := s.groupNames(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range hits {
		hits[i].Groups = strings.Join(names[hits[i].ID], "、")
	}
	return hits, total, nil
}

// groupNames returns the names of the groups of each entry, in one query.
func (s *Service) groupNames(ctx context.Context, entryIDs []uint64) (map[uint64][]string, error) {
	out := map[uint64][]string{}
	if len(entryIDs) == 0 {
		return out, nil
	}
	var links []entryGroup
	if err := s.db.WithContext(ctx).Where("entry_id IN ?", entryIDs).Order("group_id").Find(&links).Error; err != nil {
		return nil, err
	}
	groups, err := group.ByIDs(ctx, s.db, s.db.Model(&entryGroup{}).Select("group_id").Where("entry_id IN ?", entryIDs))
	if err != nil {
		return nil, err
	}
	name := make(map[uint64]string, len(groups))
	for _, g := range groups {
		name[g.ID] = g.Name
	}
	for _, l := range links {
		out[l.EntryID] = append(out[l.EntryID], name[l.GroupID])
	}
	return out, nil
}

// Get returns an entry with its files if the actor may see it (ErrNotFound
// otherwise, whether or not it exists).
func (s *Service) Get(ctx context.Context, actor *auth.User, id uint64) (Hit, []file.File, error) {
	var e Entry
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&e).Error; err != nil {
		return Hit{}, nil, db.Translate(err)
	}
	ok, err := s.maySee(ctx, actor, id)
	if err != nil {
		return Hit{}, nil, err
	}
	if !ok {
		return Hit{}, nil, apperr.ErrNotFound
	}
	names, err := s.groupNames(ctx, []uint64{id})
	if err != nil {
		return Hit{}, nil, err
	}
	files, err := s.entryFiles(ctx, id)
	return Hit{Entry: e, Groups: strings.Join(names[id], "、")}, files, err
}

func (s *Service) maySee(ctx context.Context, actor *auth.User, entryID uint64) (bool, error) {
	if actor.Role == auth.RoleAdmin {
		return true, nil
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&entryGroup{}).Where("entry_id = ? AND group_id IN (?)", entryID, group.MemberOf(s.db, actor.ID)).Count(&n).Error
	return n > 0, err
}

// FileAccess reports whether the actor may download a file of an archive
// entry they may see.
func (s *Service) FileAccess(ctx context.Context, actor *auth.User, fileID uint64) (bool, error) {
	var entries []uint64
	if err := s.db.WithContext(ctx).Table("archive_files").Where("file_id = ?", fileID).Pluck("entry_id", &entries).Error; err != nil {
		return false, err
	}
	for _, id := range entries {
		ok, err := s.maySee(ctx, actor, id)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// StatusOfNotice reports whether a notice's bundle has landed.
func (s *Service) StatusOfNotice(ctx context.Context, noticeID uint64) (archived bool, err error) {
	return NoticeArchived(ctx, s.db, noticeID)
}

// HomeworkArchived reports, read through q, whether an assignment's bundle
// has landed.
func HomeworkArchived(ctx context.Context, q *gorm.DB, homeworkID uint64) (archived bool, err error) {
	var e Entry
	err = q.WithContext(ctx).Select("archived_at").Where("homework_id = ?", homeworkID).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	return e.ArchivedAt != nil, err
}

// NoticeArchived is StatusOfNotice read through q.
func NoticeArchived(ctx context.Context, q *gorm.DB, noticeID uint64) (archived bool, err error) {
	var e Entry
	err = q.WithContext(ctx).Select("archived_at").Where("notice_id = ?", noticeID).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	return e.ArchivedAt != nil, err
}

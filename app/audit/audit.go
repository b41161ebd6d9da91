// Package audit writes the append-only audit log: account changes,
// admissions, rejections, removals, mutes, role changes, roster, settings
// and attendance decisions. Entries are only ever inserted, each in the
// transaction of the change it records. Admins read it in words (words.go:
// the one table from an entry's codes to its sentence), a page at a time.
package audit

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/db"
)

// Entry is one line of the audit log.
type Entry struct {
	ID        uint64
	ActorID   *uint64 // nil for the system or the command line
	Action    string  // e.g. "user.create", "group.approve"
	Subject   string  // e.g. "user:42"
	Detail    string
	IP        string
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Entry) TableName() string { return "audit_logs" }

// Record inserts e through db, which may be a transaction so that the entry
// commits together with the change it describes.
func Record(ctx context.Context, db *gorm.DB, e Entry) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC()
	}
	if err := db.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// Reader is whoever asks to read the log. Only admins may.
type Reader interface{ IsAdmin() bool }

// Category is a kind of entries the log can be filtered by.
type Category struct {
	Key, Label string
	Actions    []string
}

// Categories are the log's filters, in menu order.
var Categories = []Category{
	{"join", "入群申请", []string{"join.request", "join.approve", "join.reject"}},
	{"remove", "移出与禁言", []string{"group.remove", "group.mute", "group.unmute", "group.mute_all", "group.unmute_all"}},
	{"role", "角色变更", []string{"group.moderator_add", "group.moderator_remove", "user.role", "department.head"}},
	{"account", "账号", []string{"user.create", "user.register", "user.activate", "user.depart", "user.role", "session.end_others", "data.export", "user.close", "user.erase", "user.erased"}},
	{"group", "群设置", []string{"group.rename", "group.reset_invite", "group.open_posting", "group.close_posting"}},
	{"roster", "花名册与学籍", []string{"roster.import", "roster.import_staff", "student.status"}},
	{"attendance", "考勤与校历", []string{"attendance.approved", "attendance.rejected", "attendance.confirm", "attendance.import", "attendance.locked_edit", "calendar.set", "calendar.delete"}},
	{"settings", "设置与词库", []string{"settings.update", "words.add_word", "words.delete_word"}},
	{"erasure", "注销与保留期限", []string{"user.close", "user.erase", "user.erased", "retention.purge"}},
	{"privacy", "个人信息查看与隐私政策", []string{"pii.view", "privacy.update"}},
}

// CategoryOf returns the category with key, if any.
func CategoryOf(key string) (Category, bool) {
	for _, c := range Categories {
		if c.Key == key {
			return c, true
		}
	}
	return Category{}, false
}

// Query selects a page of the log, newest first.
type Query struct {
	Category string // a Categories key; "" for every entry
	Person   uint64 // entries by or about this user; 0 for everyone
	Before   uint64 // entries older than this id; 0 for the newest
	Limit    int    // entries per page, 1–MaxLimit
}

// MaxLimit bounds a page of the log.
const MaxLimit = 100

// Lookup reads the names of things of one kind by id.
type Lookup func(ctx context.Context, ids []uint64) (map[uint64]string, error)

// Page is one page of the log with the names its entries need.
type Page struct {
	Entries []Entry
	Names   Names
	// Next is the Before of the next (older) page; 0 when this is the last.
	Next uint64
}

// Read returns a page of the log to admins only, with the names of every
// person and thing its entries name, read by lookups: one statement for
// the entries and one per kind of thing named, however long the page.
func Read(ctx context.Context, g *gorm.DB, reader Reader, q Query, lookups map[Kind]Lookup) (Page, error) {
	if reader == nil || !reader.IsAdmin() {
		return Page{}, apperr.New(apperr.ErrForbidden, "只有学校管理员可以查看审计日志")
	}
	if q.Limit < 1 || q.Limit > MaxLimit {
		q.Limit = MaxLimit
	}
	tx := g.WithContext(ctx).Order("id DESC").Limit(q.Limit + 1)
	if c, ok := CategoryOf(q.Category); ok {
		tx = tx.Where("action IN ?", c.Actions)
	}
	if q.Before > 0 {
		tx = tx.Where("id < ?", q.Before)
	}
	if q.Person > 0 {
		tx = tx.Where(aboutPerson(g, q.Person))
	}
	var es []Entry
	if err := tx.Find(&es).Error; err != nil {
		return Page{}, fmt.Errorf("audit: read: %w", err)
	}
	p := Page{Entries: es, Names: Names{}}
	if len(es) > q.Limit {
		p.Entries = es[:q.Limit]
		p.Next = p.Entries[q.Limit-1].ID
	}
	ids := map[Kind]map[uint64]bool{}
	add := func(k Kind, id uint64) {
		if ids[k] == nil {
			ids[k] = map[uint64]bool{}
		}
		ids[k][id] = true
	}
	for _, e := range p.Entries {
		if e.ActorID != nil && *e.ActorID != 0 {
			add(KindUser, *e.ActorID)
		}
		for k, list := range refs(e) {
			for _, id := range list {
				add(k, id)
			}
		}
	}
	kinds := make([]Kind, 0, len(ids))
	for k := range ids {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		set, lookup := ids[k], lookups[k]
		if lookup == nil {
			continue
		}
		list := make([]uint64, 0, len(set))
		for id := range set {
			list = append(list, id)
		}
		slices.Sort(list)
		names, err := lookup(ctx, list)
		if err != nil {
			return Page{}, fmt.Errorf("audit: names of %s: %w", k, err)
		}
		p.Names[k] = names
	}
	return p, nil
}

// aboutPerson matches entries by the user or naming them: as the
// subject, or as a user or parent in the detail (space-separated words).
func aboutPerson(g *gorm.DB, id uint64) *gorm.DB {
	q := db.Fresh(g).Where("actor_id = ?", id).Or("subject = ?", fmt.Sprintf("user:%d", id))
	for _, key := range []string{"user", "parent"} {
		tok := fmt.Sprintf("%s:%d", key, id)
		q = q.Or("detail = ?", tok).Or("detail LIKE ?", tok+" %").Or("detail LIKE ?", "% "+tok+" %").Or("detail LIKE ?", "% "+tok)
	}
	return q
}

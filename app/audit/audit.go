// Package audit writes the append-only audit log: account changes,
// admissions, rejections, removals, role changes and admin reads of
// personal data. Entries are only ever inserted.
package audit

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
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

// Line is an entry with the name of its actor ("" for the system).
type Line struct {
	Entry
	ActorName string
}

// Recent returns the newest entries, newest first, with their actors'
// names (read by names, which the accounts' owner provides), to admins
// only.
func Recent(ctx context.Context, db *gorm.DB, reader Reader, limit int, names Names) ([]Line, error) {
	if reader == nil || !reader.IsAdmin() {
		return nil, apperr.New(apperr.ErrForbidden, "只有学校管理员可以查看审计日志")
	}
	var es []Entry
	if err := db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&es).Error; err != nil {
		return nil, err
	}
	var ids []uint64
	for _, e := range es {
		if e.ActorID != nil {
			ids = append(ids, *e.ActorID)
		}
	}
	byID, err := names(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Line, len(es))
	for i, e := range es {
		out[i] = Line{Entry: e}
		if e.ActorID != nil {
			out[i].ActorName = byID[*e.ActorID]
		}
	}
	return out, nil
}

// Names reads users' names by id.
type Names func(ctx context.Context, ids []uint64) (map[uint64]string, error)

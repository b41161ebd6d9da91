// Package audit writes the append-only audit log: account changes,
// admissions, rejections, removals, role changes and admin reads of
// personal data. Entries are only ever inserted.
package audit

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
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

// Recent returns the newest entries, newest first.
func Recent(ctx context.Context, db *gorm.DB, limit int) ([]Entry, error) {
	var out []Entry
	err := db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

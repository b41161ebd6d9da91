package message

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/db"
)

// Cursor is where a page of WrittenBy starts: older than this message.
// The zero Cursor starts at the newest.
type Cursor struct {
	At time.Time
	ID uint64
}

// After is the cursor of the page that follows ms (a page WrittenBy
// returned), or the zero cursor for an empty page.
func After(ms []Message) Cursor {
	if len(ms) == 0 {
		return Cursor{}
	}
	last := ms[len(ms)-1]
	return Cursor{At: last.CreatedAt, ID: last.ID}
}

// WrittenBy reads, through q, a page of the messages authorID wrote in
// any group and in any state (held, rejected and deleted ones too: they
// are the author's writing), the newest first, older than from, at most
// limit. A teacher may have written many thousands, so the caller pages.
func WrittenBy(ctx context.Context, q *gorm.DB, authorID uint64, from Cursor, limit int) ([]Message, error) {
	tx := db.FreshIn(ctx, q).Where("author_id = ?", authorID)
	if from.ID != 0 {
		tx = tx.Where("created_at < ? OR (created_at = ? AND id < ?)", from.At, from.At, from.ID)
	}
	var out []Message
	if err := tx.Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("message: written by %d: %w", authorID, err)
	}
	return out, nil
}

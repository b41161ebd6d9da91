package message

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErasedBody is what stays of a visible message whose author was erased:
// the thread around it still reads, under the name auth.ErasedName.
const ErasedBody = "（该用户已注销，消息已删除）"

// erasedReason marks the held messages of an erased author as decided.
const erasedReason = "账号已注销"

// EraseAuthor removes, inside tx, the text and files of every message an
// account wrote: visible messages keep their place in the feed with
// ErasedBody; held ones are rejected (nobody need review them now);
// deleted and rejected ones lose what they still held. It returns the
// files the messages held, for the caller to delete (file.Forget), and
// how many messages were erased. Call ForgetAll after tx commits.
func EraseAuthor(ctx context.Context, tx *gorm.DB, authorID uint64) ([]uint64, int64, error) {
	tx = tx.WithContext(ctx)
	var fileIDs []uint64
	if err := tx.Model(&Message{}).Where("author_id = ? AND file_id IS NOT NULL", authorID).Pluck("file_id", &fileIDs).Error; err != nil {
		return nil, 0, fmt.Errorf("message: erase author: %w", err)
	}
	var total int64
	for _, u := range []struct {
		where  string
		fields map[string]any
	}{
		{"status = '" + string(Visible) + "'", map[string]any{"body": ErasedBody, "file_id": nil, "mention_all": false}},
		{"status = '" + string(Held) + "'", map[string]any{"body": "", "file_id": nil, "mention_all": false, "status": Rejected,
			"held_reason": "", "deleted_reason": erasedReason}},
		{"status NOT IN ('" + string(Visible) + "', '" + string(Held) + "')", map[string]any{"body": "", "file_id": nil, "mention_all": false}},
	} {
		res := tx.Model(&Message{}).Where("author_id = ?", authorID).Where(u.where).Updates(u.fields)
		if res.Error != nil {
			return nil, 0, fmt.Errorf("message: erase author: %w", res.Error)
		}
		total += res.RowsAffected
	}
	return fileIDs, total, nil
}

// Purged is what PurgeBefore deleted.
type Purged struct {
	Messages int64
	// Files are the files the messages held, for the caller to delete
	// (file.Forget) in the same transaction.
	Files []uint64
}

// PurgeBefore deletes, inside tx, up to limit messages of any group and
// state written before before (the school's retention limit), oldest
// first. Notices are not messages: they, and the archive, are kept. Call
// ForgetAll after tx commits.
func PurgeBefore(ctx context.Context, tx *gorm.DB, before time.Time, limit int) (Purged, error) {
	tx = tx.WithContext(ctx)
	var ms []Message
	if err := tx.Select("id, file_id").Where("created_at < ?", before.UTC()).Order("id").Limit(limit).Find(&ms).Error; err != nil {
		return Purged{}, fmt.Errorf("message: purge: %w", err)
	}
	if len(ms) == 0 {
		return Purged{}, nil
	}
	var p Purged
	ids := make([]uint64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
		if m.FileID != nil {
			p.Files = append(p.Files, *m.FileID)
		}
	}
	res := tx.Where("id IN ?", ids).Delete(&Message{})
	if res.Error != nil {
		return Purged{}, fmt.Errorf("message: purge: %w", res.Error)
	}
	p.Messages = res.RowsAffected
	return p, nil
}

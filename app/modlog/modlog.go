// Package modlog is the append-only moderation log of each group: who did
// what to whom, why and when. Rows are only inserted; moderators of the
// group and admins read them.
package modlog

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Actions.
const (
	DeleteMessage  = "delete_message"
	ApproveMessage = "approve_message"
	RejectMessage  = "reject_message"
	Mute           = "mute"
	Unmute         = "unmute"
	Remove         = "remove"
	MuteAll        = "mute_all"
	UnmuteAll      = "unmute_all"
	AddWord        = "add_word"
	DeleteWord     = "delete_word"
	OpenPosting    = "open_posting"
	ClosePosting   = "close_posting"
)

// Label is the action's Chinese name.
func Label(action string) string {
	return map[string]string{
		DeleteMessage: "删除消息", ApproveMessage: "通过消息", RejectMessage: "驳回消息", Mute: "禁言", Unmute: "解除禁言",
		Remove: "移出群", MuteAll: "全员禁言", UnmuteAll: "解除全员禁言", AddWord: "添加词条", DeleteWord: "删除词条",
		OpenPosting: "开放发言", ClosePosting: "关闭发言",
	}[action]
}

// Entry is one line of the log.
type Entry struct {
	ID        uint64
	GroupID   uint64
	ActorID   uint64
	SubjectID *uint64
	MessageID *uint64
	Action    string
	Reason    string
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Entry) TableName() string { return "moderation_logs" }

// Record appends e through db, the transaction of the action it records.
func Record(ctx context.Context, db *gorm.DB, e Entry) error {
	e.ID = 0
	if err := db.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("modlog: %s: %w", e.Action, err)
	}
	return nil
}

// Line is an entry with the names filled in.
type Line struct {
	Entry
	ActorName   string
	SubjectName string
}

// List returns a group's newest entries with names, read by names.
func List(ctx context.Context, db *gorm.DB, groupID uint64, limit int, names func(ctx context.Context, ids []uint64) (map[uint64]string, error)) ([]Line, error) {
	var es []Entry
	if err := db.WithContext(ctx).Where("group_id = ?", groupID).Order("id DESC").Limit(limit).Find(&es).Error; err != nil {
		return nil, err
	}
	var ids []uint64
	for _, e := range es {
		ids = append(ids, e.ActorID)
		if e.SubjectID != nil {
			ids = append(ids, *e.SubjectID)
		}
	}
	byID, err := names(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Line, len(es))
	for i, e := range es {
		out[i] = Line{Entry: e, ActorName: byID[e.ActorID]}
		if e.SubjectID != nil {
			out[i].SubjectName = byID[*e.SubjectID]
		}
	}
	return out, nil
}

// Ptr returns &v, for the optional ids.
func Ptr(v uint64) *uint64 { return &v }

// Scrub replaces, inside tx, each of the texts (a name, a phone number)
// with its replacement in the reasons of the entries about user id (an
// account being erased): a moderator's reason may have named them. The
// entries, and the id, stay. It returns how many entries it changed.
func Scrub(ctx context.Context, tx *gorm.DB, id uint64, replace map[string]string) (int64, error) {
	var total int64
	for text, with := range replace {
		if text == "" || text == with {
			continue
		}
		res := tx.WithContext(ctx).Model(&Entry{}).Where("subject_id = ? AND reason LIKE ?", id, "%"+text+"%").
			Update("reason", gorm.Expr("REPLACE(reason, ?, ?)", text, with))
		if res.Error != nil {
			return total, fmt.Errorf("modlog: scrub: %w", res.Error)
		}
		total += res.RowsAffected
	}
	return total, nil
}

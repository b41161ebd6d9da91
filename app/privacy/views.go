package privacy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
)

// Shown is what one page or export showed of other people.
type Shown struct {
	Kind Kind
	// Ref names what it was shown for ("notice:12", "group:3",
	// "month:2026-11"), Label the same in words as it was then
	// (通知“秋游安排”); the family reads the label.
	Ref, Label string
	// Users are the people whose full phone number or attendance data
	// was shown; Students the children whose record was shown.
	Users, Students []uint64
}

// ViewBatch is how many rows of the access log one statement writes on
// q's database: on MySQL a page of a thousand people is one statement,
// within its limit on parameters; on SQLite fewer (db.Batch).
func ViewBatch(q *gorm.DB) int { return db.Batch(q, 1000) }

// Viewed records that actor was just shown sh: an audit entry (pii.view:
// who, what, how many) and one row per person and child shown but the
// actor themself, in one transaction: the audit entry, and the rows in
// batches of ViewBatch (one on MySQL up to a thousand people, one per 50
// on SQLite), never one per person. A row already written today for
// the same viewer, kind, thing and person counts once more instead of
// adding another. Nothing is written when nobody else was shown.
func (s *Service) Viewed(ctx context.Context, actor *auth.User, sh Shown) error {
	if actor == nil || actor == auth.System {
		return nil
	}
	users := others(sh.Users, actor.ID)
	students := others(sh.Students, 0)
	if len(users)+len(students) == 0 {
		return nil
	}
	now := s.now()
	day := now.In(s.loc).Format("2006-01-02")
	label := sh.Label
	if utf8.RuneCountInString(label) > 120 {
		label = string([]rune(label)[:119]) + "…"
	}
	rows := make([]view, 0, len(users)+len(students))
	for _, id := range users {
		rows = append(rows, view{ActorID: actor.ID, Kind: sh.Kind, Ref: sh.Ref, Label: label, UserID: id, ViewDay: day, ViewedAt: now, ViewCount: 1})
	}
	for _, id := range students {
		rows = append(rows, view{ActorID: actor.ID, Kind: sh.Kind, Ref: sh.Ref, Label: label, StudentID: id, ViewDay: day, ViewedAt: now, ViewCount: 1})
	}
	detail := fmt.Sprintf("kind=%s people=%d students=%d", sh.Kind, len(users), len(students))
	write := func(tx *gorm.DB) error {
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "pii.view", Subject: sh.Ref, Detail: detail, CreatedAt: now}); err != nil {
			return err
		}
		upsert := clause.OnConflict{
			Columns: []clause.Column{{Name: "user_id"}, {Name: "student_id"}, {Name: "actor_id"}, {Name: "kind"}, {Name: "ref"}, {Name: "view_day"}},
			DoUpdates: append(clause.AssignmentColumns([]string{"viewed_at"}),
				clause.Assignment{Column: clause.Column{Name: "view_count"}, Value: gorm.Expr("view_count + 1")}),
		}
		for _, part := range db.Chunks(rows, ViewBatch(tx)) {
			if err := tx.Clauses(upsert).Create(&part).Error; err != nil {
				return err
			}
		}
		return nil
	}
	// Two pages shown at once to the same people may lock each other's
	// rows on MySQL; the database gives up one, which tries again.
	var err error
	for try := 0; try < 3; try++ {
		if err = db.InTx(ctx, s.db, write); err == nil || !deadlock(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("privacy: record a view: %w", err)
	}
	return nil
}

// others is ids without zeros, without except and without repeats.
func others(ids []uint64, except uint64) []uint64 {
	out := make([]uint64, 0, len(ids))
	for _, id := range ids {
		if id != 0 && id != except {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// deadlock says MySQL chose this transaction as a deadlock's victim.
func deadlock(err error) bool {
	return strings.Contains(err.Error(), "Deadlock found") || strings.Contains(err.Error(), "Error 1213")
}

package privacy

import (
	"context"
	"fmt"
	"time"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
)

// Access is one line of a family's access log: who was shown what of
// whom, on one day (the last time that day, and how many times).
type Access struct {
	ActorID   uint64
	Actor     string // the viewer's name, or （已注销的用户）
	ActorRole auth.Role
	Kind      Kind
	Label     string // what it was shown for, in words
	// UserID is the family member shown (the reader themself), or 0 when
	// StudentID, one of their children, was.
	UserID, StudentID uint64
	At                time.Time
	Count             int
}

// AccessQuery selects a page of the access log of a user and their
// children.
type AccessQuery struct {
	// Students are the reader's children (at most MaxStudents are read).
	Students []uint64
	Page     int // 1-based
	PerPage  int // 1 to MaxPerPage
}

// Bounds of an access log query.
const (
	MaxPerPage  = 100
	MaxStudents = 50
	maxPage     = 1000
)

// Access returns a page of who was shown actor's data or their
// children's, newest first, and whether older lines follow. Views by
// actor themself are left out. Two statements whatever the page.
func (s *Service) Access(ctx context.Context, actor *auth.User, q AccessQuery) ([]Access, bool, error) {
	if actor == nil || actor == auth.System {
		return nil, false, apperr.ErrUnauthenticated
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		q.PerPage = MaxPerPage
	}
	if q.Page < 1 || q.Page > maxPage {
		q.Page = 1
	}
	students := others(q.Students, 0)
	if len(students) > MaxStudents {
		students = students[:MaxStudents]
	}
	who := db.Fresh(s.db).Where("user_id = ?", actor.ID)
	if len(students) > 0 {
		who = who.Or("student_id IN ?", students)
	}
	var rows []view
	err := s.db.WithContext(ctx).Where(who).Where("actor_id <> ?", actor.ID).Order("viewed_at DESC, id DESC").
		Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage + 1).Find(&rows).Error
	if err != nil {
		return nil, false, fmt.Errorf("privacy: access log: %w", err)
	}
	more := len(rows) > q.PerPage
	if more {
		rows = rows[:q.PerPage]
	}
	ids := make([]uint64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ActorID)
	}
	contacts, err := auth.Contacts(ctx, s.db, others(ids, 0))
	if err != nil {
		return nil, false, err
	}
	out := make([]Access, len(rows))
	for i, r := range rows {
		c := contacts[r.ActorID]
		out[i] = Access{ActorID: r.ActorID, Actor: c.Name, ActorRole: c.Role, Kind: r.Kind, Label: r.Label, UserID: r.UserID,
			StudentID: r.StudentID, At: r.ViewedAt, Count: r.ViewCount}
		if out[i].Actor == "" {
			out[i].Actor = "（已注销的用户）"
		}
	}
	return out, more, nil
}

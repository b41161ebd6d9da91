package auth

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/db"
)

// OpenSession opens a session for an account without checking a password
// and returns its cookie token. It is for tools that stand in for many
// users at once, such as the load test, where logging thousands of users
// in would spend its time in argon2id; the web app never calls it.
func (s *Service) OpenSession(ctx context.Context, userID uint64, ip, ua string) (string, error) {
	return s.openSession(ctx, userID, ip, ua, "")
}

// MaxListedSessions bounds the sessions 我的 lists (newest first); the
// rest are counted.
const MaxListedSessions = 20

// ActiveSession is one of a user's live sessions as the user sees it.
type ActiveSession struct {
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Current is the session of the request that asked.
	Current bool
}

// Device is the session's device and browser in words.
func (a ActiveSession) Device() string { return Device(a.UserAgent) }

// SessionsOf reads, through q, the unexpired sessions of a user, the most
// recently seen first, at most limit of them, and how many there are in
// all. currentToken's session is marked Current.
func SessionsOf(ctx context.Context, q *gorm.DB, userID uint64, currentToken string, now time.Time, limit int) ([]ActiveSession, int, error) {
	var total int64
	live := db.FreshIn(ctx, q).Model(&Session{}).Where("user_id = ? AND expires_at > ?", userID, now)
	if err := live.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("auth: sessions: %w", err)
	}
	var rows []Session
	err := db.FreshIn(ctx, q).Where("user_id = ? AND expires_at > ?", userID, now).
		Order("last_seen_at DESC, created_at DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("auth: sessions: %w", err)
	}
	current := ""
	if currentToken != "" {
		current = tokenID(currentToken)
	}
	out := make([]ActiveSession, len(rows))
	for i, r := range rows {
		out[i] = ActiveSession{IP: r.IP, UserAgent: r.UserAgent, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, Current: r.ID == current}
	}
	return out, int(total), nil
}

// Sessions lists the live sessions of actor (MaxListedSessions at most,
// the current one marked) and how many there are.
func (s *Service) Sessions(ctx context.Context, actor *User, currentToken string) ([]ActiveSession, int, error) {
	if actor == nil {
		return nil, 0, apperr.ErrUnauthenticated
	}
	return SessionsOf(ctx, s.db, actor.ID, currentToken, s.now(), MaxListedSessions)
}

// EndOtherSessions logs actor out everywhere but the session of
// currentToken (退出其他设备) and returns how many sessions ended. Their
// pages learn of it through the account event and find themselves logged
// out; the audit log records it.
func (s *Service) EndOtherSessions(ctx context.Context, actor *User, currentToken, ip string) (int, error) {
	if actor == nil || currentToken == "" {
		return 0, apperr.ErrUnauthenticated
	}
	keep := tokenID(currentToken)
	now := s.now()
	var ended int64
	err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Where("user_id = ? AND id <> ?", actor.ID, keep).Delete(&Session{})
		if res.Error != nil {
			return res.Error
		}
		ended = res.RowsAffected
		if ended == 0 {
			return nil
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "session.end_others", Subject: fmt.Sprintf("user:%d", actor.ID),
			Detail: fmt.Sprintf("count=%d", ended), IP: ip, CreatedAt: now}); err != nil {
			return err
		}
		return accountChanged(ctx, tx, actor.ID, now)
	})
	if err != nil {
		return 0, fmt.Errorf("auth: end other sessions: %w", err)
	}
	s.sessions.forget(actor.ID)
	return int(ended), nil
}

package auth

import (
	"context"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/db"
)

const purposeRegister = "register"

type loginFailure struct {
	ID        uint64
	Phone     string
	IP        string
	CreatedAt time.Time
}

type verificationCode struct {
	ID        uint64
	Phone     string
	Purpose   string
	CodeHash  string
	Attempts  int
	IP        string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func insertUser(ctx context.Context, tx *gorm.DB, u *User, now time.Time) error {
	u.CreatedAt, u.UpdatedAt = now, now
	return db.Translate(tx.WithContext(ctx).Create(u).Error)
}

func userByID(ctx context.Context, g *gorm.DB, id uint64) (User, error) {
	var u User
	err := g.WithContext(ctx).Where("id = ?", id).Take(&u).Error
	return u, db.Translate(err)
}

func userByPhone(ctx context.Context, g *gorm.DB, phone string) (User, error) {
	var u User
	err := g.WithContext(ctx).Where("phone = ?", phone).Take(&u).Error
	return u, db.Translate(err)
}

// failureCounts are the failed logins in the window, the attempt being
// made included: for this phone from this address, for this phone from
// anywhere, and from this address for any phone.
type failureCounts struct {
	PhoneIP, Phone, IP int64
}

func countFailures(ctx context.Context, g *gorm.DB, phone, ip string, since time.Time) (failureCounts, error) {
	var c failureCounts
	err := g.WithContext(ctx).Model(&loginFailure{}).
		Select("COALESCE(SUM(CASE WHEN phone = ? AND ip = ? THEN 1 ELSE 0 END), 0) AS phone_ip, "+
			"COALESCE(SUM(CASE WHEN phone = ? THEN 1 ELSE 0 END), 0) AS phone, "+
			"COALESCE(SUM(CASE WHEN ip = ? THEN 1 ELSE 0 END), 0) AS ip", phone, ip, phone, ip).
		Where("created_at > ? AND (phone = ? OR ip = ?)", since, phone, ip).Scan(&c).Error
	return c, err
}

func recordFailure(ctx context.Context, g *gorm.DB, phone, ip string, now time.Time) error {
	if len(phone) > 20 {
		phone = phone[:20]
	}
	return g.WithContext(ctx).Create(&loginFailure{Phone: phone, IP: ip, CreatedAt: now}).Error
}

func clearFailures(ctx context.Context, tx *gorm.DB, userID uint64) error {
	return tx.WithContext(ctx).Where("phone = (SELECT phone FROM users WHERE id = ?)", userID).Delete(&loginFailure{}).Error
}

// sessionUser reads a session and its user in one query.
func sessionUser(ctx context.Context, g *gorm.DB, id string) (Session, User, error) {
	var row struct {
		User
		SessUserID     uint64
		SessIP         string
		SessUserAgent  string
		SessCreatedAt  time.Time
		SessLastSeenAt time.Time
		SessExpiresAt  time.Time
	}
	err := g.WithContext(ctx).Table("sessions").
		Select("users.*, sessions.user_id AS sess_user_id, sessions.ip AS sess_ip, sessions.user_agent AS sess_user_agent, "+
			"sessions.created_at AS sess_created_at, sessions.last_seen_at AS sess_last_seen_at, sessions.expires_at AS sess_expires_at").
		Joins("JOIN users ON users.id = sessions.user_id").
		Where("sessions.id = ?", id).Take(&row).Error
	if err != nil {
		return Session{}, User{}, db.Translate(err)
	}
	s := Session{ID: id, UserID: row.SessUserID, IP: row.SessIP, UserAgent: row.SessUserAgent,
		CreatedAt: row.SessCreatedAt, LastSeenAt: row.SessLastSeenAt, ExpiresAt: row.SessExpiresAt}
	return s, row.User, nil
}

func touchSession(ctx context.Context, g *gorm.DB, id string, now, expires time.Time) error {
	return g.WithContext(ctx).Model(&Session{}).Where("id = ?", id).
		Updates(map[string]any{"last_seen_at": now, "expires_at": expires}).Error
}

func deleteSession(ctx context.Context, g *gorm.DB, id string) error {
	return g.WithContext(ctx).Where("id = ?", id).Delete(&Session{}).Error
}

func codeStats(ctx context.Context, g *gorm.DB, phone, purpose string, since time.Time) (last time.Time, count int64, err error) {
	var codes []verificationCode
	err = g.WithContext(ctx).Where("phone = ? AND purpose = ? AND created_at > ?", phone, purpose, since).
		Order("created_at DESC").Limit(MaxCodesPerDay + 1).Find(&codes).Error
	if err != nil || len(codes) == 0 {
		return time.Time{}, 0, err
	}
	return codes[0].CreatedAt, int64(len(codes)), nil
}

func latestCode(ctx context.Context, tx *gorm.DB, phone, purpose string) (verificationCode, error) {
	var vc verificationCode
	err := tx.WithContext(ctx).Where("phone = ? AND purpose = ?", phone, purpose).Order("id DESC").Take(&vc).Error
	return vc, db.Translate(err)
}

func cleanup(ctx context.Context, g *gorm.DB, now time.Time) error {
	g = g.WithContext(ctx)
	if err := g.Where("expires_at < ?", now).Delete(&Session{}).Error; err != nil {
		return err
	}
	if err := g.Where("created_at < ?", now.Add(-24*time.Hour)).Delete(&loginFailure{}).Error; err != nil {
		return err
	}
	return g.Where("created_at < ?", now.Add(-7*24*time.Hour)).Delete(&verificationCode{}).Error
}

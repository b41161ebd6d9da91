package privacy

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
)

// ErrStale refuses an agreement to a version that is no longer current:
// the notice changed while the parent was reading it.
var ErrStale = apperr.New(apperr.ErrConflict, "隐私政策刚刚更新了，请阅读下面的新版本后再选择。")

// ShownVersion is the version a form says it showed, when that is a version
// (1 to cur's); otherwise cur's.
func ShownVersion(cur Notice, posted string) int {
	v, err := strconv.Atoi(strings.TrimSpace(posted))
	if err != nil || v < 1 || v > cur.Version {
		return cur.Version
	}
	return v
}

// Agree records, through tx (the transaction that creates the account),
// that userID agreed to version (from ShownVersion) now. Agreeing twice to one
// version keeps the first time.
func (s *Service) Agree(ctx context.Context, tx *gorm.DB, userID uint64, version int) error {
	c := Consent{UserID: userID, Version: version, AgreedAt: s.now()}
	if err := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&c).Error; err != nil {
		return fmt.Errorf("privacy: agree: %w", err)
	}
	s.agreed.Drop(userID)
	return nil
}

// AgreeCurrent records that actor agreed to version, which must be the
// version in force (ErrStale otherwise).
func (s *Service) AgreeCurrent(ctx context.Context, actor *auth.User, version int) error {
	if actor == nil || actor == auth.System {
		return apperr.ErrUnauthenticated
	}
	st, err := s.read(ctx)
	if err != nil {
		return err
	}
	if version != st.current.Version {
		s.Forget()
		return ErrStale
	}
	return s.Agree(ctx, s.db, actor.ID, version)
}

// NeedsConsent says whether u must agree to the notice before going on:
// a parent whose newest agreement (none counts as none) is older than
// the newest version that asks again. Staff agree to the school's rules
// by their contract, not here. It costs no statement once this instance
// has read the notice and the user's agreement.
func (s *Service) NeedsConsent(ctx context.Context, u *auth.User) (bool, error) {
	if u == nil || u.Role != auth.RoleParent {
		return false, nil
	}
	st, err := s.current(ctx)
	if err != nil {
		return false, err
	}
	agreed, err := s.agreed.Get(u.ID, func() (int, error) {
		var v int
		err := s.db.WithContext(ctx).Model(&Consent{}).Select("COALESCE(MAX(version), 0)").Where("user_id = ?", u.ID).Scan(&v).Error
		return v, err
	})
	if err != nil {
		return false, fmt.Errorf("privacy: agreed: %w", err)
	}
	return agreed < st.required, nil
}

// Latest returns userID's newest agreement, or an ErrNotFound.
func (s *Service) Latest(ctx context.Context, userID uint64) (Consent, error) {
	var c Consent
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("version DESC").Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, apperr.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("privacy: latest consent: %w", err)
	}
	return c, nil
}

// Consents reads, through q, every agreement of userID, newest first (an
// export of the user's data lists them).
func Consents(ctx context.Context, q *gorm.DB, userID uint64) ([]Consent, error) {
	var out []Consent
	if err := q.WithContext(ctx).Where("user_id = ?", userID).Order("version DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("privacy: consents: %w", err)
	}
	return out, nil
}

// AgreeAll records that each of userIDs agreed to the notice in force
// now, a thousand to a statement: for accounts made by the school's own
// tools (the demo school, test schools), whose parents agreed outside the
// app.
func (s *Service) AgreeAll(ctx context.Context, userIDs []uint64) error {
	st, err := s.current(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	rows := make([]Consent, 0, len(userIDs))
	for _, id := range others(userIDs, 0) {
		rows = append(rows, Consent{UserID: id, Version: st.current.Version, AgreedAt: now})
	}
	for _, part := range db.Chunks(rows, ViewBatch(s.db)) {
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&part).Error; err != nil {
			return fmt.Errorf("privacy: agree all: %w", err)
		}
	}
	for _, id := range userIDs {
		s.agreed.Drop(id)
	}
	return nil
}

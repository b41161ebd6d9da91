package school

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ClosedReason is why the guardianships of a closed account were revoked.
const ClosedReason = "账号已注销"

// RevokeGuardianships ends, inside tx, the current guardianships of a
// parent whose account is closing: the children's guardian places are
// free again at once, and no roster sync counts the parent in a class.
func RevokeGuardianships(ctx context.Context, tx *gorm.DB, parentID uint64, now time.Time) error {
	err := tx.WithContext(ctx).Model(&Guardianship{}).Where("parent_id = ? AND revoked_at IS NULL", parentID).
		Updates(map[string]any{"revoked_at": now.UTC(), "revoked_reason": ClosedReason}).Error
	if err != nil {
		return fmt.Errorf("school: revoke guardianships: %w", err)
	}
	return nil
}

// EraseGuardian deletes, inside tx, every guardianship record of a parent
// being erased: nothing links the erased account to a child any more.
// The roster's own contacts (imported by the school) are the school's
// records and stay.
func EraseGuardian(ctx context.Context, tx *gorm.DB, parentID uint64) error {
	if err := tx.WithContext(ctx).Where("parent_id = ?", parentID).Delete(&Guardianship{}).Error; err != nil {
		return fmt.Errorf("school: erase guardian: %w", err)
	}
	return nil
}

package attendance

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ForgetPunchIPs blanks, through q, the IP address and browser string of
// up to limit punches made before before (the school's retention limit):
// they are integrity signals for the reviewer of that month, not records
// to keep. The punches themselves stay. It returns how many it blanked.
func ForgetPunchIPs(ctx context.Context, q *gorm.DB, before time.Time, limit int) (int64, error) {
	var ids []uint64
	if err := q.WithContext(ctx).Model(&Punch{}).Where("at < ? AND (ip <> '' OR user_agent <> '')", before.UTC()).
		Order("at").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("attendance: forget punch addresses: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := q.WithContext(ctx).Model(&Punch{}).Where("id IN ?", ids).Updates(map[string]any{"ip": "", "user_agent": ""})
	if res.Error != nil {
		return 0, fmt.Errorf("attendance: forget punch addresses: %w", res.Error)
	}
	return res.RowsAffected, nil
}

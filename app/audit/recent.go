package audit

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/db"
)

// Recent reads, through q, when actorID did action since the given time,
// the oldest first, at most limit: for rate limits that hold across
// instances (the log is the one record every instance shares).
func Recent(ctx context.Context, q *gorm.DB, actorID uint64, action string, since time.Time, limit int) ([]time.Time, error) {
	var out []time.Time
	err := db.FreshIn(ctx, q).Model(&Entry{}).Where("actor_id = ? AND created_at > ? AND action = ?", actorID, since, action).
		Order("created_at").Limit(limit).Pluck("created_at", &out).Error
	if err != nil {
		return nil, fmt.Errorf("audit: recent %s: %w", action, err)
	}
	return out, nil
}

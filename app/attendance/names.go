package attendance

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/app/db"
)

// ApprovalNames names requests by id for the audit log, as 李芳的事假申请:
// the requests, then their people's names.
func ApprovalNames(ctx context.Context, q *gorm.DB, ids []uint64) (map[uint64]string, error) {
	out := make(map[uint64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var as []Approval
	if err := db.FreshIn(ctx, q).Select("id, user_id, kind, leave_kind").Where("id IN ?", ids).Find(&as).Error; err != nil {
		return nil, fmt.Errorf("attendance: approval names: %w", err)
	}
	users := make([]uint64, 0, len(as))
	for _, a := range as {
		users = append(users, a.UserID)
	}
	names, err := auth.Names(ctx, q, users)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		who := names[a.UserID]
		if who == "" {
			who = "（已注销的用户）"
		}
		out[a.ID] = who + "的" + kindLabel(a) + "申请"
	}
	return out, nil
}

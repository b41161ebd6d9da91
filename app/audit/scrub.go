package audit

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// Scrub replaces, inside tx, each of the texts (a name, a phone number)
// with its replacement in the details of the entries by or about user id:
// a reason typed by a moderator or an admin may have named the person.
// The entries themselves, and the id they name, stay: the log is
// append-only, erasure takes only what identifies the person. The IP
// address of the person's own entries (registering, closing) goes too.
// It returns how many entries it changed.
func Scrub(ctx context.Context, tx *gorm.DB, id uint64, replace map[string]string) (int64, error) {
	res := tx.WithContext(ctx).Model(&Entry{}).Where("actor_id = ? AND ip <> ''", id).Update("ip", "")
	if res.Error != nil {
		return 0, fmt.Errorf("audit: scrub: %w", res.Error)
	}
	total := res.RowsAffected
	for text, with := range replace {
		// Names and phone numbers hold no LIKE wildcards (% _), which
		// would only widen the rows looked at, not what is replaced.
		if strings.TrimSpace(text) == "" || text == with {
			continue
		}
		res := tx.WithContext(ctx).Model(&Entry{}).Where(aboutPerson(tx, id)).Where("detail LIKE ?", "%"+text+"%").
			Update("detail", gorm.Expr("REPLACE(detail, ?, ?)", text, with))
		if res.Error != nil {
			return total, fmt.Errorf("audit: scrub: %w", res.Error)
		}
		total += res.RowsAffected
	}
	return total, nil
}

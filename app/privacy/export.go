package privacy

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/auth"
)

// The seams with the other two parts of a family's rights: an export of
// a user's data lists what they agreed to and who was shown their data
// (ForExport, an export.Part's Read); erasing an account removes the
// access log's lines about them (Erase, an erasure.Part). The consent
// records stay: they hold an id, a version and a time, and show what the
// school's processing rested on.

// ExportedConsent is one agreement as an export lists it.
type ExportedConsent struct {
	Version  int       `json:"version"`
	AgreedAt time.Time `json:"agreed_at"`
	Text     string    `json:"text"` // the page of that version
}

// ExportedView is one line of the access log as an export lists it.
type ExportedView struct {
	Viewer string    `json:"viewer"`
	What   string    `json:"what"`
	About  string    `json:"about"`
	Last   time.Time `json:"last_at"`
	Times  int       `json:"times"`
}

// Exported is the privacy section of a user's export.
type Exported struct {
	Consents []ExportedConsent `json:"consents"`
	Views    []ExportedView    `json:"viewed_by"`
}

// maxExportedViews bounds the access log lines an export carries.
const maxExportedViews = 1000

// ForExport returns what an export of userID's data says of privacy: the
// versions they agreed to and when, and who was shown their data (the
// newest maxExportedViews lines). Its signature is an export.Part's Read.
func (s *Service) ForExport(ctx context.Context, userID uint64) (any, error) {
	cs, err := Consents(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	out := Exported{Consents: []ExportedConsent{}, Views: []ExportedView{}}
	for _, c := range cs {
		out.Consents = append(out.Consents, ExportedConsent{Version: c.Version, AgreedAt: c.AgreedAt, Text: fmt.Sprintf("/privacy?v=%d", c.Version)})
	}
	var rows []view
	err = s.db.WithContext(ctx).Where("user_id = ? AND actor_id <> ?", userID, userID).Order("viewed_at DESC, id DESC").Limit(maxExportedViews).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("privacy: export: %w", err)
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ActorID
	}
	names, err := auth.Names(ctx, s.db, others(ids, 0))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out.Views = append(out.Views, ExportedView{Viewer: names[r.ActorID], What: r.Kind.Words(), About: r.Label, Last: r.ViewedAt, Times: r.ViewCount})
	}
	return out, nil
}

// Erase deletes, through tx (the erasure's transaction), the access log's
// lines about userID. Its signature is an erasure.Part.
func Erase(ctx context.Context, tx *gorm.DB, userID uint64) error {
	if err := tx.WithContext(ctx).Where("user_id = ?", userID).Delete(&view{}).Error; err != nil {
		return fmt.Errorf("privacy: erase: %w", err)
	}
	return nil
}

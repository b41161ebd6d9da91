package file

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"gorm.io/gorm"

	"jiaxiao/app/db"
)

// UploadedBy reads, through q, the files userID uploaded, the newest
// first, at most limit.
func UploadedBy(ctx context.Context, q *gorm.DB, userID uint64, limit int) ([]File, error) {
	var out []File
	if err := db.FreshIn(ctx, q).Where("uploaded_by = ?", userID).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("file: uploaded by %d: %w", userID, err)
	}
	return out, nil
}

// Open streams a file's content, from object storage or, for a file still
// staged, from the database; the caller closes it. It is a network call:
// never inside a transaction.
func (s *Service) Open(ctx context.Context, f File) (io.ReadCloser, error) {
	if f.Staged {
		data, err := s.staged(ctx, f.ID)
		if err != nil {
			return nil, fmt.Errorf("file: open staged %d: %w", f.ID, err)
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	rc, _, err := s.store.Get(ctx, f.StorageKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStorageDown, err)
	}
	return rc, nil
}

package file

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/db"
	"jiaxiao/app/job"
)

// Files are forgotten in two steps, so that no object storage call ever
// runs inside a transaction and an outage loses nothing: Forget deletes
// the records and, in the same transaction, queues a JobDeleteObjects job
// for the stored objects no remaining record refers to (content is
// stored once for every record with the same bytes and name); the job
// deletes them after the commit, and is retried while storage is down.

// JobDeleteObjects is the job kind that deletes stored objects.
const JobDeleteObjects = "file.delete_objects"

// keysPerJob bounds one JobDeleteObjects job.
const keysPerJob = 100

type deleteObjects struct {
	Keys []string `json:"keys"`
}

// UploadedIDs reads, through q, the ids of the files a user uploaded.
func UploadedIDs(ctx context.Context, q *gorm.DB, userID uint64) ([]uint64, error) {
	var ids []uint64
	if err := q.WithContext(ctx).Model(&File{}).Where("uploaded_by = ?", userID).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("file: uploaded by: %w", err)
	}
	return ids, nil
}

// Forget deletes, inside tx, the records of files ids (and any content
// staged for them), and queues the deletion of the stored objects that no
// other record refers to. It returns how many objects it queued.
func Forget(ctx context.Context, tx *gorm.DB, now time.Time, ids []uint64) (int, error) {
	tx = tx.WithContext(ctx)
	queued := 0
	for batch := range slices.Chunk(ids, 500) {
		var gone []File
		if err := tx.Select("sha256, storage_key").Where("id IN ?", batch).Find(&gone).Error; err != nil {
			return queued, fmt.Errorf("file: forget: %w", err)
		}
		var keys, sums []string
		for _, f := range gone {
			if !slices.Contains(keys, f.StorageKey) {
				keys, sums = append(keys, f.StorageKey), append(sums, f.SHA256)
			}
		}
		if err := tx.Where("file_id IN ?", batch).Delete(&chunk{}).Error; err != nil {
			return queued, fmt.Errorf("file: forget: %w", err)
		}
		if err := tx.Where("id IN ?", batch).Delete(&File{}).Error; err != nil {
			return queued, fmt.Errorf("file: forget: %w", err)
		}
		if len(keys) == 0 {
			continue
		}
		var kept []string // by sha256 first: that column has an index
		if err := tx.Model(&File{}).Where("sha256 IN ? AND storage_key IN ?", sums, keys).Distinct().Pluck("storage_key", &kept).Error; err != nil {
			return queued, fmt.Errorf("file: forget: %w", err)
		}
		orphans := slices.DeleteFunc(keys, func(k string) bool { return slices.Contains(kept, k) })
		slices.Sort(orphans)
		for part := range slices.Chunk(orphans, keysPerJob) {
			if _, err := job.Enqueue(ctx, tx, now, JobDeleteObjects, deleteObjects{Keys: part}, job.Options{}); err != nil {
				return queued, fmt.Errorf("file: forget: %w", err)
			}
			queued += len(part)
		}
	}
	return queued, nil
}

// DeleteObjects is the handler of JobDeleteObjects: it deletes each
// object that no file record refers to (again: the same content may have
// been uploaded since it was queued). An object already gone is no error;
// storage that is down fails the attempt, and the job is retried.
func (s *Service) DeleteObjects(ctx context.Context, j job.Job) error {
	var p deleteObjects
	if err := j.Decode(&p); err != nil {
		return job.Permanent(fmt.Errorf("file: delete objects: %w", err))
	}
	for _, key := range p.Keys {
		var n int64
		q := s.db.WithContext(ctx).Model(&File{}).Where("storage_key = ?", key)
		if sum, ok := keySum(key); ok {
			q = q.Where("sha256 = ?", sum) // the indexed column
		}
		if err := q.Count(&n).Error; err != nil {
			return fmt.Errorf("file: delete objects: %w", err)
		}
		if n > 0 {
			continue
		}
		if err := s.store.Delete(ctx, key); err != nil {
			return fmt.Errorf("file: delete %s: %w", key, err)
		}
	}
	return nil
}

// keySum reads the SHA-256 out of a storage key (files/{sha256}/{name}).
func keySum(key string) (string, bool) {
	parts := strings.SplitN(key, "/", 3)
	if len(parts) != 3 || parts[0] != "files" || len(parts[1]) != 64 {
		return "", false
	}
	return parts[1], true
}

// SaveAllOrStage keeps uploads (SaveOrStage each) for one change and
// returns their ids; if one fails, those already kept are discarded.
func (s *Service) SaveAllOrStage(ctx context.Context, uploader uint64, ps []Prepared) ([]uint64, error) {
	ids := make([]uint64, 0, len(ps))
	for _, p := range ps {
		f, err := s.SaveOrStage(ctx, uploader, p)
		if err != nil {
			s.Discard(ctx, ids)
			return nil, err
		}
		ids = append(ids, f.ID)
	}
	return ids, nil
}

// Discard forgets files kept for a change that did not happen (its
// transaction refused it after they were stored, outside it): their
// records go and their objects are queued for deletion, as Forget does.
// It is tidying after an error the caller returns: its own failure is
// logged, and leaves files nothing refers to (as an outage would).
func (s *Service) Discard(ctx context.Context, ids []uint64) {
	if len(ids) == 0 {
		return
	}
	err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		_, err := Forget(ctx, tx, s.now(), ids)
		return err
	})
	if err != nil {
		slog.Default().Warn("file: discard the uploads of a refused change", "files", ids, "err", err)
	}
}

// Package bad holds transactions that TxScope must report, and work around
// transactions that it must not.
package bad

import (
	"context"
	"net/http"

	"github.com/minio/minio-go/v7"
	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/app/db"
)

// Sender is a module interface whose implementation calls out.
type Sender interface {
	Send(ctx context.Context) error
}

type webhook struct{ url string }

func (w webhook) Send(ctx context.Context) error {
	_, err := http.Get(w.url)
	return err
}

type quiet struct{}

func (quiet) Send(context.Context) error { return nil }

type Service struct {
	db     *gorm.DB
	minio  *minio.Client
	sender Sender
}

// HTTPInTx calls a webhook inside the transaction.
func (s *Service) HTTPInTx(ctx context.Context) error {
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		return s.notify(ctx)
	})
}

func (s *Service) notify(ctx context.Context) error { return s.sender.Send(ctx) }

// StoreInGormTx writes to object storage inside gorm's own Transaction.
func (s *Service) StoreInGormTx(ctx context.Context) error {
	return s.db.Transaction(func(tx *gorm.DB) error {
		_, err := s.minio.StatObject(ctx, "b", "k", minio.StatObjectOptions{})
		return err
	})
}

// PoolInTx writes through the pool while the transaction is open.
func (s *Service) PoolInTx(ctx context.Context) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		return s.db.Exec("UPDATE t SET x = 1").Error
	})
}

// inTx hands its argument on to InTx, so its callers' functions run in a
// transaction too.
func (s *Service) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return db.InTx(ctx, s.db, fn)
}

// After does everything right: the transaction uses tx, and the call out
// comes after it commits.
func (s *Service) After(ctx context.Context) error {
	if err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		return tx.Exec("UPDATE t SET x = 1").Error
	}); err != nil {
		return err
	}
	return s.notify(ctx)
}

var _ = []Sender{webhook{}, quiet{}}

// Names reads another package's table twice: in SQL and through its model.
func (s *Service) Names(ctx context.Context) ([]string, error) {
	var names []string
	if err := s.db.WithContext(ctx).Raw("SELECT name FROM users WHERE status = 'active'").Scan(&names).Error; err != nil {
		return nil, err
	}
	var u auth.User
	return names, s.db.WithContext(ctx).Take(&u).Error
}

// withRow is a wrapper whose transaction body calls its argument.
func (s *Service) withRow(ctx context.Context, fn func(tx *gorm.DB, n int) error) error {
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		return fn(tx, 1)
	})
}

// PoolInWrappedTx uses the pool inside withRow's transaction.
func (s *Service) PoolInWrappedTx(ctx context.Context) error {
	return s.withRow(ctx, func(tx *gorm.DB, n int) error {
		return s.db.Exec("UPDATE t SET x = ?", n).Error
	})
}

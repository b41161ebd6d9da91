package auth

import (
	"context"
	"time"

	"jiaxiao/app/apperr"
)

// Password hashing (argon2id, 32 MiB and about 40 ms each) is the most
// expensive thing an anonymous visitor can make the server do. It runs
// only after every cheaper check has passed (the form, the SMS or
// activation code, the login throttle), and at most hashSlots at a time:
// the rest wait up to hashWait, then are told the server is busy.
const (
	hashSlots = 2
	hashWait  = 5 * time.Second
)

// ErrBusy refuses a login, registration or activation when every hashing
// slot stayed taken for hashWait.
var ErrBusy = apperr.New(apperr.ErrTooMany, "服务器繁忙，请稍后再试")

// hashing runs fn in one of the service's hashing slots.
func (s *Service) hashing(ctx context.Context, fn func()) error {
	t := time.NewTimer(hashWait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.slots }()
	fn()
	return nil
}

// hash returns the argon2id hash of pw, in a hashing slot.
func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	var (
		h   string
		err error
	)
	if serr := s.hashing(ctx, func() { h, err = s.cost.Hash(pw) }); serr != nil {
		return "", serr
	}
	return h, err
}

// check reports whether pw matches the encoded hash, in a hashing slot.
func (s *Service) check(ctx context.Context, encoded, pw string) (bool, error) {
	var ok bool
	err := s.hashing(ctx, func() { ok = CheckPassword(encoded, pw) })
	return ok, err
}

package auth

import "context"

// OpenSession opens a session for an account without checking a password
// and returns its cookie token. It is for tools that stand in for many
// users at once, such as the load test, where logging thousands of users
// in would spend its time in argon2id; the web app never calls it.
func (s *Service) OpenSession(ctx context.Context, userID uint64, ip, ua string) (string, error) {
	return s.openSession(ctx, userID, ip, ua, "")
}

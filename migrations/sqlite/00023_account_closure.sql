-- why: a parent who closes their account (or whom an admin erases) cannot log in from that moment and is erased once erase_after_days have passed; the erasure job and its nightly catch-up find the accounts due by erase_at.
-- +goose Up
ALTER TABLE users ADD COLUMN closed_at DATETIME NULL;
ALTER TABLE users ADD COLUMN erase_at DATETIME NULL;
CREATE INDEX idx_users_erase_at ON users (erase_at);
-- +goose Down
DROP INDEX idx_users_erase_at;
ALTER TABLE users DROP COLUMN erase_at;
ALTER TABLE users DROP COLUMN closed_at;

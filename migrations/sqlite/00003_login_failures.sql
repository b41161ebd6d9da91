-- why: login throttling per phone and per IP must hold across instances, so failures live in the database.
-- +goose Up
CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  phone TEXT NOT NULL,
  ip TEXT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_login_failures_phone ON login_failures (phone, created_at);
CREATE INDEX idx_login_failures_ip ON login_failures (ip, created_at);
-- +goose Down
DROP TABLE login_failures;

-- why: accounts log in by mainland mobile number; role and status gate every page.
-- +goose Up
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  phone TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  status TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  department TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_users_phone ON users (phone);
CREATE INDEX idx_users_role_status ON users (role, status);
-- +goose Down
DROP TABLE users;

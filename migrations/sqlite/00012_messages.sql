-- why: group feeds: messages with an optional stored file, held for review or deleted by moderators with a reason.
-- +goose Up
CREATE TABLE files (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  storage_key TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  uploaded_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_files_sha ON files (sha256);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id INTEGER NOT NULL,
  author_id INTEGER NOT NULL,
  body TEXT NOT NULL,
  file_id INTEGER NULL,
  status TEXT NOT NULL,
  mention_all INTEGER NOT NULL DEFAULT 0,
  held_reason TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  decided_by INTEGER NULL,
  decided_at DATETIME NULL,
  deleted_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_messages_group ON messages (group_id, id);
CREATE INDEX idx_messages_author ON messages (author_id, created_at);
-- +goose Down
DROP TABLE messages;
DROP TABLE files;

-- why: notices with their target groups, attachments and one receipt per recipient, snapshotted at publication.
-- +goose Up
CREATE TABLE notices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  author_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  category TEXT NOT NULL,
  requires_ack INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  publish_at DATETIME NOT NULL,
  published_at DATETIME NULL,
  recipients INTEGER NOT NULL DEFAULT 0,
  auto_ding_at DATETIME NULL,
  last_ding_at DATETIME NULL,
  archived_at DATETIME NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_notices_author ON notices (author_id, id);
CREATE INDEX idx_notices_status ON notices (status, publish_at);
CREATE TABLE notice_groups (
  notice_id INTEGER NOT NULL,
  group_id INTEGER NOT NULL,
  PRIMARY KEY (notice_id, group_id)
);
CREATE INDEX idx_notice_groups_group ON notice_groups (group_id);
CREATE TABLE notice_files (
  notice_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (notice_id, file_id)
);
CREATE TABLE receipts (
  notice_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  read_at DATETIME NULL,
  acked_at DATETIME NULL,
  dinged_at DATETIME NULL,
  PRIMARY KEY (notice_id, user_id)
);
CREATE INDEX idx_receipts_user ON receipts (user_id, read_at);
-- +goose Down
DROP TABLE receipts;
DROP TABLE notice_files;
DROP TABLE notice_groups;
DROP TABLE notices;

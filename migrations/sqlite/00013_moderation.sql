-- why: moderation: per-member mutes, removals (with an optional ban from re-requesting) that membership sync respects, and the append-only moderation log.
-- +goose Up
CREATE TABLE group_mutes (
  group_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  until DATETIME NOT NULL,
  muted_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE TABLE group_removals (
  group_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  reason TEXT NOT NULL,
  banned INTEGER NOT NULL DEFAULT 0,
  removed_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE TABLE moderation_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id INTEGER NOT NULL,
  actor_id INTEGER NOT NULL,
  subject_id INTEGER NULL,
  message_id INTEGER NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_moderation_logs_group ON moderation_logs (group_id, id);
-- +goose Down
DROP TABLE moderation_logs;
DROP TABLE group_removals;
DROP TABLE group_mutes;

-- why: the banned-content word lists: school-wide (group_id 0, edited by admins) and per group (edited by its moderators), with allow entries.
-- +goose Up
CREATE TABLE word_rules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id INTEGER NOT NULL DEFAULT 0,
  pattern TEXT NOT NULL,
  category TEXT NOT NULL,
  action TEXT NOT NULL,
  created_by INTEGER NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_word_rules ON word_rules (group_id, pattern);
-- +goose Down
DROP TABLE word_rules;

-- why: the banned-content word lists: school-wide (group_id 0, edited by admins) and per group (edited by its moderators), with allow entries.
-- +goose Up
CREATE TABLE word_rules (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  group_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
  pattern VARCHAR(64) NOT NULL,
  category VARCHAR(16) NOT NULL,
  action VARCHAR(16) NOT NULL,
  created_by BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_word_rules (group_id, pattern)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- +goose Down
DROP TABLE word_rules;

-- why: group feeds: messages with an optional stored file, held for review or deleted by moderators with a reason.
-- +goose Up
CREATE TABLE files (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  storage_key VARCHAR(600) NOT NULL,
  name VARCHAR(255) NOT NULL,
  size BIGINT NOT NULL,
  content_type VARCHAR(128) NOT NULL,
  sha256 CHAR(64) NOT NULL,
  uploaded_by BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_files_sha (sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE messages (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  group_id BIGINT UNSIGNED NOT NULL,
  author_id BIGINT UNSIGNED NOT NULL,
  body TEXT NOT NULL,
  file_id BIGINT UNSIGNED NULL,
  status VARCHAR(16) NOT NULL,
  mention_all TINYINT(1) NOT NULL DEFAULT 0,
  held_reason VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  decided_by BIGINT UNSIGNED NULL,
  decided_at DATETIME(6) NULL,
  deleted_reason VARCHAR(255) NOT NULL DEFAULT '',
  KEY idx_messages_group (group_id, id),
  KEY idx_messages_author (author_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE messages;
DROP TABLE files;

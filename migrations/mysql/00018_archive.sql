-- why: the archive index: notices and standalone documents (文件, 报表) with the groups that may see them, searchable by title, body, category, group and date.
-- +goose Up
CREATE TABLE archive_entries (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind VARCHAR(16) NOT NULL,
  notice_id BIGINT UNSIGNED NULL,
  title VARCHAR(100) NOT NULL,
  body TEXT NOT NULL,
  category VARCHAR(16) NOT NULL,
  created_by BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  bundle_key VARCHAR(255) NOT NULL DEFAULT '',
  archived_at DATETIME(6) NULL,
  UNIQUE KEY uq_archive_notice (notice_id),
  KEY idx_archive_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE archive_groups (
  entry_id BIGINT UNSIGNED NOT NULL,
  group_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (entry_id, group_id),
  KEY idx_archive_groups_group (group_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE archive_files (
  entry_id BIGINT UNSIGNED NOT NULL,
  file_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (entry_id, file_id),
  KEY idx_archive_files_file (file_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE archive_files;
DROP TABLE archive_groups;
DROP TABLE archive_entries;

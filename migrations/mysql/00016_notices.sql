-- why: notices with their target groups, attachments and one receipt per recipient, snapshotted at publication.
-- +goose Up
CREATE TABLE notices (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  author_id BIGINT UNSIGNED NOT NULL,
  title VARCHAR(100) NOT NULL,
  body TEXT NOT NULL,
  category VARCHAR(16) NOT NULL,
  requires_ack TINYINT(1) NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL,
  publish_at DATETIME(6) NOT NULL,
  published_at DATETIME(6) NULL,
  recipients INT NOT NULL DEFAULT 0,
  auto_ding_at DATETIME(6) NULL,
  last_ding_at DATETIME(6) NULL,
  archived_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_notices_author (author_id, id),
  KEY idx_notices_status (status, publish_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE notice_groups (
  notice_id BIGINT UNSIGNED NOT NULL,
  group_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (notice_id, group_id),
  KEY idx_notice_groups_group (group_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE notice_files (
  notice_id BIGINT UNSIGNED NOT NULL,
  file_id BIGINT UNSIGNED NOT NULL,
  position INT NOT NULL,
  PRIMARY KEY (notice_id, file_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE receipts (
  notice_id BIGINT UNSIGNED NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  read_at DATETIME(6) NULL,
  acked_at DATETIME(6) NULL,
  dinged_at DATETIME(6) NULL,
  PRIMARY KEY (notice_id, user_id),
  KEY idx_receipts_user (user_id, read_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE receipts;
DROP TABLE notice_files;
DROP TABLE notice_groups;
DROP TABLE notices;

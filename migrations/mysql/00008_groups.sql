-- why: the system-made groups (staff, school, one per class), their members and roles, and parents' join requests.
-- +goose Up
CREATE TABLE `groups` (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind VARCHAR(16) NOT NULL,
  class_id BIGINT UNSIGNED NULL,
  name VARCHAR(64) NOT NULL,
  invite_code VARCHAR(16) NOT NULL,
  posting_open TINYINT(1) NOT NULL DEFAULT 0,
  muted_all TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_groups_invite (invite_code),
  UNIQUE KEY uq_groups_class (class_id),
  KEY idx_groups_kind (kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE group_members (
  group_id BIGINT UNSIGNED NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  role VARCHAR(16) NOT NULL,
  joined_at DATETIME(6) NOT NULL,
  PRIMARY KEY (group_id, user_id),
  KEY idx_group_members_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE join_requests (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  group_id BIGINT UNSIGNED NOT NULL,
  parent_id BIGINT UNSIGNED NOT NULL,
  student_id BIGINT UNSIGNED NOT NULL,
  relation VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  roster_match TINYINT(1) NOT NULL DEFAULT 0,
  decided_by BIGINT UNSIGNED NULL,
  decided_at DATETIME(6) NULL,
  reason VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  KEY idx_join_requests_group (group_id, status),
  KEY idx_join_requests_parent (parent_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE join_failures (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_join_failures_user (user_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE join_failures;
DROP TABLE join_requests;
DROP TABLE group_members;
DROP TABLE `groups`;

-- why: teacher attendance: punches (GPS, terminal, approved make-ups), leave and make-up approvals, and confirmed (locked) months.
-- +goose Up
CREATE TABLE punches (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  at DATETIME(6) NOT NULL,
  source VARCHAR(16) NOT NULL,
  lat DOUBLE NOT NULL DEFAULT 0,
  lng DOUBLE NOT NULL DEFAULT 0,
  accuracy DOUBLE NOT NULL DEFAULT 0,
  distance_m DOUBLE NOT NULL DEFAULT 0,
  field TINYINT(1) NOT NULL DEFAULT 0,
  flagged TINYINT(1) NOT NULL DEFAULT 0,
  note VARCHAR(255) NOT NULL DEFAULT '',
  ip VARCHAR(64) NOT NULL DEFAULT '',
  user_agent VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_punches (user_id, at, source),
  KEY idx_punches_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE approvals (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  kind VARCHAR(16) NOT NULL,
  leave_kind VARCHAR(16) NOT NULL DEFAULT '',
  start_at DATETIME(6) NULL,
  end_at DATETIME(6) NULL,
  days DOUBLE NOT NULL DEFAULT 0,
  day CHAR(10) NOT NULL DEFAULT '',
  which VARCHAR(8) NOT NULL DEFAULT '',
  reason VARCHAR(255) NOT NULL,
  approver_id BIGINT UNSIGNED NULL,
  status VARCHAR(16) NOT NULL,
  decided_by BIGINT UNSIGNED NULL,
  decided_at DATETIME(6) NULL,
  reject_reason VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  KEY idx_approvals_user (user_id, kind, status),
  KEY idx_approvals_approver (approver_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE attendance_months (
  month CHAR(7) NOT NULL PRIMARY KEY,
  confirmed_by BIGINT UNSIGNED NOT NULL,
  confirmed_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE attendance_months;
DROP TABLE approvals;
DROP TABLE punches;

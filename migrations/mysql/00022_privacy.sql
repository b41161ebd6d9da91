-- why: families' data rights (PIPL art. 28, 31): the school's privacy notice and children's rules, versioned; each parent's consent to a version; and an access log of who was shown another person's full phone number, a child's record or attendance data, one row per person shown, so a family can read it.
-- +goose Up
CREATE TABLE privacy_notices (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version INT NOT NULL,
  policy MEDIUMTEXT NOT NULL,
  children MEDIUMTEXT NOT NULL,
  officer VARCHAR(64) NOT NULL DEFAULT '',
  contact VARCHAR(128) NOT NULL DEFAULT '',
  asks_again TINYINT(1) NOT NULL DEFAULT 1,
  author_id BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_privacy_notices_version (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE privacy_consents (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  version INT NOT NULL,
  agreed_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_privacy_consents (user_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE pii_views (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  actor_id BIGINT UNSIGNED NOT NULL,
  kind VARCHAR(32) NOT NULL,
  ref VARCHAR(64) NOT NULL DEFAULT '',
  label VARCHAR(128) NOT NULL DEFAULT '',
  user_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
  student_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
  view_day CHAR(10) NOT NULL,
  viewed_at DATETIME(6) NOT NULL,
  view_count INT NOT NULL DEFAULT 1,
  UNIQUE KEY uq_pii_views (user_id, student_id, actor_id, kind, ref, view_day),
  KEY idx_pii_views_user (user_id, viewed_at),
  KEY idx_pii_views_student (student_id, viewed_at),
  KEY idx_pii_views_actor (actor_id, viewed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE pii_views;
DROP TABLE privacy_consents;
DROP TABLE privacy_notices;

-- why: login throttling per phone and per IP must hold across instances, so failures live in the database.
-- +goose Up
CREATE TABLE login_failures (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  phone VARCHAR(20) NOT NULL,
  ip VARCHAR(64) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_login_failures_phone (phone, created_at),
  KEY idx_login_failures_ip (ip, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE login_failures;

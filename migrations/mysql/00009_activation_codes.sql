-- why: accounts made by a staff roster import are activated once with a code handed out by the office; only the hash is kept.
-- +goose Up
CREATE TABLE activation_codes (
  user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  code_hash CHAR(64) NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE activation_codes;

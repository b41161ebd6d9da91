-- why: background work (archive writes, reminders, scheduled notices) is claimed from one table by every instance.
-- +goose Up
CREATE TABLE jobs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind VARCHAR(64) NOT NULL,
  payload TEXT NOT NULL,
  run_at DATETIME(6) NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  max_attempts INT NOT NULL DEFAULT 25,
  last_error TEXT NULL,
  locked_by VARCHAR(64) NULL,
  locked_until DATETIME(6) NULL,
  done_at DATETIME(6) NULL,
  failed_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_jobs_due (done_at, failed_at, run_at),
  KEY idx_jobs_kind (kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE jobs;

-- why: background work (archive writes, reminders, scheduled notices) is claimed from one table by every instance.
-- +goose Up
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  run_at DATETIME NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 25,
  last_error TEXT NULL,
  locked_by TEXT NULL,
  locked_until DATETIME NULL,
  done_at DATETIME NULL,
  failed_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX idx_jobs_due ON jobs (done_at, failed_at, run_at);
CREATE INDEX idx_jobs_kind ON jobs (kind);
-- +goose Down
DROP TABLE jobs;

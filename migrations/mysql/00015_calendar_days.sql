-- why: the school's own work and rest days, overriding weekends and the official holiday calendar.
-- +goose Up
CREATE TABLE calendar_days (
  day CHAR(10) NOT NULL PRIMARY KEY,
  work TINYINT(1) NOT NULL,
  note VARCHAR(255) NOT NULL DEFAULT '',
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE calendar_days;

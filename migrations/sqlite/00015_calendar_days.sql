-- why: the school's own work and rest days, overriding weekends and the official holiday calendar.
-- +goose Up
CREATE TABLE calendar_days (
  day TEXT NOT NULL PRIMARY KEY,
  work INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  updated_at DATETIME NOT NULL
);
-- +goose Down
DROP TABLE calendar_days;

-- why: school rules the admin edits (guardians per student, attendance and reminder thresholds) as key/value rows.
-- +goose Up
CREATE TABLE settings (
  name TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at DATETIME NOT NULL
);
-- +goose Down
DROP TABLE settings;

-- why: school rules the admin edits (guardians per student, attendance and reminder thresholds) as key/value rows.
-- +goose Up
CREATE TABLE settings (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value VARCHAR(255) NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE settings;

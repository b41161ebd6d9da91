-- why: homework (家校本) is archived with the notices: an entry names its assignment (one entry per assignment) and keeps the subject and due time its bundle carries.
-- +goose Up
ALTER TABLE archive_entries ADD COLUMN homework_id BIGINT UNSIGNED NULL, ADD COLUMN subject VARCHAR(16) NOT NULL DEFAULT '', ADD COLUMN due_at DATETIME(6) NULL;
CREATE UNIQUE INDEX uq_archive_homework ON archive_entries (homework_id);
-- +goose Down
DROP INDEX uq_archive_homework ON archive_entries;
ALTER TABLE archive_entries DROP COLUMN due_at, DROP COLUMN subject, DROP COLUMN homework_id;

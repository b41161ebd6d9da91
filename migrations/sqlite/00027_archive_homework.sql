-- why: homework (家校本) is archived with the notices: an entry names its assignment (one entry per assignment) and keeps the subject and due time its bundle carries.
-- +goose Up
ALTER TABLE archive_entries ADD COLUMN homework_id INTEGER NULL;
ALTER TABLE archive_entries ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE archive_entries ADD COLUMN due_at DATETIME NULL;
CREATE UNIQUE INDEX uq_archive_homework ON archive_entries (homework_id);
-- +goose Down
DROP INDEX uq_archive_homework;
ALTER TABLE archive_entries DROP COLUMN due_at;
ALTER TABLE archive_entries DROP COLUMN subject;
ALTER TABLE archive_entries DROP COLUMN homework_id;

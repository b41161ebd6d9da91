-- why: the archive index: notices and standalone documents (文件, 报表) with the groups that may see them, searchable by title, body, category, group and date.
-- +goose Up
CREATE TABLE archive_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  notice_id INTEGER NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  category TEXT NOT NULL,
  created_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  bundle_key TEXT NOT NULL DEFAULT '',
  archived_at DATETIME NULL
);
CREATE UNIQUE INDEX uq_archive_notice ON archive_entries (notice_id);
CREATE INDEX idx_archive_created ON archive_entries (created_at);
CREATE TABLE archive_groups (
  entry_id INTEGER NOT NULL,
  group_id INTEGER NOT NULL,
  PRIMARY KEY (entry_id, group_id)
);
CREATE INDEX idx_archive_groups_group ON archive_groups (group_id);
CREATE TABLE archive_files (
  entry_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  PRIMARY KEY (entry_id, file_id)
);
CREATE INDEX idx_archive_files_file ON archive_files (file_id);
-- +goose Down
DROP TABLE archive_files;
DROP TABLE archive_groups;
DROP TABLE archive_entries;

-- why: a file taken while object storage is down waits in the database, in chunks, until the archive job moves it; nothing is lost.
-- +goose Up
ALTER TABLE files ADD COLUMN staged INTEGER NOT NULL DEFAULT 0;
CREATE TABLE file_chunks (
  file_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (file_id, seq)
);
-- +goose Down
DROP TABLE file_chunks;
ALTER TABLE files DROP COLUMN staged;

-- why: a file taken while object storage is down waits in the database, in chunks, until the archive job moves it; nothing is lost.
-- +goose Up
ALTER TABLE files ADD COLUMN staged TINYINT(1) NOT NULL DEFAULT 0;
CREATE TABLE file_chunks (
  file_id BIGINT UNSIGNED NOT NULL,
  seq INT NOT NULL,
  data MEDIUMBLOB NOT NULL,
  PRIMARY KEY (file_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE file_chunks;
ALTER TABLE files DROP COLUMN staged;

-- why: accounts made by a staff roster import are activated once with a code handed out by the office; only the hash is kept.
-- +goose Up
CREATE TABLE activation_codes (
  user_id INTEGER NOT NULL PRIMARY KEY,
  code_hash TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL
);
-- +goose Down
DROP TABLE activation_codes;

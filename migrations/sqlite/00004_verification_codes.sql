-- why: parent self-registration proves the phone with a short-lived code; only its hash is kept.
-- +goose Up
CREATE TABLE verification_codes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  phone TEXT NOT NULL,
  purpose TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  used_at DATETIME NULL
);
CREATE INDEX idx_verification_codes_phone ON verification_codes (phone, purpose, created_at);
-- +goose Down
DROP TABLE verification_codes;

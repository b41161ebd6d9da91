-- why: registration codes cost an SMS each; limiting them per IP (loosely, since a school's Wi-Fi is one address) stops one client from sending to many phones.
-- +goose Up
ALTER TABLE verification_codes ADD COLUMN ip VARCHAR(64) NOT NULL DEFAULT '';
CREATE INDEX idx_verification_codes_ip ON verification_codes (ip, created_at);
-- +goose Down
DROP INDEX idx_verification_codes_ip ON verification_codes;
ALTER TABLE verification_codes DROP COLUMN ip;

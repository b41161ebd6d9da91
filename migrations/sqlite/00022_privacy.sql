-- why: families' data rights (PIPL art. 28, 31): the school's privacy notice and children's rules, versioned; each parent's consent to a version; and an access log of who was shown another person's full phone number, a child's record or attendance data, one row per person shown, so a family can read it.
-- +goose Up
CREATE TABLE privacy_notices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  version INTEGER NOT NULL,
  policy TEXT NOT NULL,
  children TEXT NOT NULL,
  officer TEXT NOT NULL DEFAULT '',
  contact TEXT NOT NULL DEFAULT '',
  asks_again INTEGER NOT NULL DEFAULT 1,
  author_id INTEGER NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_privacy_notices_version ON privacy_notices (version);
CREATE TABLE privacy_consents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  agreed_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_privacy_consents ON privacy_consents (user_id, version);
CREATE TABLE pii_views (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  actor_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL DEFAULT '',
  label TEXT NOT NULL DEFAULT '',
  user_id INTEGER NOT NULL DEFAULT 0,
  student_id INTEGER NOT NULL DEFAULT 0,
  view_day TEXT NOT NULL,
  viewed_at DATETIME NOT NULL,
  view_count INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_pii_views ON pii_views (user_id, student_id, actor_id, kind, ref, view_day);
CREATE INDEX idx_pii_views_user ON pii_views (user_id, viewed_at);
CREATE INDEX idx_pii_views_student ON pii_views (student_id, viewed_at);
CREATE INDEX idx_pii_views_actor ON pii_views (actor_id, viewed_at);
-- +goose Down
DROP TABLE pii_views;
DROP TABLE privacy_consents;
DROP TABLE privacy_notices;

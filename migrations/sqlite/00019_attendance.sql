-- why: teacher attendance: punches (GPS, terminal, approved make-ups), leave and make-up approvals, and confirmed (locked) months.
-- +goose Up
CREATE TABLE punches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  at DATETIME NOT NULL,
  source TEXT NOT NULL,
  lat REAL NOT NULL DEFAULT 0,
  lng REAL NOT NULL DEFAULT 0,
  accuracy REAL NOT NULL DEFAULT 0,
  distance_m REAL NOT NULL DEFAULT 0,
  field INTEGER NOT NULL DEFAULT 0,
  flagged INTEGER NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_punches ON punches (user_id, at, source);
CREATE INDEX idx_punches_at ON punches (at);
CREATE TABLE approvals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  leave_kind TEXT NOT NULL DEFAULT '',
  start_at DATETIME NULL,
  end_at DATETIME NULL,
  days REAL NOT NULL DEFAULT 0,
  day TEXT NOT NULL DEFAULT '',
  which TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL,
  approver_id INTEGER NULL,
  status TEXT NOT NULL,
  decided_by INTEGER NULL,
  decided_at DATETIME NULL,
  reject_reason TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_approvals_user ON approvals (user_id, kind, status);
CREATE INDEX idx_approvals_approver ON approvals (approver_id, status);
CREATE TABLE attendance_months (
  month TEXT NOT NULL PRIMARY KEY,
  confirmed_by INTEGER NOT NULL,
  confirmed_at DATETIME NOT NULL
);
-- +goose Down
DROP TABLE attendance_months;
DROP TABLE approvals;
DROP TABLE punches;

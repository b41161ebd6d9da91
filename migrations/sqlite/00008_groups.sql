-- why: the system-made groups (staff, school, one per class), their members and roles, and parents' join requests.
-- +goose Up
CREATE TABLE groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  class_id INTEGER NULL,
  name TEXT NOT NULL,
  invite_code TEXT NOT NULL,
  posting_open INTEGER NOT NULL DEFAULT 0,
  muted_all INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_groups_invite ON groups (invite_code);
CREATE UNIQUE INDEX uq_groups_class ON groups (class_id);
CREATE INDEX idx_groups_kind ON groups (kind);
CREATE TABLE group_members (
  group_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  role TEXT NOT NULL,
  joined_at DATETIME NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX idx_group_members_user ON group_members (user_id);
CREATE TABLE join_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id INTEGER NOT NULL,
  parent_id INTEGER NOT NULL,
  student_id INTEGER NOT NULL,
  relation TEXT NOT NULL,
  status TEXT NOT NULL,
  roster_match INTEGER NOT NULL DEFAULT 0,
  decided_by INTEGER NULL,
  decided_at DATETIME NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_join_requests_group ON join_requests (group_id, status);
CREATE INDEX idx_join_requests_parent ON join_requests (parent_id, status);
CREATE TABLE join_failures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_join_failures_user ON join_failures (user_id, created_at);
-- +goose Down
DROP TABLE join_failures;
DROP TABLE join_requests;
DROP TABLE group_members;
DROP TABLE groups;

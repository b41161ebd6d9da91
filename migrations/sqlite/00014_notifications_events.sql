-- why: the notification centre, and the event table through which live updates reach users on every instance.
-- +goose Up
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  link TEXT NOT NULL DEFAULT '',
  read_at DATETIME NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_notifications_user ON notifications (user_id, read_at, id);
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL DEFAULT 0,
  group_id INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL,
  ref_id INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_events_created ON events (created_at);
-- +goose Down
DROP TABLE events;
DROP TABLE notifications;

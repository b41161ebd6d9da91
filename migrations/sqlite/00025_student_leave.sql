-- why: student leave (学生请假): a guardian asks for 事假 or 病假 by half days, the class's head teacher approves or rejects it and marks the child back (销假); symptoms of 病假 are kept for the health office's illness tracking (因病缺课追踪). class_id is the class when asked, for the head teacher's list; the date columns serve the morning view and the school's day.
-- +goose Up
CREATE TABLE student_leaves (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  student_id INTEGER NOT NULL,
  class_id INTEGER NOT NULL,
  parent_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  start_date TEXT NOT NULL,
  start_half TEXT NOT NULL,
  end_date TEXT NOT NULL,
  end_half TEXT NOT NULL,
  half_days INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL,
  symptoms TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  decided_by INTEGER NULL,
  decided_at DATETIME NULL,
  reject_reason TEXT NOT NULL DEFAULT '',
  returned_by INTEGER NULL,
  returned_at DATETIME NULL,
  file_id INTEGER NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_student_leaves_class ON student_leaves (class_id, status, start_date);
CREATE INDEX idx_student_leaves_day ON student_leaves (start_date, end_date);
CREATE INDEX idx_student_leaves_student ON student_leaves (student_id, start_date);
CREATE INDEX idx_student_leaves_parent ON student_leaves (parent_id);
-- +goose Down
DROP TABLE student_leaves;

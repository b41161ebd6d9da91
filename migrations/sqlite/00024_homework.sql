-- why: homework (家校本): an assignment set to one or more classes, with its files, and one submission per student
-- that a guardian hands in, replaces until it is marked, and a teacher marks; the indexes serve a teacher's list
-- (by author), a parent's list (by class), the submissions page (by assignment) and a family's own submissions.
-- +goose Up
CREATE TABLE assignments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  author_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  due_at DATETIME NOT NULL,
  requires_submission INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  published_at DATETIME NULL,
  archived_at DATETIME NULL
);
CREATE INDEX idx_assignments_author ON assignments (author_id, id);
CREATE INDEX idx_assignments_due ON assignments (due_at);
CREATE TABLE assignment_classes (
  assignment_id INTEGER NOT NULL,
  class_id INTEGER NOT NULL,
  PRIMARY KEY (assignment_id, class_id)
);
CREATE INDEX idx_assignment_classes_class ON assignment_classes (class_id, assignment_id);
CREATE TABLE assignment_files (
  assignment_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (assignment_id, file_id)
);
CREATE TABLE submissions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  assignment_id INTEGER NOT NULL,
  student_id INTEGER NOT NULL,
  parent_id INTEGER NOT NULL,
  body TEXT NOT NULL,
  submitted_at DATETIME NOT NULL,
  late INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  grade TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  redo INTEGER NOT NULL DEFAULT 0,
  featured INTEGER NOT NULL DEFAULT 0,
  reviewed_by INTEGER NULL,
  reviewed_at DATETIME NULL
);
CREATE UNIQUE INDEX idx_submissions_student ON submissions (assignment_id, student_id);
CREATE INDEX idx_submissions_featured ON submissions (assignment_id, featured);
CREATE INDEX idx_submissions_by_student ON submissions (student_id, assignment_id);
CREATE TABLE submission_files (
  submission_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (submission_id, file_id)
);
-- +goose Down
DROP TABLE submission_files;
DROP TABLE submissions;
DROP TABLE assignment_files;
DROP TABLE assignment_classes;
DROP TABLE assignments;

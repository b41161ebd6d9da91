-- why: homework (家校本): an assignment set to one or more classes, with its files, and one submission per student
-- that a guardian hands in, replaces until it is marked, and a teacher marks; the indexes serve a teacher's list
-- (by author), a parent's list (by class), the submissions page (by assignment) and a family's own submissions.
-- +goose Up
CREATE TABLE assignments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  author_id BIGINT UNSIGNED NOT NULL,
  title VARCHAR(100) NOT NULL,
  subject VARCHAR(16) NOT NULL,
  body TEXT NOT NULL,
  due_at DATETIME(6) NOT NULL,
  requires_submission TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  published_at DATETIME(6) NULL,
  archived_at DATETIME(6) NULL,
  KEY idx_assignments_author (author_id, id),
  KEY idx_assignments_due (due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE assignment_classes (
  assignment_id BIGINT UNSIGNED NOT NULL,
  class_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (assignment_id, class_id),
  KEY idx_assignment_classes_class (class_id, assignment_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE assignment_files (
  assignment_id BIGINT UNSIGNED NOT NULL,
  file_id BIGINT UNSIGNED NOT NULL,
  position INT NOT NULL,
  PRIMARY KEY (assignment_id, file_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE submissions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  assignment_id BIGINT UNSIGNED NOT NULL,
  student_id BIGINT UNSIGNED NOT NULL,
  parent_id BIGINT UNSIGNED NOT NULL,
  body TEXT NOT NULL,
  submitted_at DATETIME(6) NOT NULL,
  late TINYINT(1) NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL,
  grade VARCHAR(8) NOT NULL DEFAULT '',
  comment TEXT NOT NULL,
  redo TINYINT(1) NOT NULL DEFAULT 0,
  featured TINYINT(1) NOT NULL DEFAULT 0,
  reviewed_by BIGINT UNSIGNED NULL,
  reviewed_at DATETIME(6) NULL,
  UNIQUE KEY idx_submissions_student (assignment_id, student_id),
  KEY idx_submissions_featured (assignment_id, featured),
  KEY idx_submissions_by_student (student_id, assignment_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE submission_files (
  submission_id BIGINT UNSIGNED NOT NULL,
  file_id BIGINT UNSIGNED NOT NULL,
  position INT NOT NULL,
  PRIMARY KEY (submission_id, file_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE submission_files;
DROP TABLE submissions;
DROP TABLE assignment_files;
DROP TABLE assignment_classes;
DROP TABLE assignments;

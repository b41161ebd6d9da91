-- why: student leave (学生请假): a guardian asks for 事假 or 病假 by half days, the class's head teacher approves or rejects it and marks the child back (销假); symptoms of 病假 are kept for the health office's illness tracking (因病缺课追踪). class_id is the class when asked, for the head teacher's list; the date columns serve the morning view and the school's day.
-- +goose Up
CREATE TABLE student_leaves (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  student_id BIGINT UNSIGNED NOT NULL,
  class_id BIGINT UNSIGNED NOT NULL,
  parent_id BIGINT UNSIGNED NOT NULL,
  kind VARCHAR(8) NOT NULL,
  start_date CHAR(10) NOT NULL,
  start_half CHAR(2) NOT NULL,
  end_date CHAR(10) NOT NULL,
  end_half CHAR(2) NOT NULL,
  half_days INT NOT NULL DEFAULT 0,
  reason VARCHAR(600) NOT NULL,
  symptoms VARCHAR(64) NOT NULL DEFAULT '',
  status VARCHAR(16) NOT NULL,
  decided_by BIGINT UNSIGNED NULL,
  decided_at DATETIME(6) NULL,
  reject_reason VARCHAR(600) NOT NULL DEFAULT '',
  returned_by BIGINT UNSIGNED NULL,
  returned_at DATETIME(6) NULL,
  file_id BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_student_leaves_class (class_id, status, start_date),
  KEY idx_student_leaves_day (start_date, end_date),
  KEY idx_student_leaves_student (student_id, start_date),
  KEY idx_student_leaves_parent (parent_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE student_leaves;

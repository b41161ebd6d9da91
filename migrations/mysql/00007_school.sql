-- why: the school roster (classes, students, the guardians the roster lists, departments, teaching assignments) from which group membership is derived.
-- +goose Up
CREATE TABLE classes (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  grade INT NOT NULL,
  number INT NOT NULL,
  head_teacher_id BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_classes_grade_number (grade, number),
  KEY idx_classes_head (head_teacher_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE students (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  student_no VARCHAR(32) NOT NULL,
  name VARCHAR(64) NOT NULL,
  class_id BIGINT UNSIGNED NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_students_no (student_no),
  KEY idx_students_class (class_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE student_contacts (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  student_id BIGINT UNSIGNED NOT NULL,
  name VARCHAR(64) NOT NULL,
  phone VARCHAR(20) NOT NULL,
  relation VARCHAR(16) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_student_contacts (student_id, phone),
  KEY idx_student_contacts_phone (phone)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE guardianships (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  student_id BIGINT UNSIGNED NOT NULL,
  parent_id BIGINT UNSIGNED NOT NULL,
  relation VARCHAR(16) NOT NULL,
  approved_by BIGINT UNSIGNED NULL,
  approved_at DATETIME(6) NOT NULL,
  revoked_at DATETIME(6) NULL,
  revoked_reason VARCHAR(255) NOT NULL DEFAULT '',
  KEY idx_guardianships_student (student_id, revoked_at),
  KEY idx_guardianships_parent (parent_id, revoked_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE departments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  head_id BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_departments_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE class_teachers (
  class_id BIGINT UNSIGNED NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (class_id, user_id),
  KEY idx_class_teachers_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- +goose Down
DROP TABLE class_teachers;
DROP TABLE departments;
DROP TABLE guardianships;
DROP TABLE student_contacts;
DROP TABLE students;
DROP TABLE classes;

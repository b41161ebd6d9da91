-- why: the school roster (classes, students, the guardians the roster lists, departments, teaching assignments) from which group membership is derived.
-- +goose Up
CREATE TABLE classes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  grade INTEGER NOT NULL,
  number INTEGER NOT NULL,
  head_teacher_id INTEGER NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_classes_grade_number ON classes (grade, number);
CREATE INDEX idx_classes_head ON classes (head_teacher_id);
CREATE TABLE students (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  student_no TEXT NOT NULL,
  name TEXT NOT NULL,
  class_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_students_no ON students (student_no);
CREATE INDEX idx_students_class ON students (class_id, status);
CREATE TABLE student_contacts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  student_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  phone TEXT NOT NULL,
  relation TEXT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_student_contacts ON student_contacts (student_id, phone);
CREATE INDEX idx_student_contacts_phone ON student_contacts (phone);
CREATE TABLE guardianships (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  student_id INTEGER NOT NULL,
  parent_id INTEGER NOT NULL,
  relation TEXT NOT NULL,
  approved_by INTEGER NULL,
  approved_at DATETIME NOT NULL,
  revoked_at DATETIME NULL,
  revoked_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_guardianships_student ON guardianships (student_id, revoked_at);
CREATE INDEX idx_guardianships_parent ON guardianships (parent_id, revoked_at);
CREATE TABLE departments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  head_id INTEGER NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_departments_name ON departments (name);
CREATE TABLE class_teachers (
  class_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (class_id, user_id)
);
CREATE INDEX idx_class_teachers_user ON class_teachers (user_id);
-- +goose Down
DROP TABLE class_teachers;
DROP TABLE departments;
DROP TABLE guardianships;
DROP TABLE student_contacts;
DROP TABLE students;
DROP TABLE classes;

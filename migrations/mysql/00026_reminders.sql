-- why: homework and student-leave reminders are found by a scan every minute, not by one job each: reminded_at marks an assignment whose families were reminded before its due time, head_reminded_at a leave request whose head teacher was reminded after 30 working minutes, so each is sent once, across restarts and instances, while a settings change still applies to those not yet sent; the indexes serve the two scans (the leave one led by head_reminded_at, so that a query of the day by status IN (…) is not drawn to it).
-- +goose Up
ALTER TABLE assignments ADD COLUMN reminded_at DATETIME(6) NULL;
CREATE INDEX idx_assignments_remind ON assignments (requires_submission, reminded_at, due_at);
ALTER TABLE student_leaves ADD COLUMN head_reminded_at DATETIME(6) NULL;
CREATE INDEX idx_student_leaves_remind ON student_leaves (head_reminded_at, status, created_at);
-- +goose Down
DROP INDEX idx_student_leaves_remind ON student_leaves;
ALTER TABLE student_leaves DROP COLUMN head_reminded_at;
DROP INDEX idx_assignments_remind ON assignments;
ALTER TABLE assignments DROP COLUMN reminded_at;

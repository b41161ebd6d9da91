-- why: a download (/files/:id) asks each holder of files whether the viewer may see the file, by file id: the chat's messages, notices, homework and its submissions, doctor's notes on leave. Without an index led by file_id each of those asks read its whole table, the chat's messages above all, for every photo on every page.
-- +goose Up
CREATE INDEX idx_messages_file ON messages (file_id);
CREATE INDEX idx_notice_files_file ON notice_files (file_id);
CREATE INDEX idx_assignment_files_file ON assignment_files (file_id);
CREATE INDEX idx_submission_files_file ON submission_files (file_id);
CREATE INDEX idx_student_leaves_file ON student_leaves (file_id);
-- +goose Down
DROP INDEX idx_student_leaves_file ON student_leaves;
DROP INDEX idx_submission_files_file ON submission_files;
DROP INDEX idx_assignment_files_file ON assignment_files;
DROP INDEX idx_notice_files_file ON notice_files;
DROP INDEX idx_messages_file ON messages;

-- why: the school's day and the morning view ask which leave is under way on a date: started at most the longest span before it, and not ended before it. Leave is never purged, so after some years an index by start alone walks months of requests; led by end_date it starts at the date and reads only what has not ended yet.
-- +goose Up
CREATE INDEX idx_student_leaves_end ON student_leaves (end_date, start_date);
-- +goose Down
DROP INDEX idx_student_leaves_end;

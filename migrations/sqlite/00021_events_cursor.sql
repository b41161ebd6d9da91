-- why: a page that reconnects is sent the events it missed (its user's, and its group's) after its last event id; this index finds them without scanning every event since that id.
-- +goose Up
CREATE INDEX idx_events_route ON events (user_id, group_id, id);
-- +goose Down
DROP INDEX idx_events_route;

-- +goose Up
-- The seq of the system message that announced a member's joining: a member
-- sees messages from it on (existing members, 0, see everything).
ALTER TABLE members ADD COLUMN joined_seq BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE members DROP COLUMN joined_seq;

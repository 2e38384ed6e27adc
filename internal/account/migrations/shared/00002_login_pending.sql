-- +goose Up
-- Password checks in flight for a username: a check reserves its slot
-- before argon2 runs, so failures + pending never pass the limit, even
-- when many checks arrive at once on several nodes.
ALTER TABLE login_failures ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE login_failures DROP COLUMN pending;

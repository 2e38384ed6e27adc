-- +goose Up
-- The live component's schema (rooms, shelf, purchases, comments, mutes,
-- reminders): written with the rooms work.
CREATE TABLE live_placeholder (id TEXT PRIMARY KEY);

-- +goose Down
DROP TABLE live_placeholder;

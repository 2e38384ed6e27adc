-- +goose Up
-- A user's own settings, and when they were last seen (chat's presence
-- writes it when their last socket closes). No row: the defaults (last
-- seen shown, never seen).
CREATE TABLE user_settings (
    user_id        TEXT PRIMARY KEY REFERENCES users (id),
    show_last_seen INTEGER NOT NULL DEFAULT 1,
    last_seen      BIGINT
);

-- +goose Down
DROP TABLE user_settings;

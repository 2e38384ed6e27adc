-- +goose Up
-- The room's chat (realtime.go, comments.go): comments, mutes and the
-- room's counters. Room ids are live_rooms ids (core's table); no foreign
-- key, so the chat's tables stand on their own.
CREATE TABLE live_comments (
    id         TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    -- The poster's id for the comment (a retry with it answers the first);
    -- the comment's own id when the client sent none.
    client_id  TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deleted    BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX live_comments_client ON live_comments (room_id, user_id, client_id);
CREATE INDEX live_comments_room ON live_comments (room_id, deleted, created_at);

-- Viewers the host muted in a room.
CREATE TABLE live_mutes (
    room_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    muted_by   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

-- A room's chat counters: likes (flushed every ~250 ms from each node's
-- aggregate), comments, the peak of viewers, the pinned comment.
CREATE TABLE live_room_counters (
    room_id      TEXT PRIMARY KEY,
    likes        BIGINT NOT NULL DEFAULT 0,
    comments     BIGINT NOT NULL DEFAULT 0,
    peak_viewers BIGINT NOT NULL DEFAULT 0,
    pinned_id    TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE live_room_counters;
DROP TABLE live_mutes;
DROP TABLE live_comments;

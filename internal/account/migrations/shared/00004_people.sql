-- +goose Up
-- A user's avatar: users.avatar_hash names the current one (NULL: none),
-- so that every user row read carries its avatar_url; the resized JPEGs
-- themselves live in avatars, in the database on both dialects (a few
-- tens of KiB a user), so that every node serves them and erasing an
-- account deletes them in its own transaction.
ALTER TABLE users ADD COLUMN avatar_hash TEXT;
CREATE TABLE avatars (
    user_id    TEXT PRIMARY KEY REFERENCES users (id),
    hash       TEXT NOT NULL,
    small      BYTEA NOT NULL,
    large      BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);

-- What a user notes about a contact (only they see it): a remark shown
-- instead of the contact's display name, and tags (a JSON array of
-- strings). They go with the contact row: removing the contact drops them.
ALTER TABLE contacts ADD COLUMN remark TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

-- user_id blocked blocked_id: blocked_id can no longer send user_id
-- contact requests or messages in their direct conversation.
CREATE TABLE blocks (
    user_id    TEXT NOT NULL REFERENCES users (id),
    blocked_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

-- +goose Down
DROP TABLE blocks;
ALTER TABLE contacts DROP COLUMN tags;
ALTER TABLE contacts DROP COLUMN remark;
DROP TABLE avatars;
ALTER TABLE users DROP COLUMN avatar_hash;

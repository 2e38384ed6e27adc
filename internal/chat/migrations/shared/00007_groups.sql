-- +goose Up
-- Groups: an announcement, roles, per-member settings, mentions, invites.
ALTER TABLE conversations ADD COLUMN announcement TEXT NOT NULL DEFAULT '';
-- When the announcement last changed (µs; 0: never), so that a client can
-- show it again once it changes.
ALTER TABLE conversations ADD COLUMN announcement_at BIGINT NOT NULL DEFAULT 0;

-- owner | admin | member. Existing groups: their creator owns them.
ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
UPDATE members SET role = 'owner'
 WHERE user_id = (SELECT c.created_by FROM conversations c WHERE c.id = members.conversation_id AND c.type = 'group');
-- The member's own settings: muted (0/1) and pinned_at (µs; 0: not pinned).
ALTER TABLE members ADD COLUMN muted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN pinned_at BIGINT NOT NULL DEFAULT 0;
-- "Clear chat history": the member no longer sees seq <= cleared_seq (their
-- joined_seq is raised past it too, which history, sync and media honour).
ALTER TABLE members ADD COLUMN cleared_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX members_pinned ON members (user_id, pinned_at);

-- Who a message mentions: a member's id, or 'all' (@All).
CREATE TABLE message_mentions (
    message_id      TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    sender_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX message_mentions_user ON message_mentions (conversation_id, user_id, seq);

-- Group invites (the group QR code): only the code's SHA-256 is kept.
CREATE TABLE group_invites (
    code_hash       TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX group_invites_conversation ON group_invites (conversation_id);

-- +goose Down
DROP TABLE group_invites;
DROP TABLE message_mentions;
DROP INDEX members_pinned;
ALTER TABLE members DROP COLUMN cleared_seq;
ALTER TABLE members DROP COLUMN pinned_at;
ALTER TABLE members DROP COLUMN muted;
ALTER TABLE members DROP COLUMN role;
ALTER TABLE conversations DROP COLUMN announcement_at;
ALTER TABLE conversations DROP COLUMN announcement;

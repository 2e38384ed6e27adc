-- +goose Up
CREATE TABLE conversations (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,          -- direct | group
    title      TEXT NOT NULL DEFAULT '',
    -- For direct conversations: the two user ids, sorted, joined by ':'.
    -- Unique, so there is one direct conversation per pair even under races.
    direct_key TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- The last message's seq: each send takes last_seq + 1 in its own
    -- transaction, so seqs are gapless and assigned at commit.
    last_seq   BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX conversations_direct ON conversations (direct_key);

CREATE TABLE members (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    user_id         TEXT NOT NULL,
    read_seq        BIGINT NOT NULL DEFAULT 0,
    joined_at       BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    seq             BIGINT NOT NULL,
    sender_id       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    text            TEXT NOT NULL DEFAULT '',
    client_id       TEXT NOT NULL,
    media_id        TEXT,
    ref_id          TEXT,            -- red_packet_id or transaction_id
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX messages_seq ON messages (conversation_id, seq);
-- A client's client_id makes sending idempotent.
CREATE UNIQUE INDEX messages_client ON messages (conversation_id, sender_id, client_id);
CREATE INDEX messages_media ON messages (media_id);

CREATE TABLE media (
    id           TEXT PRIMARY KEY,
    owner_id     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    -- The bytes, when blobs are kept in the database (PostgreSQL: shared by
    -- every node); NULL when they are files in the data folder.
    data         BYTEA
);

-- +goose Down
DROP TABLE media;
DROP TABLE messages;
DROP TABLE members;
DROP TABLE conversations;

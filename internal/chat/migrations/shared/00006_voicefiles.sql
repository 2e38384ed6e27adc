-- +goose Up
-- Voice and file messages carry what their bubble shows, copied from the
-- upload when sent (the upload may later go; the message keeps its card).
ALTER TABLE messages ADD COLUMN duration_ms BIGINT;   -- voice: the server's measure
ALTER TABLE messages ADD COLUMN media_name TEXT;      -- file: the original name
ALTER TABLE messages ADD COLUMN media_size BIGINT;    -- file: bytes
ALTER TABLE messages ADD COLUMN media_type TEXT;      -- file: the sniffed content type

-- What an upload was declared for (image, voice, file), its original
-- name and, for voice, the duration the server measured.
ALTER TABLE media ADD COLUMN purpose TEXT NOT NULL DEFAULT 'image';
ALTER TABLE media ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN duration_ms BIGINT NOT NULL DEFAULT 0;

-- Voice and file uploads kept in the database (PostgreSQL, shared by every
-- node) are streamed in chunks of at most 1 MiB, so that no upload or
-- download holds a whole file in memory. A chunk belongs to its media row
-- and goes with it (unsent uploads pruned, accounts erased, an upload
-- refused half-way). SQLite nodes keep blobs as files in the data folder
-- and leave this table empty.
CREATE TABLE media_chunks (
    media_id TEXT NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    idx      BIGINT NOT NULL,
    data     BYTEA NOT NULL,
    PRIMARY KEY (media_id, idx)
);

-- +goose Down
DROP TABLE media_chunks;
ALTER TABLE media DROP COLUMN duration_ms;
ALTER TABLE media DROP COLUMN name;
ALTER TABLE media DROP COLUMN purpose;
ALTER TABLE messages DROP COLUMN media_type;
ALTER TABLE messages DROP COLUMN media_size;
ALTER TABLE messages DROP COLUMN media_name;
ALTER TABLE messages DROP COLUMN duration_ms;

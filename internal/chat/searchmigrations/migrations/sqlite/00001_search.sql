-- +goose Up
-- Full-text search of message history (search.go). What is searchable: text
-- and image captions, while they have text; erased, recalled and system
-- messages never are. Triggers on messages keep the index in step with
-- every insert, edit, recall, erasure and delete, whoever makes them.

-- Messages a user deleted for themself (another part makes the same table;
-- whichever migration runs first creates it).
CREATE TABLE IF NOT EXISTS hidden_messages (
    message_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

-- One row per searchable message. id, an explicit INTEGER PRIMARY KEY, is
-- the FTS rowid: messages' own rowid is implicit, and VACUUM (INTO, as the
-- backup does) may renumber it. Ids grow in commit order: the newest hit
-- has the highest id, and pages go down by id.
CREATE TABLE search_docs (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    seq             BIGINT NOT NULL
);
CREATE INDEX search_docs_conversation ON search_docs (conversation_id, id);

-- Trigram: substrings of 3 or more characters in any script (CJK has no
-- spaces to split words on). Contentless: the text is in messages already;
-- removal uses the 'delete' command with the old text.
CREATE VIRTUAL TABLE search_fts USING fts5(text, content='', tokenize='trigram');

INSERT INTO search_docs (message_id, conversation_id, seq)
    SELECT id, conversation_id, seq FROM messages
    WHERE kind IN ('text', 'image') AND text <> '' ORDER BY created_at, conversation_id, seq;
INSERT INTO search_fts (rowid, text)
    SELECT d.id, g.text FROM search_docs d JOIN messages g ON g.id = d.message_id;

-- +goose StatementBegin
CREATE TRIGGER search_messages_insert AFTER INSERT ON messages
WHEN new.kind IN ('text', 'image') AND new.text <> ''
BEGIN
    INSERT INTO search_docs (message_id, conversation_id, seq) VALUES (new.id, new.conversation_id, new.seq);
    INSERT INTO search_fts (rowid, text) SELECT id, new.text FROM search_docs WHERE message_id = new.id;
END;
-- +goose StatementEnd

-- An edit keeps the document's id (its place in the results); a recall or
-- erasure (kind changes, text emptied) removes it.
-- +goose StatementBegin
CREATE TRIGGER search_messages_update AFTER UPDATE OF text, kind ON messages
BEGIN
    INSERT INTO search_fts (search_fts, rowid, text) SELECT 'delete', id, old.text FROM search_docs WHERE message_id = old.id;
    DELETE FROM search_docs WHERE message_id = old.id AND NOT (new.kind IN ('text', 'image') AND new.text <> '');
    INSERT INTO search_docs (message_id, conversation_id, seq)
        SELECT new.id, new.conversation_id, new.seq WHERE new.kind IN ('text', 'image') AND new.text <> ''
        ON CONFLICT (message_id) DO NOTHING;
    INSERT INTO search_fts (rowid, text) SELECT id, new.text FROM search_docs WHERE message_id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_messages_delete AFTER DELETE ON messages
BEGIN
    INSERT INTO search_fts (search_fts, rowid, text) SELECT 'delete', id, old.text FROM search_docs WHERE message_id = old.id;
    DELETE FROM search_docs WHERE message_id = old.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER search_messages_delete;
DROP TRIGGER search_messages_update;
DROP TRIGGER search_messages_insert;
DROP TABLE search_fts;
DROP TABLE search_docs;

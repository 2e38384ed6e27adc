-- +goose Up
-- Full-text search of message history (search.go). What is searchable: text
-- and image captions, while they have text; erased, recalled and system
-- messages never are. Triggers on messages keep the index in step with
-- every insert, edit, recall, erasure and delete, whoever makes them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Messages a user deleted for themself (another part makes the same table;
-- whichever migration runs first creates it).
CREATE TABLE IF NOT EXISTS hidden_messages (
    message_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

-- One row per searchable message, with its text under a trigram index
-- (substrings of 3 or more characters, any script). Ids grow in commit
-- order: the newest hit has the highest id, and pages go down by id.
CREATE TABLE search_docs (
    id              BIGSERIAL PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    text            TEXT NOT NULL
);
CREATE INDEX search_docs_conversation ON search_docs (conversation_id, id);

INSERT INTO search_docs (message_id, conversation_id, seq, text)
    SELECT id, conversation_id, seq, text FROM messages
    WHERE kind IN ('text', 'image') AND text <> '' ORDER BY created_at, conversation_id, seq;
CREATE INDEX search_docs_text ON search_docs USING gin (lower(text) gin_trgm_ops);

-- An edit keeps the document's id (its place in the results); a recall or
-- erasure (kind changes, text emptied) removes it.
-- +goose StatementBegin
CREATE FUNCTION search_messages_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM search_docs WHERE message_id = OLD.id;
        RETURN OLD;
    END IF;
    IF NEW.kind IN ('text', 'image') AND NEW.text <> '' THEN
        INSERT INTO search_docs (message_id, conversation_id, seq, text)
            VALUES (NEW.id, NEW.conversation_id, NEW.seq, NEW.text)
            ON CONFLICT (message_id) DO UPDATE SET text = EXCLUDED.text;
    ELSE
        DELETE FROM search_docs WHERE message_id = NEW.id;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER search_messages_insert AFTER INSERT ON messages
    FOR EACH ROW WHEN (NEW.kind IN ('text', 'image') AND NEW.text <> '') EXECUTE FUNCTION search_messages_sync();
CREATE TRIGGER search_messages_update AFTER UPDATE OF text, kind ON messages
    FOR EACH ROW EXECUTE FUNCTION search_messages_sync();
CREATE TRIGGER search_messages_delete AFTER DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION search_messages_sync();

-- +goose Down
DROP TRIGGER search_messages_delete ON messages;
DROP TRIGGER search_messages_update ON messages;
DROP TRIGGER search_messages_insert ON messages;
DROP FUNCTION search_messages_sync();
DROP TABLE search_docs;

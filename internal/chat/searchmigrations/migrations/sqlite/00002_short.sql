-- +goose Up
-- Words of one or two characters (见面, 张三, "hi"), which the trigram
-- index cannot find: a second contentless index of unicode61 words over
-- each text as plaza_short_tokens makes it (search_short.go: CJK runs as
-- single characters and neighbouring pairs). The triggers keep it in step
-- with search_fts.
CREATE VIRTUAL TABLE search_short USING fts5(text, content='', tokenize='unicode61');

INSERT INTO search_short (rowid, text)
    SELECT d.id, plaza_short_tokens(g.text) FROM search_docs d JOIN messages g ON g.id = d.message_id;

DROP TRIGGER search_messages_insert;
DROP TRIGGER search_messages_update;
DROP TRIGGER search_messages_delete;

-- +goose StatementBegin
CREATE TRIGGER search_messages_insert AFTER INSERT ON messages
WHEN new.kind IN ('text', 'image') AND new.text <> ''
BEGIN
    INSERT INTO search_docs (message_id, conversation_id, seq) VALUES (new.id, new.conversation_id, new.seq);
    INSERT INTO search_fts (rowid, text) SELECT id, new.text FROM search_docs WHERE message_id = new.id;
    INSERT INTO search_short (rowid, text) SELECT id, plaza_short_tokens(new.text) FROM search_docs WHERE message_id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_messages_update AFTER UPDATE OF text, kind ON messages
BEGIN
    INSERT INTO search_fts (search_fts, rowid, text) SELECT 'delete', id, old.text FROM search_docs WHERE message_id = old.id;
    INSERT INTO search_short (search_short, rowid, text) SELECT 'delete', id, plaza_short_tokens(old.text) FROM search_docs WHERE message_id = old.id;
    DELETE FROM search_docs WHERE message_id = old.id AND NOT (new.kind IN ('text', 'image') AND new.text <> '');
    INSERT INTO search_docs (message_id, conversation_id, seq)
        SELECT new.id, new.conversation_id, new.seq WHERE new.kind IN ('text', 'image') AND new.text <> ''
        ON CONFLICT (message_id) DO NOTHING;
    INSERT INTO search_fts (rowid, text) SELECT id, new.text FROM search_docs WHERE message_id = new.id;
    INSERT INTO search_short (rowid, text) SELECT id, plaza_short_tokens(new.text) FROM search_docs WHERE message_id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_messages_delete AFTER DELETE ON messages
BEGIN
    INSERT INTO search_fts (search_fts, rowid, text) SELECT 'delete', id, old.text FROM search_docs WHERE message_id = old.id;
    INSERT INTO search_short (search_short, rowid, text) SELECT 'delete', id, plaza_short_tokens(old.text) FROM search_docs WHERE message_id = old.id;
    DELETE FROM search_docs WHERE message_id = old.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER search_messages_delete;
DROP TRIGGER search_messages_update;
DROP TRIGGER search_messages_insert;
DROP TABLE search_short;
-- +goose StatementBegin
CREATE TRIGGER search_messages_insert AFTER INSERT ON messages
WHEN new.kind IN ('text', 'image') AND new.text <> ''
BEGIN
    INSERT INTO search_docs (message_id, conversation_id, seq) VALUES (new.id, new.conversation_id, new.seq);
    INSERT INTO search_fts (rowid, text) SELECT id, new.text FROM search_docs WHERE message_id = new.id;
END;
-- +goose StatementEnd
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

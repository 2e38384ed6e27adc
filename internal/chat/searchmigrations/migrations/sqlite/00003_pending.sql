-- +goose Up
-- A send batch writes many messages in one transaction, and SQLite has
-- every FTS5 table in a transaction flush its in-memory terms to disk
-- whenever a statement opens a statement savepoint: with the triggers
-- below writing both indexes per message, every later statement of the
-- batch flushed both (12 % of a send's time, issue 16). So the insert
-- trigger now only queues the new document in search_pending, and the
-- transaction that wrote it indexes its queued documents just before it
-- commits, one statement an index (chat's indexPending, a
-- Tx.BeforeCommit hook of every message insert).
CREATE TABLE search_pending (doc_id INTEGER PRIMARY KEY);

DROP TRIGGER search_messages_insert;
DROP TRIGGER search_messages_update;
DROP TRIGGER search_messages_delete;

-- +goose StatementBegin
CREATE TRIGGER search_messages_insert AFTER INSERT ON messages
WHEN new.kind IN ('text', 'image') AND new.text <> ''
BEGIN
    INSERT INTO search_docs (message_id, conversation_id, seq) VALUES (new.id, new.conversation_id, new.seq);
    INSERT INTO search_pending (doc_id) SELECT id FROM search_docs WHERE message_id = new.id;
END;
-- +goose StatementEnd

-- An edit or a delete of a document still queued (in the transaction that
-- wrote it) leaves the indexes alone: removing from a contentless index
-- what it never held would corrupt it. The queued document is indexed
-- with the message's text at the commit, or dropped with the message.
-- +goose StatementBegin
CREATE TRIGGER search_messages_update AFTER UPDATE OF text, kind ON messages
BEGIN
    INSERT INTO search_fts (search_fts, rowid, text) SELECT 'delete', id, old.text FROM search_docs
        WHERE message_id = old.id AND id NOT IN (SELECT doc_id FROM search_pending);
    INSERT INTO search_short (search_short, rowid, text) SELECT 'delete', id, plaza_short_tokens(old.text) FROM search_docs
        WHERE message_id = old.id AND id NOT IN (SELECT doc_id FROM search_pending);
    DELETE FROM search_pending WHERE doc_id IN (SELECT id FROM search_docs WHERE message_id = old.id);
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
    INSERT INTO search_fts (search_fts, rowid, text) SELECT 'delete', id, old.text FROM search_docs
        WHERE message_id = old.id AND id NOT IN (SELECT doc_id FROM search_pending);
    INSERT INTO search_short (search_short, rowid, text) SELECT 'delete', id, plaza_short_tokens(old.text) FROM search_docs
        WHERE message_id = old.id AND id NOT IN (SELECT doc_id FROM search_pending);
    DELETE FROM search_pending WHERE doc_id IN (SELECT id FROM search_docs WHERE message_id = old.id);
    DELETE FROM search_docs WHERE message_id = old.id;
END;
-- +goose StatementEnd

-- +goose Down
INSERT INTO search_fts (rowid, text)
    SELECT d.id, g.text FROM search_pending p JOIN search_docs d ON d.id = p.doc_id JOIN messages g ON g.id = d.message_id;
INSERT INTO search_short (rowid, text)
    SELECT d.id, plaza_short_tokens(g.text) FROM search_pending p JOIN search_docs d ON d.id = p.doc_id JOIN messages g ON g.id = d.message_id;
DROP TRIGGER search_messages_delete;
DROP TRIGGER search_messages_update;
DROP TRIGGER search_messages_insert;
DROP TABLE search_pending;

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

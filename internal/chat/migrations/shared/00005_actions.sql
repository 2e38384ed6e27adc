-- +goose Up
-- Message actions (actions.go): the message a message quotes, and when a
-- message was recalled (its content is gone then; kind is 'recalled').
ALTER TABLE messages ADD COLUMN reply_to_id TEXT;
ALTER TABLE messages ADD COLUMN recalled_at BIGINT;
-- Delete for me: messages a user hid from their own history. Search may
-- create the same table, hence IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS hidden_messages (
    message_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

-- +goose Down
DROP TABLE IF EXISTS hidden_messages;
ALTER TABLE messages DROP COLUMN recalled_at;
ALTER TABLE messages DROP COLUMN reply_to_id;

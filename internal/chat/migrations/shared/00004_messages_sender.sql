-- +goose Up
-- Erasing an account tombstones every message its user sent.
CREATE INDEX messages_sender ON messages (sender_id);

-- +goose Down
DROP INDEX messages_sender;

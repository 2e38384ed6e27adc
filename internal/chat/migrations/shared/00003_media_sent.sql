-- +goose Up
-- When the upload was first sent in a message; NULL while unsent. Unsent
-- uploads count toward their owner's quota and are deleted after a day.
ALTER TABLE media ADD COLUMN sent_at BIGINT;
UPDATE media SET sent_at = created_at WHERE id IN (SELECT media_id FROM messages WHERE media_id IS NOT NULL);
CREATE INDEX media_unsent ON media (owner_id, sent_at);

-- +goose Down
DROP INDEX media_unsent;
ALTER TABLE media DROP COLUMN sent_at;

-- +goose Up
-- Top-ups in flight: the row and its pending transfer (rail → the rail's
-- pending account) commit before the rail is asked, and the row's id is the
-- reference the rail sees, so a retry or a recovery asks about the same
-- charge. One attempt per (user, Idempotency-Key) is pending or succeeded:
-- after a decline the key may run again.
CREATE TABLE topups (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount > 0),
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL,       -- pending | succeeded | failed
    rail         TEXT NOT NULL,
    rail_ref     TEXT NOT NULL DEFAULT '',
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    transfer_id  TEXT NOT NULL DEFAULT '', -- the credit to the wallet
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX topups_key ON topups (user_id, idem_key) WHERE status <> 'failed';
CREATE INDEX topups_pending ON topups (status, created_at);

-- +goose Down
DROP TABLE topups;

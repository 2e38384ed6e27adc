-- +goose Up
CREATE TABLE outbox_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    subject       TEXT    NOT NULL,
    payload       BYTEA   NOT NULL,
    created_at    BIGINT  NOT NULL,
    claimed_until BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX outbox_events_claimed ON outbox_events (claimed_until, id);

-- +goose Down
DROP TABLE outbox_events;

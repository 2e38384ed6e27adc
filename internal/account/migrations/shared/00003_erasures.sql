-- +goose Up
-- Erasures in progress and done. The row is written in the transaction
-- that erases the account itself (profile, sessions, contacts), so it
-- exists exactly when that part does; the other components' steps then
-- run one after another, each idempotent, and step records the next one
-- to run. A node that dies mid-way leaves the row unfinished with its
-- lease running out, and whichever node looks next resumes it.
CREATE TABLE account_erasures (
    user_id     TEXT PRIMARY KEY,
    step        INTEGER NOT NULL DEFAULT 0,
    lease_until BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    done_at     BIGINT
);
CREATE INDEX account_erasures_open ON account_erasures (done_at, lease_until);

-- +goose Down
DROP TABLE account_erasures;

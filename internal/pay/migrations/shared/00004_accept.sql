-- +goose Up
-- Transfers that wait for the payee to accept them (sent with
-- accept_required, as WeChat's chat transfers are). The money leaves the
-- payer at once for the holding account pending:transfer:CUR, moved by the
-- transfer keyed tah:<id> in the same transaction as this row (from the
-- payer's wallet, or from the review account when a screening hold is
-- released); a decision is one conditional state change (pending →
-- accepted | declined | expired) in the same transaction as the money it
-- moves on to the payee (tar:<id>) or back to the payer (tax:<id>).
CREATE TABLE pay_acceptances (
    id              TEXT PRIMARY KEY,
    -- The transaction both users know (the chat card's, the answer's): the
    -- payer's move into the holding account, or a screening hold's.
    transaction_id  TEXT NOT NULL,
    state           TEXT NOT NULL,     -- pending | accepted | declined | expired
    payer_id        TEXT NOT NULL,
    payee_id        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    review_id       TEXT NOT NULL DEFAULT '', -- the screening review it was held by, if any
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    decided_at      BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX pay_acceptances_transaction ON pay_acceptances (transaction_id);
CREATE INDEX pay_acceptances_due ON pay_acceptances (state, expires_at);
CREATE INDEX pay_acceptances_payee ON pay_acceptances (payee_id, state);
CREATE INDEX pay_acceptances_payer ON pay_acceptances (payer_id, state);

-- +goose Down
DROP TABLE pay_acceptances;

-- +goose Up
-- Payments held by screening: a movement whose payer or payee matched a
-- watch-list entry at or above the review threshold. The held money sits
-- in a review account (review:screening:CUR), moved there by the transfer
-- keyed rvh:<id> in the same transaction as this row; a decision is one
-- conditional state change (open → released | rejected) in the same
-- transaction as the money it moves on (rvr:<id>, or the movement's own
-- key) or back (rvx:<id>).
CREATE TABLE pay_reviews (
    id              TEXT PRIMARY KEY,
    state           TEXT NOT NULL,     -- open | released | rejected
    kind            TEXT NOT NULL,     -- transfer | red_packet | red_packet_claim | withdrawal | payment | merchant
    subject_type    TEXT NOT NULL,     -- user | merchant: the party that matched
    subject_id      TEXT NOT NULL,
    subject_name    TEXT NOT NULL,
    subject_country TEXT NOT NULL DEFAULT '',
    payer_id        TEXT NOT NULL DEFAULT '',
    payee_id        TEXT NOT NULL DEFAULT '',   -- a user, or '' (withdrawal, red packet, payment)
    mchid           TEXT NOT NULL DEFAULT '',
    amount          BIGINT NOT NULL DEFAULT 0,  -- 0 for a merchant's own review
    currency        TEXT NOT NULL DEFAULT '',
    reference       TEXT NOT NULL DEFAULT '',   -- the order, red packet, withdrawal the movement belongs to
    memo            TEXT NOT NULL DEFAULT '',   -- the movement's note
    details         TEXT NOT NULL DEFAULT '{}', -- what release needs to finish the movement (JSON)
    hold_transfer   TEXT NOT NULL DEFAULT '',
    match_entry_id  TEXT NOT NULL,
    match_name      TEXT NOT NULL,
    match_score     DOUBLE PRECISION NOT NULL,
    match_program   TEXT NOT NULL DEFAULT '',
    match_list      TEXT NOT NULL DEFAULT '',
    match_list_hash TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    decided_by      TEXT NOT NULL DEFAULT '',
    decided_at      BIGINT NOT NULL DEFAULT 0,
    decision_note   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pay_reviews_state ON pay_reviews (state, id);
CREATE INDEX pay_reviews_payee ON pay_reviews (payee_id, state);
-- One open review per order or merchant: a second payment of a held order
-- is refused, not held twice.
CREATE UNIQUE INDEX pay_reviews_open_reference ON pay_reviews (kind, reference) WHERE state = 'open' AND reference <> '';

-- +goose Down
DROP TABLE pay_reviews;

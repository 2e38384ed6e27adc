-- +goose Up
-- Accounts of the double-entry ledger. Ids are deterministic
-- (kind:owner:currency), so the hot path never looks one up.
CREATE TABLE ledger_accounts (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,     -- user | merchant | escrow | hold | rail | fees
    owner_id       TEXT NOT NULL,
    currency       TEXT NOT NULL,
    balance        BIGINT NOT NULL DEFAULT 0,
    allow_negative INTEGER NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    -- A wallet never goes negative; only a funding rail's clearing account,
    -- the mirror of money outside Plaza, may.
    CHECK (balance >= 0 OR allow_negative = 1)
);

-- Immutable transfers: each moves amount from one account to another of the
-- same currency, so every transfer balances by construction and the sum of
-- all balances of a currency stays zero.
CREATE TABLE ledger_transfers (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    debit_account   TEXT NOT NULL REFERENCES ledger_accounts (id),
    credit_account  TEXT NOT NULL REFERENCES ledger_accounts (id),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    reference       TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    -- Unique: a transfer is applied once, whatever retries happen.
    transfer_key    TEXT NOT NULL,
    debit_balance   BIGINT NOT NULL,  -- balances after the transfer
    credit_balance  BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    CHECK (debit_account <> credit_account)
);
CREATE UNIQUE INDEX ledger_transfers_key ON ledger_transfers (transfer_key);
CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_account, id);
CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_account, id);
CREATE INDEX ledger_transfers_reference ON ledger_transfers (reference);

-- Payment PINs: HMAC-SHA256 under a server secret kept outside the
-- database; a six-digit PIN's strength is its lockout.
CREATE TABLE wallet_pins (
    user_id      TEXT PRIMARY KEY,
    pin_hmac     TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL
);
-- Every PIN attempt, right or wrong.
CREATE TABLE pin_attempts (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    ok         INTEGER NOT NULL,
    purpose    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX pin_attempts_user ON pin_attempts (user_id, created_at);

CREATE TABLE withdrawals (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    currency    TEXT NOT NULL,
    status      TEXT NOT NULL,       -- pending | succeeded | failed
    rail        TEXT NOT NULL,
    rail_ref    TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX withdrawals_pending ON withdrawals (status, created_at);

CREATE TABLE red_packets (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    sender_id       TEXT NOT NULL,
    currency        TEXT NOT NULL,
    total           BIGINT NOT NULL CHECK (total > 0),
    count           INTEGER NOT NULL CHECK (count > 0),
    split           TEXT NOT NULL,
    greeting        TEXT NOT NULL,
    remaining       BIGINT NOT NULL CHECK (remaining >= 0),
    remaining_count INTEGER NOT NULL CHECK (remaining_count >= 0),
    status          TEXT NOT NULL,   -- active | empty | refunded
    expires_at      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX red_packets_expiry ON red_packets (status, expires_at);

CREATE TABLE red_packet_claims (
    red_packet_id TEXT NOT NULL REFERENCES red_packets (id),
    user_id       TEXT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    transfer_id   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (red_packet_id, user_id)
);

-- Used only when no PIN key is configured and several nodes share a
-- PostgreSQL: the key must be the same on every node. Configure
-- --pin-secret (PLAZA_PIN_SECRET) to keep it out of the database.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE server_secrets;
DROP TABLE red_packet_claims;
DROP TABLE red_packets;
DROP TABLE withdrawals;
DROP TABLE pin_attempts;
DROP TABLE wallet_pins;
DROP TABLE ledger_transfers;
DROP TABLE ledger_accounts;

-- +goose Up
CREATE TABLE merchants (
    mchid          TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    region         TEXT NOT NULL,
    owner_id       TEXT NOT NULL,
    public_key_pem TEXT NOT NULL DEFAULT '',
    serial_no      TEXT NOT NULL DEFAULT '',
    apiv3_key      TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL
);
CREATE INDEX merchants_owner ON merchants (owner_id);

-- appid ↔ mchid: the apps that may place orders for a merchant.
CREATE TABLE merchant_apps (
    appid      TEXT PRIMARY KEY,
    mchid      TEXT NOT NULL REFERENCES merchants (mchid),
    created_at BIGINT NOT NULL
);

CREATE TABLE orders (
    transaction_id  TEXT PRIMARY KEY,
    mchid           TEXT NOT NULL REFERENCES merchants (mchid),
    appid           TEXT NOT NULL,
    out_trade_no    TEXT NOT NULL,
    trade_type      TEXT NOT NULL,        -- JSAPI | NATIVE | MWEB
    description     TEXT NOT NULL,
    attach          TEXT NOT NULL DEFAULT '',
    notify_url      TEXT NOT NULL,
    total           BIGINT NOT NULL CHECK (total > 0),
    currency        TEXT NOT NULL,
    payer_openid    TEXT NOT NULL DEFAULT '',
    payer_user_id   TEXT NOT NULL DEFAULT '',
    request_hash    TEXT NOT NULL,        -- a repeat with the same out_trade_no must match
    prepay_id       TEXT NOT NULL,
    trade_state     TEXT NOT NULL,        -- NOTPAY | SUCCESS | CLOSED | REFUND | PAYERROR
    refunded        BIGINT NOT NULL DEFAULT 0,
    ledger_transfer TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    success_time    BIGINT
);
CREATE UNIQUE INDEX orders_out_trade_no ON orders (mchid, out_trade_no);
CREATE UNIQUE INDEX orders_prepay ON orders (prepay_id);
CREATE INDEX orders_day ON orders (mchid, created_at);

CREATE TABLE refunds (
    refund_id      TEXT PRIMARY KEY,
    mchid          TEXT NOT NULL,
    out_refund_no  TEXT NOT NULL,
    transaction_id TEXT NOT NULL REFERENCES orders (transaction_id),
    amount         BIGINT NOT NULL CHECK (amount > 0),
    reason         TEXT NOT NULL DEFAULT '',
    notify_url     TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,         -- PROCESSING | SUCCESS | ABNORMAL
    request_hash   TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    success_time   BIGINT
);
CREATE UNIQUE INDEX refunds_out_no ON refunds (mchid, out_refund_no);
CREATE INDEX refunds_order ON refunds (transaction_id);

-- Nonces seen in signed requests, for replay protection within the
-- five-minute timestamp window.
CREATE TABLE request_nonces (
    mchid   TEXT NOT NULL,
    nonce   TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (mchid, nonce)
);
CREATE INDEX request_nonces_seen ON request_nonces (seen_at);

-- The outbox of merchant notifications: written in the transaction of
-- the change they announce, delivered until the merchant answers 2xx.
CREATE TABLE notifications (
    id           TEXT PRIMARY KEY,
    mchid        TEXT NOT NULL,
    url          TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    resource_id  TEXT NOT NULL,
    body         TEXT NOT NULL,           -- the encrypted envelope, as sent
    status       TEXT NOT NULL,           -- pending | delivered | failed
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX notifications_due ON notifications (status, next_at);
CREATE INDEX notifications_merchant ON notifications (mchid, created_at);

-- +goose Down
DROP TABLE notifications;
DROP TABLE request_nonces;
DROP TABLE refunds;
DROP TABLE orders;
DROP TABLE merchant_apps;
DROP TABLE merchants;

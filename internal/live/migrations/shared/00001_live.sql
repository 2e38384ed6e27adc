-- +goose Up
-- Live rooms. Times are microseconds since the epoch. rank and sort_key
-- order the directory: live rooms first, newest start first (sort_key =
-- -started_at), then scheduled ones, soonest first (sort_key =
-- scheduled_at), then ended ones (sort_key = -ended_at).
CREATE TABLE live_rooms (
    id              TEXT PRIMARY KEY,
    mchid           TEXT NOT NULL,
    merchant_name   TEXT NOT NULL,
    owner_id        TEXT NOT NULL,
    title           TEXT NOT NULL,
    cover_media_id  TEXT NOT NULL DEFAULT '',
    notify_url      TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,
    rank            INTEGER NOT NULL,
    sort_key        BIGINT NOT NULL,
    scheduled_at    BIGINT NOT NULL,
    started_at      BIGINT,
    ended_at        BIGINT,
    showing_sku     TEXT NOT NULL DEFAULT '',
    likes           BIGINT NOT NULL DEFAULT 0,
    publish_session TEXT NOT NULL DEFAULT '',
    -- gone_at: when the host's video vanished (NULL while published or
    -- never published); HostGrace after it the room ends.
    gone_at         BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX live_rooms_directory ON live_rooms (rank, sort_key, id);
CREATE INDEX live_rooms_mchid ON live_rooms (mchid, rank, sort_key, id);

-- The shelf. stock is what is available to buy now; held is what
-- pending (unpaid) purchases hold; sold is what was paid for. A buy moves
-- stock to held in one conditional update; payment moves held to sold;
-- expiry moves held back to stock. listed is 0 for an item the host took
-- off the shelf (kept for its sales and pending purchases).
CREATE TABLE live_shelf (
    room_id        TEXT NOT NULL REFERENCES live_rooms (id),
    sku            TEXT NOT NULL,
    name           TEXT NOT NULL,
    amount         BIGINT NOT NULL,
    currency       TEXT NOT NULL,
    stock          BIGINT NOT NULL CHECK (stock >= 0),
    held           BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0),
    sold           BIGINT NOT NULL DEFAULT 0,
    image_media_id TEXT NOT NULL DEFAULT '',
    position       INTEGER NOT NULL,
    listed         INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (room_id, sku)
);

-- A viewer's purchase: the stock it holds and the merchant order it
-- placed (out_trade_no = id). (buyer_id, idem_key) is the request's
-- Idempotency-Key, request_hash its fingerprint.
CREATE TABLE live_purchases (
    id           TEXT PRIMARY KEY,
    room_id      TEXT NOT NULL REFERENCES live_rooms (id),
    mchid        TEXT NOT NULL,
    sku          TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    buyer_id     TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    prepay_id    TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX live_purchases_key ON live_purchases (buyer_id, idem_key);
CREATE INDEX live_purchases_room ON live_purchases (room_id, state);
CREATE INDEX live_purchases_pending ON live_purchases (state, expires_at);

-- Who asked to be reminded when a scheduled room goes live.
CREATE TABLE live_reminders (
    room_id    TEXT NOT NULL REFERENCES live_rooms (id),
    user_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

-- +goose Down
DROP TABLE live_reminders;
DROP TABLE live_purchases;
DROP TABLE live_shelf;
DROP TABLE live_rooms;

-- +goose Up
CREATE TABLE miniapps (
    appid           TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    category        TEXT NOT NULL DEFAULT '',
    developer_id    TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,        -- SHA-256 of the secret, shown once
    request_domains TEXT NOT NULL,        -- JSON array
    released_code   BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);
CREATE INDEX miniapps_developer ON miniapps (developer_id);

CREATE TABLE miniapp_versions (
    appid      TEXT NOT NULL REFERENCES miniapps (appid),
    code       BIGINT NOT NULL,
    name       TEXT NOT NULL,
    manifest   TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    package    BYTEA NOT NULL,
    status     TEXT NOT NULL,             -- uploaded | submitted | approved | rejected
    reason     TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (appid, code)
);

-- One-time login codes for jscode2session: 5 minutes, single use.
CREATE TABLE miniapp_codes (
    code       TEXT PRIMARY KEY,
    appid      TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE miniapp_consents (
    user_id    TEXT NOT NULL,
    appid      TEXT NOT NULL,
    scope      TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, appid, scope)
);

CREATE TABLE miniapp_storage (
    user_id TEXT NOT NULL,
    appid   TEXT NOT NULL,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    size    BIGINT NOT NULL,
    PRIMARY KEY (user_id, appid, key)
);

-- +goose Down
DROP TABLE miniapp_storage;
DROP TABLE miniapp_consents;
DROP TABLE miniapp_codes;
DROP TABLE miniapp_versions;
DROP TABLE miniapps;

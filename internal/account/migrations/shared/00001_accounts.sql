-- +goose Up
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    region        TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    deleted_at    BIGINT
);
-- Usernames are stored lowercased, so this index is case-insensitive.
CREATE UNIQUE INDEX users_username ON users (username);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX sessions_token_hash ON sessions (token_hash);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE contact_requests (
    id         TEXT PRIMARY KEY,
    from_user  TEXT NOT NULL REFERENCES users (id),
    to_user    TEXT NOT NULL REFERENCES users (id),
    message    TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contact_requests_to ON contact_requests (to_user, id);
CREATE INDEX contact_requests_from ON contact_requests (from_user, id);
-- At most one pending request from one user to another, even under races.
CREATE UNIQUE INDEX contact_requests_pending ON contact_requests (from_user, to_user) WHERE status = 'pending';

CREATE TABLE contacts (
    user_id    TEXT NOT NULL REFERENCES users (id),
    contact_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, contact_id)
);

-- Failed sign-ins per username, for throttling.
CREATE TABLE login_failures (
    username     TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE contacts;
DROP TABLE contact_requests;
DROP TABLE sessions;
DROP TABLE users;

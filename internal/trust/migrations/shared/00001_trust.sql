-- +goose Up
-- Policies are never deleted: a cancelled one keeps its row, with
-- cancelled_at set. Times are unix microseconds; expires_at and
-- cancelled_at are NULL when absent.
CREATE TABLE trust_policies (
    id            TEXT   PRIMARY KEY,
    kind          TEXT   NOT NULL,
    target_type   TEXT   NOT NULL,
    target_id     TEXT   NOT NULL,
    target_name   TEXT   NOT NULL DEFAULT '',
    regions       TEXT   NOT NULL, -- comma-separated ISO 3166-1 alpha-2 codes, or "*"
    scopes        TEXT   NOT NULL, -- comma-separated
    effective_at  BIGINT NOT NULL,
    expires_at    BIGINT,
    reason        TEXT   NOT NULL,
    legal_ref     TEXT   NOT NULL DEFAULT '',
    created_by    TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    cancelled_at  BIGINT,
    cancelled_by  TEXT   NOT NULL DEFAULT '',
    cancel_reason TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX trust_policies_target ON trust_policies (target_id, id);

-- The audit log: one row per record (details is the JSON text as hashed,
-- never re-encoded) and the tree's stored hashes, indexed as
-- golang.org/x/mod/sumdb/tlog.StoredHashIndex numbers them.
CREATE TABLE trust_audit_entries (
    idx     BIGINT PRIMARY KEY,
    time    BIGINT NOT NULL,
    actor   TEXT   NOT NULL,
    action  TEXT   NOT NULL,
    target  TEXT   NOT NULL,
    details TEXT   NOT NULL,
    hash    BYTEA  NOT NULL
);
CREATE TABLE trust_audit_hashes (
    idx  BIGINT PRIMARY KEY,
    hash BYTEA  NOT NULL
);

-- +goose Down
DROP TABLE trust_audit_hashes;
DROP TABLE trust_audit_entries;
DROP TABLE trust_policies;

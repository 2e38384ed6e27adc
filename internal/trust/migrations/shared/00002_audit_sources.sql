-- +goose Up
-- The events already recorded in the audit log, by their source (a
-- domain event's identity), so that an event delivered twice is logged
-- once.
CREATE TABLE trust_audit_sources (
    source TEXT   PRIMARY KEY,
    idx    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE trust_audit_sources;

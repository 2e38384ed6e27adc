-- +goose Up
-- The secrets table (see package secrets). Databases made before secrets
-- had its own migrations already have it, from pay's first migration
-- (which stays as it was: goose versions are per component), so this one
-- only makes sure it exists and keeps every row.
CREATE TABLE IF NOT EXISTS server_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
-- Nothing: the table may be pay's (older databases), and its keys must
-- outlive a schema rollback.
SELECT 1;

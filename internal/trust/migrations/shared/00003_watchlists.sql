-- +goose Up
-- Watch lists for screening. Each import writes its entries under a new
-- version id (k-sortable: later imports sort later), then, in one
-- transaction, makes that version the list's current one and deletes the
-- older versions' entries; a crash before that leaves the old list whole
-- (and the new version's rows are removed by the next import). Times are
-- unix microseconds.
CREATE TABLE trust_watchlists (
    name        TEXT   PRIMARY KEY,
    version     TEXT   NOT NULL,
    format      TEXT   NOT NULL, -- ofac or csv
    hash        TEXT   NOT NULL, -- sha256:… of the entries as imported
    entries     BIGINT NOT NULL,
    imported_by TEXT   NOT NULL,
    imported_at BIGINT NOT NULL
);
CREATE TABLE trust_watch_entries (
    version TEXT NOT NULL,
    list    TEXT NOT NULL,
    seq     BIGINT NOT NULL, -- the entry's place in the file
    id      TEXT NOT NULL,
    name    TEXT NOT NULL,
    aliases TEXT NOT NULL, -- JSON array of strings
    type    TEXT NOT NULL,
    country TEXT NOT NULL,
    program TEXT NOT NULL,
    PRIMARY KEY (version, id)
);
CREATE INDEX trust_watch_entries_list ON trust_watch_entries (list, version);

-- False positives: a party (user or merchant) that was found not to be a
-- list entry. fingerprint is the entry's names when it was allowed: an
-- entry whose names change is screened again.
CREATE TABLE trust_watch_allows (
    party_type  TEXT   NOT NULL,
    party_id    TEXT   NOT NULL,
    list        TEXT   NOT NULL,
    entry_id    TEXT   NOT NULL,
    fingerprint TEXT   NOT NULL,
    created_by  TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (party_type, party_id, list, entry_id)
);

-- +goose Down
DROP TABLE trust_watch_allows;
DROP TABLE trust_watch_entries;
DROP TABLE trust_watchlists;

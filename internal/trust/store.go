package trust

import (
	"database/sql"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The policies table (migrations/shared/00001_trust.sql).
const (
	policyColumns = `id, kind, target_type, target_id, target_name, regions, scopes, effective_at, expires_at,
		reason, legal_ref, created_by, created_at, cancelled_at, cancel_reason`
	insertPolicy = `INSERT INTO trust_policies (id, kind, target_type, target_id, target_name, regions, scopes,
		effective_at, expires_at, reason, legal_ref, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	selectPolicy = `SELECT ` + policyColumns + ` FROM trust_policies WHERE id = ?`
	// selectLivePolicies is what the index holds: neither cancelled nor
	// expired as of the bound instant.
	selectLivePolicies = `SELECT ` + policyColumns + ` FROM trust_policies
		WHERE cancelled_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`
	cancelPolicy = `UPDATE trust_policies SET cancelled_at = ?, cancelled_by = ?, cancel_reason = ?
		WHERE id = ? AND cancelled_at IS NULL`
	// listPolicies pages newest first (ids sort by creation), filtered by
	// target id and by the state as of the bound instant, each filter off
	// when its argument is ''.
	listPolicies = `SELECT ` + policyColumns + ` FROM trust_policies
		WHERE (? = '' OR target_id = ?) AND (? = '' OR id < ?)
		AND (? = '' OR ? = CASE
			WHEN cancelled_at IS NOT NULL THEN 'cancelled'
			WHEN effective_at > ? THEN 'scheduled'
			WHEN expires_at IS NOT NULL AND expires_at <= ? THEN 'expired'
			ELSE 'active' END)
		ORDER BY id DESC LIMIT ?`
)

// The audit log's tables.
const (
	// lockAudit serialises appends across nodes on PostgreSQL until the
	// transaction ends (SQLite's one writer already does).
	lockAudit = `SELECT pg_advisory_xact_lock(7402019201)`
	// claimAuditSource records that an event is being logged; a second
	// delivery of it inserts nothing.
	claimAuditSource = `INSERT INTO trust_audit_sources (source, idx) VALUES (?, -1) ON CONFLICT (source) DO NOTHING`
	setAuditSource   = `UPDATE trust_audit_sources SET idx = ? WHERE source = ?`
	selectAuditLen   = `SELECT COALESCE(MAX(idx) + 1, 0) FROM trust_audit_entries`
	insertEntry      = `INSERT INTO trust_audit_entries (idx, time, actor, action, target, details, hash) VALUES (?, ?, ?, ?, ?, ?, ?)`
	insertHash       = `INSERT INTO trust_audit_hashes (idx, hash) VALUES (?, ?)`
	selectHash       = `SELECT hash FROM trust_audit_hashes WHERE idx = ?`
	selectHashes     = `SELECT idx, hash FROM trust_audit_hashes ORDER BY idx`
	entryColumns     = `idx, time, actor, action, target, details, hash`
	selectEntries    = `SELECT ` + entryColumns + ` FROM trust_audit_entries WHERE idx > ? ORDER BY idx LIMIT ?`
	selectAllEntries = `SELECT ` + entryColumns + ` FROM trust_audit_entries ORDER BY idx`
	selectEntryHash  = `SELECT hash FROM trust_audit_entries WHERE idx = ?`
)

// scanPolicy reads one row of policyColumns.
func scanPolicy(row interface{ Scan(...any) error }) (*Policy, error) {
	var (
		p                  Policy
		regions, scopes    string
		effective, created int64
		expires, cancelled sql.NullInt64
	)
	if err := row.Scan(&p.ID, &p.Kind, &p.TargetType, &p.TargetID, &p.TargetName, &regions, &scopes, &effective, &expires,
		&p.Reason, &p.LegalRef, &p.CreatedBy, &created, &cancelled, &p.CancelReason); err != nil {
		return nil, err
	}
	p.Regions = strings.Split(regions, ",")
	for _, sc := range strings.Split(scopes, ",") {
		p.Scopes = append(p.Scopes, Scope(sc))
	}
	p.EffectiveAt = sqldb.FromMicro(effective)
	p.CreatedAt = sqldb.FromMicro(created)
	if expires.Valid {
		t := sqldb.FromMicro(expires.Int64)
		p.ExpiresAt = &t
	}
	if cancelled.Valid {
		t := sqldb.FromMicro(cancelled.Int64)
		p.CancelledAt = &t
	}
	return &p, nil
}

func joinScopes(scopes []Scope) string {
	s := make([]string, len(scopes))
	for i, sc := range scopes {
		s[i] = string(sc)
	}
	return strings.Join(s, ",")
}

// The watch lists (migrations/shared/00003_watchlists.sql).
const (
	watchEntryColumns = `seq, id, name, aliases, type, country, program`
	// insertWatchEntriesHead is followed by one watchEntryValues a row.
	insertWatchEntriesHead = `INSERT INTO trust_watch_entries (version, list, ` + watchEntryColumns + `) VALUES `
	watchEntryValues       = `(?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// flipWatchlist makes a version current unless a later one already is.
	flipWatchlist = `INSERT INTO trust_watchlists (name, version, format, hash, entries, imported_by, imported_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET version = excluded.version, format = excluded.format, hash = excluded.hash,
			entries = excluded.entries, imported_by = excluded.imported_by, imported_at = excluded.imported_at
		WHERE trust_watchlists.version < excluded.version`
	deleteOlderWatchEntries = `DELETE FROM trust_watch_entries WHERE list = ? AND version < ?`
	deleteWatchVersion      = `DELETE FROM trust_watch_entries WHERE version = ?`
	selectWatchlists        = `SELECT name, version, format, hash, entries, imported_by, imported_at FROM trust_watchlists ORDER BY name`
	selectWatchlist         = `SELECT name, version, format, hash, entries, imported_by, imported_at FROM trust_watchlists WHERE name = ?`
	selectWatchEntries      = `SELECT ` + watchEntryColumns + ` FROM trust_watch_entries WHERE version = ? ORDER BY seq`
	insertWatchAllow        = `INSERT INTO trust_watch_allows (party_type, party_id, list, entry_id, fingerprint, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (party_type, party_id, list, entry_id) DO UPDATE SET fingerprint = excluded.fingerprint
		WHERE trust_watch_allows.fingerprint <> excluded.fingerprint`
	selectWatchAllows = `SELECT list, entry_id, fingerprint FROM trust_watch_allows WHERE party_type = ? AND party_id = ?`
)

// insertWatchEntries is the statement that inserts n entries at once.
func insertWatchEntries(n int) string {
	return insertWatchEntriesHead + strings.TrimSuffix(strings.Repeat(watchEntryValues+", ", n), ", ")
}

package outbox

import (
	"embed"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the outbox table's schema.
var Migrations = sqldb.Migrations{Component: "outbox", FS: migrations}

const (
	insertEvent = `INSERT INTO outbox_events (subject, payload, created_at) VALUES (?, ?, ?)`
	// claimEvents leases the oldest due rows to one relay. The outer
	// claimed_until test is re-checked on a row another relay updated
	// meanwhile (PostgreSQL), so two relays never claim one row.
	claimEvents = `UPDATE outbox_events SET claimed_until = ?
		WHERE claimed_until < ? AND id IN (SELECT id FROM outbox_events WHERE claimed_until < ? ORDER BY id LIMIT ?)
		RETURNING id, subject, payload`
	// lockEvents (PostgreSQL) locks the oldest due rows for the
	// transaction, passing over rows another relay holds.
	lockEvents = `SELECT id, subject, payload FROM outbox_events
		WHERE claimed_until < ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`
	deleteEvent  = `DELETE FROM outbox_events WHERE id = ?`
	deleteEvents = `DELETE FROM outbox_events WHERE id IN (` // + n placeholders + )
	countEvents  = `SELECT COUNT(*) FROM outbox_events`
)

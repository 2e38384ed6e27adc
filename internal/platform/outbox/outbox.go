// Package outbox carries the domain events whose loss would be a bug
// (a user erased, a transfer completed, a payment succeeded…) from the
// transaction that caused them to the bus, at least once.
//
// A component calls Add inside the transaction that makes the change, so
// the event exists exactly when the change does. The Relay, which every
// node runs, claims committed rows, publishes each to the bus's durable
// event stream (NATS JetStream, de-duplicated by the row's id, so a row
// published twice after a crash is stored once) and deletes it. Plain bus
// subscribers on the subject hear the event as it is published; durable
// consumers (bus.Consume) get every event, also those published while
// they were down. Consumers must still be idempotent.
//
// Files: outbox.go (Add, the Relay), store.go (the SQL), migrations/.
package outbox

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Add records an event on subject (a name under "events.", as the
// component's events.go gives it) in tx; payload is encoded as JSON. The
// relay of this node is woken when tx commits; nothing is published if
// it rolls back.
func Add(ctx context.Context, tx *sqldb.Tx, subject string, payload any) error {
	if !strings.HasPrefix(subject, bus.EventsPrefix) {
		return fmt.Errorf("outbox: subject %q is not under %q", subject, bus.EventsPrefix)
	}
	data, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("outbox: encoding %s: %w", subject, err)
	}
	if err := tx.Later(ctx, insertEvent, subject, data, sqldb.Micro(time.Now())); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	db := tx.DB()
	tx.AfterCommit(func() { wake(db) })
	return nil
}

// wakers holds each running relay's wake-up channel, by database: Add
// knows only its transaction.
var wakers sync.Map // *sqldb.DB → chan struct{}

func wake(db *sqldb.DB) {
	if ch, ok := wakers.Load(db); ok {
		select {
		case ch.(chan struct{}) <- struct{}{}:
		default:
		}
	}
}

// Relay publishes committed events to the bus.
type Relay struct {
	DB  *sqldb.DB
	Bus *bus.Bus
	Log *slog.Logger
	// Poll is how often the relay looks for rows it was not woken for
	// (another node's, or left by a crash): 1 s.
	Poll time.Duration
	// Batch is the most rows claimed at once (100).
	Batch int
	// Lease is how long a claim keeps other relays off its rows (30 s).
	Lease time.Duration
}

// Run relays events until ctx ends.
func (r *Relay) Run(ctx context.Context) error {
	r.defaults()
	if err := r.Bus.EnsureEventStream(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	ch := make(chan struct{}, 1)
	wakers.Store(r.DB, ch)
	defer wakers.CompareAndDelete(r.DB, ch)
	t := time.NewTicker(r.Poll)
	defer t.Stop()
	for {
		for {
			n, err := r.RelayOnce(ctx)
			if err != nil && ctx.Err() == nil {
				r.Log.Warn("relaying events", "err", err)
			}
			if err != nil || n < r.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ch:
		case <-t.C:
		}
	}
}

func (r *Relay) defaults() {
	if r.Poll <= 0 {
		r.Poll = time.Second
	}
	if r.Batch <= 0 {
		r.Batch = 100
	}
	if r.Lease <= 0 {
		r.Lease = 30 * time.Second
	}
	if r.Log == nil {
		r.Log = slog.Default()
	}
}

type event struct {
	id      int64
	subject string
	payload []byte
}

// RelayOnce claims up to Batch due rows, publishes them in id order and
// deletes those the bus stored; it returns how many it claimed.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	r.defaults()
	if r.DB.Dialect == sqldb.Postgres {
		return r.relayLocked(ctx)
	}
	now := time.Now()
	var claimed []event
	err := r.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		rows, err := tx.Query(ctx, claimEvents, sqldb.Micro(now.Add(r.Lease)), sqldb.Micro(now), sqldb.Micro(now), r.Batch)
		if err != nil {
			return err
		}
		claimed, err = sqldb.ScanAll(rows, func(rows *sql.Rows) (event, error) {
			var e event
			return e, rows.Scan(&e.id, &e.subject, &e.payload)
		})
		return err
	})
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	// Publish in id order: an event is never overtaken by a later one of
	// the same relay.
	slices.SortFunc(claimed, func(a, b event) int { return cmp.Compare(a.id, b.id) })
	var done []int64
	var perr error
	for _, e := range claimed {
		if perr = r.Bus.PublishEvent(ctx, e.subject, e.payload, "outbox-"+strconv.FormatInt(e.id, 10)); perr != nil {
			break // keep order: the rest waits for the lease to end
		}
		done = append(done, e.id)
	}
	if len(done) > 0 {
		// One statement for up to deleteChunk published events, not one each.
		err := r.DB.Tx(ctx, func(tx *sqldb.Tx) error {
			for ids := range slices.Chunk(done, deleteChunk) {
				if _, err := tx.Exec(ctx, deleteEventsQuery(len(ids)), int64sAsArgs(ids)...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return len(claimed), fmt.Errorf("outbox: deleting published events: %w", err)
		}
	}
	if perr != nil {
		return len(claimed), fmt.Errorf("outbox: publishing: %w", perr)
	}
	return len(claimed), nil
}

// relayLocked is RelayOnce on PostgreSQL: one transaction locks the due
// rows (FOR UPDATE SKIP LOCKED, so another relay takes the next ones),
// publishes them in id order and deletes those the bus stored before it
// commits. A lease would write every row twice more (the claim's new row
// version with its index entries, then the delete): in a profile of
// transfers the claim was a sixth of PostgreSQL's time a transfer
// (issue 16). A relay that dies before its commit leaves its rows
// unlocked and in place; they are published again, and the stream's
// de-duplication by row id stores them once. Rows leased by a node of an
// earlier version are still left alone until their lease ends.
func (r *Relay) relayLocked(ctx context.Context) (int, error) {
	var claimed int
	var perr error
	err := r.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		claimed, perr = 0, nil
		rows, err := tx.Query(ctx, lockEvents, sqldb.Micro(time.Now()), r.Batch)
		if err != nil {
			return err
		}
		events, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (event, error) {
			var e event
			return e, rows.Scan(&e.id, &e.subject, &e.payload)
		})
		if err != nil {
			return err
		}
		claimed = len(events)
		var done []int64
		for _, e := range events {
			if perr = r.Bus.PublishEvent(ctx, e.subject, e.payload, "outbox-"+strconv.FormatInt(e.id, 10)); perr != nil {
				break // keep order: the rest stays for the next round
			}
			done = append(done, e.id)
		}
		for ids := range slices.Chunk(done, deleteChunk) {
			if _, err := tx.Exec(ctx, deleteEventsQuery(len(ids)), int64sAsArgs(ids)...); err != nil {
				return fmt.Errorf("outbox: deleting published events: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return claimed, err
	}
	if perr != nil {
		return claimed, fmt.Errorf("outbox: publishing: %w", perr)
	}
	return claimed, nil
}

// Pending counts the events not yet published (for tests and metrics).
func Pending(ctx context.Context, db *sqldb.DB) (int, error) {
	var n int
	err := db.QueryRow(ctx, countEvents).Scan(&n)
	return n, err
}

// deleteChunk bounds the ids of one DELETE (SQLite allows 32,766 bound
// parameters; PostgreSQL 65,535).
const deleteChunk = 500

// deleteEventsQuery deletes n events by id: deleteEvent's statement with n
// placeholders.
func deleteEventsQuery(n int) string {
	if n == 1 {
		return deleteEvent
	}
	return deleteEvents + "?" + strings.Repeat(", ?", n-1) + ")"
}

func int64sAsArgs(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

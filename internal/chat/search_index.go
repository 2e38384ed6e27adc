package chat

import (
	"context"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// On SQLite a new message's search document is queued in search_pending
// by the insert trigger and indexed by the transaction that wrote it, just
// before it commits, one statement an index for all of the transaction's
// messages (searchmigrations/…/sqlite/00003_pending.sql says why). On
// PostgreSQL the trigger indexes each message itself.

// The queue leads each join (CROSS JOIN is how SQLite is told the order):
// left to choose, the planner walked every search_docs row, the whole
// history, at every commit to find the few queued (a third of a send's
// CPU at 150,000 messages, and growing with each one).
const (
	selectPendingTable = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'search_pending'`
	indexPendingFTS    = `INSERT INTO search_fts (rowid, text)
		SELECT d.id, g.text FROM search_pending p CROSS JOIN search_docs d ON d.id = p.doc_id CROSS JOIN messages g ON g.id = d.message_id`
	indexPendingShort = `INSERT INTO search_short (rowid, text)
		SELECT d.id, plaza_short_tokens(g.text) FROM search_pending p CROSS JOIN search_docs d ON d.id = p.doc_id CROSS JOIN messages g ON g.id = d.message_id`
	clearPending = `DELETE FROM search_pending`
)

// indexPending indexes the documents queued in tx (a BeforeCommit hook).
func indexPending(ctx context.Context, tx *sqldb.Tx) error {
	for _, q := range []string{indexPendingFTS, indexPendingShort, clearPending} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// startIndexing notes whether this database queues documents (SQLite with
// the search migrations applied) and indexes any left queued: none should
// be, since every message insert indexes its own at its commit, but a
// queued document must never stay unsearchable.
func (s *Service) startIndexing(ctx context.Context) error {
	if s.db.Dialect != sqldb.SQLite {
		return nil
	}
	var n int
	if err := s.db.QueryRow(ctx, selectPendingTable).Scan(&n); err != nil || n == 0 {
		return err
	}
	s.indexAtCommit = true
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error { return indexPending(ctx, tx) })
}

package sqldb

// QueueLen is the number of jobs waiting on b's first shard.
func QueueLen(b *Batcher) int { return len(b.shards[0]) }

// StopCheckpointer stops db's SQLite checkpointer, as if it had fallen
// behind.
func StopCheckpointer(db *DB) { db.ckpt.close(); db.ckpt = nil }

// CheckpointRuns is how many passes db's checkpointer has made.
func CheckpointRuns(db *DB) int64 { return db.ckpt.runs.Load() }

// PreparedWrite reports whether query is among db's prepared write statements.
func PreparedWrite(db *DB, query string) bool { return db.writeStmts.cached(query) != nil }

// PreparedWrites is how many write statements db holds prepared, and how
// many unprepared ones it is counting.
func PreparedWrites(db *DB) (prepared, counted int) {
	db.writeStmts.mu.RLock()
	prepared = len(db.writeStmts.m)
	db.writeStmts.mu.RUnlock()
	db.missedMu.Lock()
	counted = len(db.missed)
	db.missedMu.Unlock()
	return prepared, counted
}

package chat

import "context"

// SearchThrough makes Search take the trigram index ("fts": FTS5 on
// SQLite, the pg_trgm index open to PostgreSQL's planner) or scan the
// caller's messages ("scan"), whatever their number.
func SearchThrough(ctx context.Context, path string) context.Context {
	if path == "fts" {
		return context.WithValue(ctx, searchPathKey{}, int64(1<<40))
	}
	return context.WithValue(ctx, searchPathKey{}, int64(0))
}

package chat

import "context"

// SearchThrough makes Search on SQLite take the trigram index ("fts") or
// scan the caller's messages ("scan"), whatever their number.
func SearchThrough(ctx context.Context, path string) context.Context {
	if path == "fts" {
		return context.WithValue(ctx, searchPathKey{}, int64(searchScanBelow))
	}
	return context.WithValue(ctx, searchPathKey{}, int64(0))
}

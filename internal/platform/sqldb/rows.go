package sqldb

import "database/sql"

// Each calls fn for every row of rows, closes rows and returns the first
// error: fn's (which stops the iteration), rows.Err() (a failure met while
// reading, which rows.Next hides by returning false), or Close's. Pass it a
// query's result directly: Each(db.Query(...)) is not possible in Go, so
// check Query's error first.
func Each(rows *sql.Rows, fn func(*sql.Rows) error) (err error) {
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ScanAll scans every row of rows with scan and returns them, or the first
// error (see Each); on error the rows scanned so far are dropped. An empty
// result is a nil slice.
func ScanAll[T any](rows *sql.Rows, scan func(*sql.Rows) (T, error)) ([]T, error) {
	var out []T
	err := Each(rows, func(r *sql.Rows) error {
		v, err := scan(r)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

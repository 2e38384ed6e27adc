// Package sqldb opens Plaza's database — an SQLite file or PostgreSQL —
// behind one database/sql handle, and keeps every difference between the two
// dialects in this package: connection setup, placeholders, error codes,
// migration dialects.
//
// Statements are written once with "?" placeholders; on PostgreSQL they are
// rewritten to "$1, $2, …" (Rebind). Times are stored as BIGINT unix
// microseconds (UnixMicro) on both, so no driver's time handling differs.
//
// On SQLite all writes pass one connection (the writer) and every write
// transaction begins IMMEDIATE, so writers queue in Go instead of failing
// with SQLITE_BUSY; reads use a separate pool that WAL lets run beside it.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL engine under a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is Plaza's database handle.
type DB struct {
	Dialect Dialect
	write   *sql.DB // SQLite: one connection; PostgreSQL: the pool
	read    *sql.DB // SQLite: a read-only pool; PostgreSQL: the same pool
	rebinds sync.Map
	// SQLite statements prepared once per pool: parsing SQL was a sixth of
	// the time a message took. (pgx caches prepared statements itself.)
	writeStmts, readStmts stmtCache
	// missed counts write statements a transaction ran unprepared
	// (SQLite); one seen twice is prepared once the transaction is over
	// (prepareMissed), when the writer's one connection is free again.
	missedMu sync.Mutex
	missed   map[string]int
	// ckpt is SQLite's checkpointer (see checkpointer).
	ckpt *checkpointer
}

// stmtCache holds prepared statements by text, up to a bound, so that
// statements built at run time (IN lists) cannot grow it without limit.
type stmtCache struct {
	mu sync.RWMutex // guards m
	m  map[string]*sql.Stmt
}

const maxCachedStmts = 256

func (c *stmtCache) cached(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[query]
}

func (c *stmtCache) get(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	if st := c.cached(query); st != nil {
		return st
	}
	c.mu.RLock()
	full := len(c.m) >= maxCachedStmts
	c.mu.RUnlock()
	if full {
		return nil
	}
	// Prepare without the lock: it may wait for a connection.
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil // the caller runs the query unprepared and reports its error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prior := c.m[query]; prior != nil {
		st.Close()
		return prior
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
	c.mu.Unlock()
}

// Open connects to url: a "postgres://" or "postgresql://" URL selects
// PostgreSQL; anything else is taken as an SQLite file path ("" means
// dataDir/plaza.db).
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return openPostgres(ctx, url)
	}
	path := url
	if path == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("sqldb: data folder: %w", err)
		}
		path = filepath.Join(dataDir, "plaza.db")
	}
	return openSQLite(ctx, strings.TrimPrefix(path, "sqlite://"))
}

// DefaultPoolConns is how many connections a node opens to PostgreSQL at
// most; a URL's pool_max_conns parameter (pgxpool's name) says otherwise,
// for several nodes under one server's max_connections.
const DefaultPoolConns = 32

func openPostgres(ctx context.Context, url string) (*DB, error) {
	url, conns, err := poolMaxConns(url)
	if err != nil {
		return nil, err
	}
	pool, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("sqldb: postgres: %w", err)
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := ping(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("sqldb: postgres %s: %w", redact(url), err)
	}
	return &DB{Dialect: Postgres, write: pool, read: pool}, nil
}

// poolMaxConns takes pool_max_conns out of a PostgreSQL URL (the server
// would refuse it as an unknown setting) and returns it, or the default.
func poolMaxConns(raw string) (string, int, error) {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "", 0, fmt.Errorf("sqldb: postgres URL: %w", err)
	}
	q := u.Query()
	if !q.Has("pool_max_conns") {
		return raw, DefaultPoolConns, nil
	}
	// The last one counts: a caller may append its own to a URL that
	// already names one (tests' databases come with a small pool).
	vs := q["pool_max_conns"]
	v := vs[len(vs)-1]
	n, err := strconv.Atoi(v)
	if err != nil || n < 2 || n > 1000 {
		return "", 0, fmt.Errorf("sqldb: pool_max_conns=%q: want a whole number from 2 to 1000", v)
	}
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	return u.String(), n, nil
}

// ServerURL is url as PostgreSQL's own tools take it: without Plaza's
// pool_max_conns.
func ServerURL(url string) string {
	if u, _, err := poolMaxConns(url); err == nil {
		return u
	}
	return url
}

// The pragmas, and why:
//   - journal_mode(WAL): readers never block the writer nor it them.
//   - synchronous(FULL): a commit is on disk before it is acknowledged;
//     throughput comes from batching commits, not from weaker durability.
//   - busy_timeout: another process (plaza admin while a node runs) may hold
//     the write lock for a moment; wait rather than fail.
//   - foreign_keys: off by default in SQLite.
//   - _txlock=immediate: a write transaction takes the lock at BEGIN, so two
//     read-then-write transactions cannot deadlock on lock upgrade.
//   - wal_autocheckpoint on the writer: only a safety net (WALSafetyPages);
//     the checkpointer's own connection copies the WAL into the database
//     beside the writer instead of inside its commits.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)"

// WALSafetyPages is the writer's own wal_autocheckpoint. The checkpointer
// copies the WAL into the database beside the writer, but under steady
// reads and writes the WAL rarely starts over from its beginning (that
// needs a moment with no reader on it), so it would grow for ever: at this
// many pages (16 MiB of 4 KiB pages) the writer checkpoints in its commit,
// as SQLite does by default at 1,000, copying only the little the
// checkpointer has not, and the WAL starts over.
const WALSafetyPages = 4096

// CheckpointEvery is how often the checkpointer copies what was committed
// since its last pass from the WAL into the database file.
const CheckpointEvery = 100 * time.Millisecond

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqldb: %w", err)
		}
	}
	w, err := openOneSQLite(ctx, path, "&_txlock=immediate&_pragma=wal_autocheckpoint("+strconv.Itoa(WALSafetyPages)+")")
	if err != nil {
		return nil, err
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+sqlitePragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	ck, err := startCheckpointer(ctx, path)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return &DB{Dialect: SQLite, write: w, read: r, ckpt: ck}, nil
}

// checkpointer copies SQLite's WAL into the database file on a connection
// of its own, every CheckpointEvery while commits come in. SQLite's
// default runs that copy inside the commit that crosses 1,000 pages, on
// the one writer every write waits for: a seventh of the writer's time
// under transfers (issue 16). A PASSIVE checkpoint runs beside the writer
// and its readers and never blocks them; the WAL starts over from its
// beginning once a checkpoint has copied all of it (see WALSafetyPages).
type checkpointer struct {
	db    *sql.DB
	dirty atomic.Bool // a commit since the last pass
	runs  atomic.Int64
	stop  chan struct{}
	done  chan struct{}
}

// openOneSQLite opens a pool of one connection, kept open, to the SQLite
// file at path with the pragmas and the DSN parameters more.
func openOneSQLite(ctx context.Context, path, more string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?"+sqlitePragmas+more)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := ping(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqldb: sqlite %s: %w", path, err)
	}
	return db, nil
}

func startCheckpointer(ctx context.Context, path string) (*checkpointer, error) {
	db, err := openOneSQLite(ctx, path, "")
	if err != nil {
		return nil, err
	}
	c := &checkpointer{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer close(c.done)
	t := time.NewTicker(CheckpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		if !c.dirty.Swap(false) {
			continue
		}
		// A failure (the database busy with a restore, say) is tried again
		// at the next commit's pass; the writer's safety net bounds the WAL.
		var busy, frames, copied int64
		if err := c.db.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil || copied < frames {
			c.dirty.Store(true)
		}
		c.runs.Add(1)
	}
}

func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}

func ping(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// Close stops the checkpointer (SQLite) and closes the pools.
func (db *DB) Close() error {
	var err error
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	db.writeStmts.close()
	db.readStmts.close()
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Writer is the handle migrations run on.
func (db *DB) Writer() *sql.DB { return db.write }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Rebind rewrites "?" placeholders for the dialect. Statements must not hold
// a literal "?" in a string.
func (db *DB) Rebind(query string) string {
	if db.Dialect != Postgres {
		return query
	}
	if q, ok := db.rebinds.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	q := b.String()
	db.rebinds.Store(query, q)
	return q
}

// Query reads outside a transaction.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, db.Rebind(query), args...)
}

// QueryRow reads one row outside a transaction.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, db.Rebind(query), args...)
}

// Exec writes one statement in its own transaction.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := db.writeStmt(query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return db.write.ExecContext(ctx, db.Rebind(query), args...)
}

func (db *DB) readStmt(ctx context.Context, query string) *sql.Stmt {
	if db.Dialect != SQLite {
		return nil
	}
	return db.readStmts.get(ctx, db.read, query)
}

// writeStmt is the prepared form of a write statement, if Prepare made
// one. It never prepares: inside a transaction the writer's one connection
// is taken, and preparing on the pool would wait for it forever.
func (db *DB) writeStmt(query string) *sql.Stmt {
	if db.Dialect != SQLite {
		return nil
	}
	return db.writeStmts.cached(query)
}

// miss notes a write statement run unprepared in a transaction.
func (db *DB) miss(query string) {
	if db.Dialect != SQLite {
		return
	}
	db.missedMu.Lock()
	defer db.missedMu.Unlock()
	if _, seen := db.missed[query]; !seen && len(db.missed) >= 2*maxCachedStmts {
		return // statements built at run time: leave them unprepared
	}
	if db.missed == nil {
		db.missed = map[string]int{}
	}
	db.missed[query]++
}

// prepareMissed prepares, on the writer's connection, the write statements
// transactions ran unprepared twice or more: statements not listed to
// Prepare at start stop being parsed at every run (a tenth of the
// writer's time under transfers, issue 16). It runs after a transaction
// has ended, when the connection is free; it waits at most a second for
// it, and a statement it could not prepare is simply tried again.
func (db *DB) prepareMissed() {
	db.missedMu.Lock()
	var due []string
	for q, n := range db.missed {
		if n >= 2 {
			due = append(due, q)
			delete(db.missed, q)
		}
	}
	db.missedMu.Unlock()
	if len(due) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, q := range due {
		db.writeStmts.get(ctx, db.write, q)
	}
}

// Prepare prepares hot write statements once, at start (outside any
// transaction), so that transactions run them without parsing. It matters
// on SQLite only; elsewhere it does nothing.
func (db *DB) Prepare(ctx context.Context, queries ...string) error {
	if db.Dialect != SQLite {
		return nil
	}
	for _, q := range queries {
		if db.writeStmts.get(ctx, db.write, q) == nil {
			if _, err := db.write.PrepareContext(ctx, q); err != nil {
				return fmt.Errorf("sqldb: preparing %q: %w", q, err)
			}
		}
	}
	return nil
}

// Tx runs fn in a write transaction: it commits if fn returns nil and rolls
// back otherwise (also on panic). Every write that touches more than one
// statement goes through Tx.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.runTx(ctx, false, fn)
}

// runTx is Tx; a shared transaction's statements ignore their contexts'
// cancellation (see Batcher).
func (db *DB) runTx(ctx context.Context, shared bool, fn func(tx *Tx) error) (err error) {
	if db.Dialect == SQLite {
		// Last, once the transaction has ended and freed the connection.
		defer db.prepareMissed()
	}
	var conn *sql.Conn
	var sqlTx *sql.Tx
	if db.Dialect == Postgres {
		// A connection of its own, so that Later's statements can be sent
		// together on it (pgx's pipeline, under database/sql).
		if conn, err = db.write.Conn(ctx); err != nil {
			return fmt.Errorf("sqldb: begin: %w", err)
		}
		defer conn.Close() // back to the pool, after the commit or rollback
		sqlTx, err = conn.BeginTx(ctx, nil)
	} else {
		sqlTx, err = db.write.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("sqldb: begin: %w", err)
	}
	tx := &Tx{tx: sqlTx, conn: conn, db: db, shared: shared}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	for _, h := range tx.beforeCommit {
		if err = h.fn(tx.stmtCtx(ctx), tx); err != nil {
			return err
		}
	}
	if err = tx.flush(ctx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqldb: commit: %w", err)
	}
	if db.ckpt != nil {
		db.ckpt.dirty.Store(true)
	}
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// Tx is a write transaction; its methods rebind like DB's.
type Tx struct {
	tx          *sql.Tx
	conn        *sql.Conn // PostgreSQL: the connection tx runs on
	db          *DB
	afterCommit []func()
	later       []laterStmt // Later's statements, not sent yet
	// beforeCommit holds BeforeCommit's hooks by name, in the order
	// first given.
	beforeCommit []namedHook
	// shared marks a Batcher's transaction: many callers' jobs share it,
	// so no one caller's cancellation may reach its statements.
	shared bool
	// ahead is the running batch job's first statement (Batcher).
	ahead *Ahead
}

// stmtCtx is the context a statement runs with: in a shared (batch)
// transaction never a cancellable one, whatever the job passed.
func (tx *Tx) stmtCtx(ctx context.Context) context.Context {
	if tx.shared {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Dialect of the transaction's database.
func (tx *Tx) Dialect() Dialect { return tx.db.Dialect }

// DB is the database the transaction runs on.
func (tx *Tx) DB() *DB { return tx.db }

func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = tx.stmtCtx(ctx)
	if st := tx.db.writeStmt(query); st != nil {
		return tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	tx.db.miss(query)
	return tx.tx.ExecContext(ctx, tx.db.Rebind(query), args...)
}

func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = tx.stmtCtx(ctx)
	if st := tx.db.writeStmt(query); st != nil {
		return tx.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	tx.db.miss(query)
	return tx.tx.QueryContext(ctx, tx.db.Rebind(query), args...)
}

func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = tx.stmtCtx(ctx)
	if st := tx.db.writeStmt(query); st != nil {
		return tx.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	tx.db.miss(query)
	return tx.tx.QueryRowContext(ctx, tx.db.Rebind(query), args...)
}

type namedHook struct {
	name string
	fn   func(ctx context.Context, tx *Tx) error
}

// BeforeCommit runs fn in the transaction once everything else in it has
// run, just before it commits; a hook of the same name given again (by
// the next job of a batch) is not added twice, so a batch of many jobs
// runs it once. An error from fn fails the commit. It is for work a
// transaction's writes leave that is cheaper done once for all of them
// (chat indexes a batch's messages for search in one statement).
func (tx *Tx) BeforeCommit(name string, fn func(ctx context.Context, tx *Tx) error) {
	for _, h := range tx.beforeCommit {
		if h.name == name {
			return
		}
	}
	tx.beforeCommit = append(tx.beforeCommit, namedHook{name, fn})
}

// laterStmt is a statement Later keeps until the transaction commits.
type laterStmt struct {
	query string // rebound
	args  []any
}

// Later runs a write whose outcome nothing in the transaction reads
// afterwards (an audit row, an outbox event, a stored answer) by the time
// the transaction commits: on PostgreSQL all of a transaction's Later
// statements go together in one round trip (a pgx pipeline) just before
// its commit, and an error of one (a unique violation, say) fails the
// commit; on SQLite, in-process, it runs at once. Statements that read
// what it writes, in the same transaction, do not see it on PostgreSQL.
func (tx *Tx) Later(ctx context.Context, query string, args ...any) error {
	if tx.conn == nil {
		_, err := tx.Exec(ctx, query, args...)
		return err
	}
	tx.later = append(tx.later, laterStmt{tx.db.Rebind(query), args})
	return nil
}

// flush sends the Later statements not sent yet, together.
func (tx *Tx) flush(ctx context.Context) error {
	switch len(tx.later) {
	case 0:
		return nil
	case 1:
		l := tx.later[0]
		tx.later = tx.later[:0]
		_, err := tx.tx.ExecContext(tx.stmtCtx(ctx), l.query, l.args...)
		return err
	}
	ctx = tx.stmtCtx(ctx)
	err := tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("sqldb: a PostgreSQL connection of type %T", dc)
		}
		var b pgx.Batch
		for _, l := range tx.later {
			b.Queue(l.query, l.args...)
		}
		return c.Conn().SendBatch(ctx, &b).Close()
	})
	clear(tx.later)
	tx.later = tx.later[:0]
	return err
}

// AfterCommit runs f once the transaction has committed (never if it rolls
// back): the place to publish events about what the transaction wrote.
func (tx *Tx) AfterCommit(f func()) { tx.afterCommit = append(tx.afterCommit, f) }

// IsUniqueViolation reports whether err is a unique or primary-key
// constraint failure on either dialect.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Micro is t as stored: unix microseconds.
func Micro(t time.Time) int64 { return t.UnixMicro() }

// FromMicro is the time stored as unix microseconds.
func FromMicro(us int64) time.Time { return time.UnixMicro(us).UTC() }

func redact(url string) string {
	if at := strings.LastIndex(url, "@"); at > 0 {
		if scheme := strings.Index(url, "://"); scheme > 0 && scheme < at {
			return url[:scheme+3] + "…" + url[at:]
		}
	}
	return url
}

// Querier is what both DB and Tx offer, for store helpers that run in or
// out of a transaction.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

var (
	_ Querier = (*DB)(nil)
	_ Querier = (*Tx)(nil)
)

package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// Batcher is group commit: it runs many small write jobs in one shared
// transaction, so that one fsync (one commit) serves them all, instead of
// weakening durability per write. Each job runs inside its own SAVEPOINT, so
// a job that fails is rolled back alone and the others still commit. A job's
// Do returns only after the batch has committed: when Do returns nil, the
// job's writes are durable.
//
// The batcher owns cancellation. A job runs with a context that cannot be
// cancelled (context.WithoutCancel of its caller's: values such as the
// logger are kept), and every statement of a batch's transaction ignores
// cancellation whatever context it is given, so one caller that gives up
// can never abort a transaction that others share. A job whose caller's
// context has ended before the job starts is dropped, and Do returns
// ctx.Err(); once a job has started it runs to the end — also when it has
// to be run again — and Do returns its outcome (nil once it committed),
// never ctx.Err(): the caller must learn whether the money moved.
//
// Jobs are spread over shards by key; jobs with one key always run on one
// shard, in the order they were submitted, so per-key order holds and two
// batches never wait on each other's row locks for one key. On SQLite there
// is one writer, so one shard is all there is.
//
// Several shards on PostgreSQL need a lock order: a batch holds the row
// locks of all its jobs until it commits, so two shards' batches that touch
// the same rows in different orders could deadlock. With a Locker
// (NewLockingBatcher), jobs name the rows they will change (DoLocked), and
// each batch takes the locks of all its jobs at once, in one order, before
// its first job runs: two batches then wait for each other at most in one
// direction, and never deadlock over the rows they declared. Rows a job
// changes without declaring them must be changed only by jobs of one
// shard (one key); should a deadlock happen anyway, PostgreSQL breaks it
// and the job that lost runs again.
type Batcher struct {
	db     *DB
	shards []chan *batchJob
	// cost is each shard's recent time a job (ns, a moving average over
	// its batches, commit included): with shedAfter, how long a job
	// queued now would wait.
	cost      []atomic.Int64
	shedAfter atomic.Int64 // ns; 0: shed only when a queue is full
	maxBatch  int
	wg        sync.WaitGroup
	stop      chan struct{}
	lock      Locker
}

// Locker is the one statement that takes the row locks named by a batch's
// jobs (sorted, without repeats) in the batch's transaction, in the order
// given or its own fixed one, before any job runs; the rows it returns are
// dropped. On PostgreSQL a batch whose jobs have statements ahead sends it
// first in their pipeline, so that the locks cost no round trip of their
// own (issue 16: a sixth of a batch's time went to it).
type Locker func(names []string) (query string, args []any)

type batchJob struct {
	ctx  context.Context // the caller's: a job whose caller gave up before it started is dropped
	fn   func(ctx context.Context, tx *Tx) error
	done chan error
	// started is set once the job has begun in a batch: from then on it
	// runs to the end, even if its caller's context ends.
	started bool
	// after holds the job's AfterCommit hooks, run only if it committed.
	after []func()
	// checked jobs refuse only before writing (DoChecked).
	checked bool
	retries int
	// locks are the rows the job will change (DoLocked).
	locks []string
	// ahead is the job's first statement (DoLockedAhead).
	ahead *Ahead
}

// Ahead is a job's first statement, whose one row the job reads with
// Tx.Ahead. On PostgreSQL a batch sends the first statements of all its
// jobs together, in one round trip (a pgx pipeline), once it holds its
// locks and before its first job runs, instead of one round trip a job;
// elsewhere, or in a batch of one, Tx.Ahead runs it when the job asks.
// The statement may write, and must leave nothing behind when it returns
// no row, since a job that finds no row goes on after every other job's
// statement has run (as if it had come after them).
type Ahead struct {
	Query string
	Args  []any
	Dest  []any // where the row's columns are scanned
	// Before, when set, is called just before the statement is sent, in
	// the batch's order of jobs, to fill Args that must follow that order
	// (a k-sortable id, a time).
	Before func()

	sent bool  // the statement ran in this attempt of the batch
	err  error // its outcome: nil, sql.ErrNoRows or an error
}

// errPoisoned rolls back a bare batch in which a job failed.
var errPoisoned = errors.New("sqldb: a job of the batch failed")

// retryable reports whether err is PostgreSQL aborting a transaction that
// lost a deadlock or a serialization conflict.
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

const (
	savepoint  = "SAVEPOINT batch_job"
	rollbackTo = "ROLLBACK TO SAVEPOINT batch_job"
	release    = "RELEASE SAVEPOINT batch_job"
)

// ErrBatcherClosed is returned for jobs submitted after Close.
var ErrBatcherClosed = errors.New("sqldb: batcher closed")

// ErrOverloaded is DoCheckedOrShed's refusal: the key's writer already has
// a full queue, so the job was not queued and nothing was written.
var ErrOverloaded = errors.New("sqldb: the writer's queue is full")

// NewBatcher starts a batcher with up to shards writers (1 on SQLite) and
// at most maxBatch jobs a transaction. Its error is a failure to prepare
// its statements.
func (db *DB) NewBatcher(shards, maxBatch int) (*Batcher, error) {
	return db.NewLockingBatcher(shards, maxBatch, nil)
}

// NewLockingBatcher is NewBatcher whose batches first take their jobs'
// declared locks with lock (on PostgreSQL; SQLite has one writer and no
// row locks, so lock is not called there).
func (db *DB) NewLockingBatcher(shards, maxBatch int, lock Locker) (*Batcher, error) {
	if db.Dialect == SQLite || shards < 1 {
		shards = 1
	}
	if maxBatch < 1 {
		maxBatch = 256
	}
	if err := db.Prepare(context.Background(), savepoint, rollbackTo, release); err != nil {
		return nil, err
	}
	b := &Batcher{db: db, maxBatch: maxBatch, stop: make(chan struct{}), cost: make([]atomic.Int64, shards)}
	if db.Dialect == Postgres {
		b.lock = lock
	}
	for i := range shards {
		ch := make(chan *batchJob, 4*maxBatch)
		b.shards = append(b.shards, ch)
		b.wg.Add(1)
		go b.run(ch, &b.cost[i])
	}
	return b, nil
}

// ShedAfter makes DoCheckedOrShed and StartCheckedOrShed refuse a job
// (ErrOverloaded) also when, at the shard's recent pace, it would wait
// longer than d behind the jobs already queued: under an overload the
// refusals then come while an answer would still be quick, instead of
// once the queue has grown seconds long. 0 sheds only at a full queue.
func (b *Batcher) ShedAfter(d time.Duration) { b.shedAfter.Store(int64(d)) }

// Do runs fn in a shared transaction on key's shard and returns once that
// transaction has committed (nil) or fn or the commit failed. fn gets a
// context that is never cancelled (ctx's values without its deadline or
// cancellation); ctx only decides whether the job starts at all.
func (b *Batcher) Do(ctx context.Context, key string, fn func(ctx context.Context, tx *Tx) error) error {
	return b.submit(ctx, key, &batchJob{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// DoChecked is Do for jobs that rarely fail. Such jobs run
// without a savepoint each — two round trips fewer — and should one fail
// (in SQL, which aborts the shared transaction, or by returning an error),
// the batch is rolled back and run again without the failing job, which
// runs alone, in a transaction of its own, and returns its error (a unique
// violation, say) to its caller only; a job alone that loses a deadlock is
// retried.
func (b *Batcher) DoChecked(ctx context.Context, key string, fn func(ctx context.Context, tx *Tx) error) error {
	return b.submit(ctx, key, &batchJob{ctx: ctx, fn: fn, done: make(chan error, 1), checked: true})
}

// DoLocked is DoChecked for a job that changes the rows named by locks:
// its batch takes them (with the batcher's Locker) before its first job.
func (b *Batcher) DoLocked(ctx context.Context, key string, locks []string, fn func(ctx context.Context, tx *Tx) error) error {
	return b.submit(ctx, key, &batchJob{ctx: ctx, fn: fn, done: make(chan error, 1), checked: true, locks: locks})
}

// DoLockedAhead is DoLocked for a job whose first statement is ahead
// (see Ahead); fn reads its outcome with tx.Ahead.
func (b *Batcher) DoLockedAhead(ctx context.Context, key string, locks []string, ahead *Ahead, fn func(ctx context.Context, tx *Tx) error) error {
	return b.submit(ctx, key, &batchJob{ctx: ctx, fn: fn, done: make(chan error, 1), checked: true, locks: locks, ahead: ahead})
}

// DoCheckedOrShed is DoChecked that refuses at once (ErrOverloaded, with
// nothing written) instead of waiting when the key's writer already has
// a full queue: under an overload callers learn in microseconds that they
// should come back later, rather than every answer waiting ever longer.
func (b *Batcher) DoCheckedOrShed(ctx context.Context, key string, fn func(ctx context.Context, tx *Tx) error) error {
	return b.enqueue(ctx, key, &batchJob{ctx: ctx, fn: fn, done: make(chan error, 1), checked: true}, true)
}

func (b *Batcher) shardOf(key string) chan *batchJob {
	return b.shards[b.shardIx(key)]
}

func (b *Batcher) shardIx(key string) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(len(b.shards)))
}

// tooLong reports whether a job queued on shard i now would wait longer
// than ShedAfter.
func (b *Batcher) tooLong(i int) bool {
	limit := b.shedAfter.Load()
	n := len(b.shards[i])
	if limit <= 0 || n < minShedQueue {
		return false
	}
	return int64(n)*b.cost[i].Load() > limit
}

// minShedQueue is how many jobs a shard always queues before ShedAfter
// applies: a burst (one client's quick sends, a slow moment of the
// machine) is taken, not refused.
const minShedQueue = 16

// Queued is how many jobs wait on key's writer, and how many it can hold
// before DoCheckedOrShed refuses.
func (b *Batcher) Queued(key string) (n, capacity int) {
	ch := b.shardOf(key)
	return len(ch), cap(ch)
}

func (b *Batcher) submit(ctx context.Context, key string, j *batchJob) error {
	return b.enqueue(ctx, key, j, false)
}

// enqueue queues j on key's writer — waiting for room, or with shed
// refusing at once (ErrOverloaded) when there is none — and returns its
// outcome.
func (b *Batcher) enqueue(ctx context.Context, key string, j *batchJob, shed bool) error {
	if err := b.queue(ctx, key, j, shed); err != nil {
		return err
	}
	// Once queued, the job's outcome is awaited even if ctx ends: the
	// caller must learn whether it committed.
	return <-j.done
}

// queue puts j on key's writer without waiting for its outcome.
func (b *Batcher) queue(ctx context.Context, key string, j *batchJob, shed bool) error {
	i := b.shardIx(key)
	ch := b.shards[i]
	select {
	case <-b.stop:
		return ErrBatcherClosed
	default:
	}
	if shed {
		if b.tooLong(i) {
			return ErrOverloaded
		}
		select {
		case ch <- j:
			return nil
		default:
			return ErrOverloaded
		}
	}
	select {
	case ch <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-b.stop:
		return ErrBatcherClosed
	}
}

// StartCheckedOrShed is DoCheckedOrShed in two steps: it queues the job
// (or refuses it) now, and the returned wait gives its outcome, once.
// Jobs of one key started one after another run in that order, so a
// caller may have several in flight and still see them commit in the
// order it started them.
func (b *Batcher) StartCheckedOrShed(ctx context.Context, key string, fn func(ctx context.Context, tx *Tx) error) (wait func() error) {
	return b.StartCheckedOrShedAhead(ctx, key, nil, fn)
}

// StartCheckedOrShedAhead is StartCheckedOrShed for a job whose first
// statement is ahead (nil: none; see Ahead).
func (b *Batcher) StartCheckedOrShedAhead(ctx context.Context, key string, ahead *Ahead, fn func(ctx context.Context, tx *Tx) error) (wait func() error) {
	j := &batchJob{ctx: ctx, fn: fn, done: make(chan error, 1), checked: true, ahead: ahead}
	if err := b.queue(ctx, key, j, true); err != nil {
		return func() error { return err }
	}
	return func() error { return <-j.done }
}

// Close stops taking jobs, finishes the queued ones and stops the writers.
func (b *Batcher) Close() {
	select {
	case <-b.stop:
		return
	default:
	}
	close(b.stop)
	b.wg.Wait()
}

func (b *Batcher) run(ch chan *batchJob, cost *atomic.Int64) {
	defer b.wg.Done()
	batch := make([]*batchJob, 0, b.maxBatch)
	for {
		var first *batchJob
		select {
		case first = <-ch:
		case <-b.stop:
			// Drain what was queued before Close.
			for {
				select {
				case j := <-ch:
					b.commit([]*batchJob{j})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < b.maxBatch {
			select {
			case j := <-ch:
				batch = append(batch, j)
			default:
				break fill
			}
		}
		began := time.Now()
		b.commit(batch)
		per := int64(time.Since(began)) / int64(len(batch))
		if old := cost.Load(); old > 0 {
			per = (3*old + per) / 4
		}
		cost.Store(per)
	}
}

// commit runs one batch in one transaction and reports to every job.
func (b *Batcher) commit(batch []*batchJob) {
	// A batch of checked jobs needs no savepoints: a refusal wrote nothing,
	// and a job that fails (returns an error; on PostgreSQL an SQL error
	// also aborts the whole transaction) poisons the batch, which is rolled
	// back whole and run again without it, so no partial write can commit.
	// On SQLite, where a failed statement leaves the job's earlier ones
	// done, the whole-batch rollback undoes them too. Savepoints there cost
	// a journal write each and a flush of the full-text index on release
	// (a fifth of a send's time in a profile, issue 16).
	bare := true
	for _, j := range batch {
		bare = bare && j.checked
	}
	results := make([]error, len(batch))
	failed := -1
	err := b.db.runTx(context.Background(), true, func(tx *Tx) error {
		// With statements ahead to send, the locks go first in their
		// pipeline (sendAhead); otherwise they are taken now, before the
		// jobs are started.
		pipelined := bare && tx.conn != nil && aheadJobs(batch) >= 2
		if !pipelined {
			if err := b.takeLocks(tx, batch); err != nil {
				return err
			}
		}
		for i, j := range batch {
			if j.ahead != nil {
				j.ahead.sent = false // this attempt runs it again
			}
			if !j.started {
				if err := j.ctx.Err(); err != nil {
					results[i] = err // dropped before it began
					continue
				}
				j.started = true
			}
		}
		if bare {
			var lock *lockStmt
			if pipelined {
				lock = b.lockStatement(batch)
			}
			if i, err := sendAhead(tx, batch, lock); err != nil {
				if i < 0 {
					return err // the locks, not a job
				}
				results[i], failed = err, i
				return errPoisoned
			}
		}
		for i, j := range batch {
			if !j.started {
				continue
			}
			jctx := context.WithoutCancel(j.ctx)
			if !bare {
				results[i] = b.runJob(jctx, tx, j)
				continue
			}
			// A bare job that fails may have written before failing, and
			// with no savepoint its writes cannot be undone alone: undo
			// the whole batch and run it again without this job.
			if results[i] = runBare(jctx, tx, j); results[i] != nil {
				failed = i
				return errPoisoned
			}
		}
		return nil
	})
	if err != nil && bare {
		if len(batch) > 1 {
			for _, j := range batch {
				j.after = nil
			}
			if failed < 0 {
				// The commit failed, not a job: run each alone.
				for _, j := range batch {
					b.commit([]*batchJob{j})
				}
				return
			}
			// Isolate the failing job, keeping the order of the others:
			// those before it run again together, it runs alone (and
			// reports its own error), those after it follow together.
			if failed > 0 {
				b.commit(batch[:failed])
			}
			b.commit(batch[failed : failed+1])
			if failed+1 < len(batch) {
				b.commit(batch[failed+1:])
			}
			return
		}
		if errors.Is(err, errPoisoned) {
			err = results[0]
		}
		if retryable(err) && batch[0].retries < 3 {
			// A deadlock or serialization failure with another node's
			// transaction: PostgreSQL chose this one to abort; run it again.
			batch[0].retries++
			batch[0].after = nil
			b.commit(batch)
			return
		}
		batch[0].done <- err
		return
	}
	for i, j := range batch {
		if err != nil {
			j.done <- err
			continue
		}
		if results[i] == nil {
			for _, f := range j.after {
				f()
			}
		}
		j.done <- results[i]
	}
}

// lockStmt is a batch's Locker statement, rebound.
type lockStmt struct {
	query string
	args  []any
}

// lockStatement is the Locker's statement for the declared locks of the
// batch's jobs that will run (started, or not given up), all at once and
// sorted, so that no two batches deadlock over them; nil when there is
// nothing to lock.
func (b *Batcher) lockStatement(batch []*batchJob) *lockStmt {
	if b.lock == nil {
		return nil
	}
	var names []string
	for _, j := range batch {
		if j.started || j.ctx.Err() == nil {
			names = append(names, j.locks...)
		}
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	q, args := b.lock(slices.Compact(names))
	return &lockStmt{b.db.Rebind(q), args}
}

// takeLocks takes the batch's locks (lockStatement) in a round trip of
// their own.
func (b *Batcher) takeLocks(tx *Tx, batch []*batchJob) error {
	return tx.lock(b.lockStatement(batch))
}

// lock runs the lock statement l (nothing when nil), dropping its rows.
func (tx *Tx) lock(l *lockStmt) error {
	if l == nil {
		return nil
	}
	rows, err := tx.tx.QueryContext(tx.stmtCtx(context.Background()), l.query, l.args...)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	return errors.Join(rows.Err(), rows.Close())
}

// aheadJobs counts the batch's jobs that have a statement ahead and have
// not been given up.
func aheadJobs(batch []*batchJob) int {
	n := 0
	for _, j := range batch {
		if j.ahead != nil && (j.started || j.ctx.Err() == nil) {
			n++
		}
	}
	return n
}

// sendAhead sends the first statements of the batch's started jobs that
// have one together, on PostgreSQL, after the batch's lock statement when
// given, and keeps each outcome for its job's Tx.Ahead. An SQL error
// aborts the transaction, and with it the statements behind it: the index
// of the job whose statement failed is returned with the error, or -1
// when the lock statement failed.
func sendAhead(tx *Tx, batch []*batchJob, lock *lockStmt) (int, error) {
	var idx []int
	for i, j := range batch {
		if j.started && j.ahead != nil {
			idx = append(idx, i)
		}
	}
	if tx.conn == nil || len(idx) < 2 {
		// SQLite, or one statement: Tx.Ahead runs it, after the locks.
		if err := tx.lock(lock); err != nil {
			return -1, err
		}
		return 0, nil
	}
	failed := idx[0]
	err := tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("sqldb: a PostgreSQL connection of type %T", dc)
		}
		var b pgx.Batch
		if lock != nil {
			b.Queue(lock.query, lock.args...)
		}
		for _, i := range idx {
			a := batch[i].ahead
			if a.Before != nil {
				a.Before()
			}
			b.Queue(tx.db.Rebind(a.Query), a.Args...)
		}
		br := c.Conn().SendBatch(context.Background(), &b)
		if lock != nil {
			if _, err := br.Exec(); err != nil {
				failed = -1
				br.Close()
				return err
			}
		}
		for _, i := range idx {
			a := batch[i].ahead
			err := br.QueryRow().Scan(a.Dest...)
			if errors.Is(err, pgx.ErrNoRows) {
				err = sql.ErrNoRows
			}
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				failed = i
				br.Close()
				return err
			}
			a.sent, a.err = true, err
		}
		return br.Close()
	})
	if err != nil {
		return failed, err
	}
	return 0, nil
}

// Ahead runs the job's first statement (DoLockedAhead), unless its batch
// already sent it, and returns its outcome: nil with the row scanned into
// the statement's Dest, sql.ErrNoRows, or an error.
func (tx *Tx) Ahead(ctx context.Context) error {
	a := tx.ahead
	if a == nil {
		return errors.New("sqldb: Ahead outside a job given a statement ahead")
	}
	if !a.sent {
		a.sent = true
		if a.Before != nil {
			a.Before()
		}
		a.err = tx.QueryRow(ctx, a.Query, a.Args...).Scan(a.Dest...)
	}
	return a.err
}

// runBare runs a checked job with no savepoint, keeping its hooks.
func runBare(ctx context.Context, tx *Tx, j *batchJob) (err error) {
	hooks := len(tx.afterCommit)
	tx.ahead = j.ahead
	defer func() {
		tx.ahead = nil
		if p := recover(); p != nil {
			err = fmt.Errorf("sqldb: batch job panicked: %v", p)
		}
		if err == nil {
			j.after = append(j.after, tx.afterCommit[hooks:]...)
		}
		tx.afterCommit = tx.afterCommit[:hooks]
	}()
	return j.fn(ctx, tx)
}

// runJob runs one job under a savepoint; on failure only its writes are
// undone.
func (b *Batcher) runJob(ctx context.Context, tx *Tx, j *batchJob) (err error) {
	// Jobs run one after another, each releasing its savepoint before the
	// next begins, so one name serves them all (and is prepared once).
	if _, err := tx.Exec(context.Background(), savepoint); err != nil {
		return err
	}
	hooks := len(tx.afterCommit)
	tx.ahead = j.ahead
	defer func() {
		tx.ahead = nil
		if p := recover(); p != nil {
			err = fmt.Errorf("sqldb: batch job panicked: %v", p)
		}
		j.after = append(j.after, tx.afterCommit[hooks:]...)
		tx.afterCommit = tx.afterCommit[:hooks]
		if err == nil {
			// The job's Later statements go now, under its savepoint: one
			// that fails is the job's failure alone.
			err = tx.flush(ctx)
		}
		if err != nil {
			clear(tx.later)
			tx.later = tx.later[:0]
			j.after = nil
			if _, rerr := tx.Exec(context.Background(), rollbackTo); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if _, rerr := tx.Exec(context.Background(), release); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return j.fn(ctx, tx)
}

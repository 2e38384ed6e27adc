package merchant

import (
	"context"
	"database/sql"
	"sort"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/outbound"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The outbox's delivery: which node makes which attempt (the statements
// are in store.go), and how many at once.

// claimLease is how long a node holds an attempt: far more than one
// attempt may take (deliveryTimeout), so that a lease never runs out under
// a live delivery, even with some clock skew between nodes.
const (
	claimLease      = time.Minute
	deliveryTimeout = 20 * time.Second
)

// deliveryPool bounds the deliveries in flight on this node, in all and
// per merchant, so that a merchant whose server hangs holds at most
// perMerchant workers and everyone else's notifications go on.
type deliveryPool struct {
	workers, perMerchant int
	mu                   sync.Mutex // guards the fields below
	inFlight             map[string]int
	total                int
	closed               bool
	wg                   sync.WaitGroup // one per reserved slot; Add under mu
	// freed is told (without blocking; one signal stands for any number)
	// each time an attempt finishes, for Run to poll the outbox again.
	freed chan struct{}
}

func newDeliveryPool(workers, perMerchant int) *deliveryPool {
	if workers <= 0 {
		workers = 32
	}
	if perMerchant <= 0 {
		perMerchant = 2
	}
	return &deliveryPool{workers: workers, perMerchant: perMerchant, inFlight: map[string]int{}, freed: make(chan struct{}, 1)}
}

// reserve takes a slot for one of mchid's deliveries, if there is one.
func (p *deliveryPool) reserve(mchid string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.total >= p.workers || p.inFlight[mchid] >= p.perMerchant {
		return false
	}
	p.total++
	p.inFlight[mchid]++
	p.wg.Add(1)
	return true
}

func (p *deliveryPool) release(mchid string) {
	p.mu.Lock()
	p.total--
	if p.inFlight[mchid]--; p.inFlight[mchid] <= 0 {
		delete(p.inFlight, mchid)
	}
	p.mu.Unlock()
	p.wg.Done()
}

// finished releases the slot of an attempt that was made and tells Run
// that there is room: a claim that failed releases without telling, or a
// database that refuses claims would be polled in a busy loop.
func (p *deliveryPool) finished(mchid string) {
	p.release(mchid)
	select {
	case p.freed <- struct{}{}:
	default:
	}
}

// load is how many deliveries are in flight in all and for each merchant.
func (p *deliveryPool) load(mchids []string) (int, map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(mchids))
	for _, m := range mchids {
		out[m] = p.inFlight[m]
	}
	return p.total, out
}

// close refuses new deliveries and waits for those in flight.
func (p *deliveryPool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.wg.Wait()
}

type dueNotification struct {
	id, mchid, url, body string
	attempts             int
}

// Deliver starts delivering the notifications that are due, as far as the
// pool has room, and returns how many it started without waiting for
// them. Each attempt is claimed by one node; merchants with the fewest
// deliveries in flight go first, so a merchant whose server hangs cannot
// hold back another's. Failed attempts are retried on WeChat's timetable
// until the merchant answers 2xx. Close waits for what was started.
func (s *Service) Deliver(ctx context.Context) (int, error) {
	p := s.deliveries
	if total, _ := p.load(nil); total >= p.workers {
		return 0, nil
	}
	now := s.now()
	rows, err := s.db.Query(ctx, dueNotifications, sqldb.Micro(now), sqldb.Micro(now), p.perMerchant, 4*p.workers)
	if err != nil {
		return 0, err
	}
	list, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (dueNotification, error) {
		var d dueNotification
		err := rows.Scan(&d.id, &d.mchid, &d.url, &d.body, &d.attempts)
		return d, err
	})
	if err != nil {
		return 0, err
	}
	mchids := make([]string, len(list))
	for i, d := range list {
		mchids[i] = d.mchid
	}
	_, busy := p.load(mchids)
	sort.SliceStable(list, func(i, j int) bool { return busy[list[i].mchid] < busy[list[j].mchid] })
	started := 0
	for _, d := range list {
		if !p.reserve(d.mchid) {
			continue // this merchant, or the node, is at its limit
		}
		lease := sqldb.Micro(now.Add(claimLease))
		res, err := s.db.Exec(ctx, claimNotification, lease, d.id, sqldb.Micro(now))
		if err != nil {
			p.release(d.mchid)
			return started, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			p.release(d.mchid)
			continue // another node has it
		}
		started++
		go func() {
			defer p.finished(d.mchid)
			s.attempt(ctx, d, lease)
		}()
	}
	return started, nil
}

// attempt sends one claimed notification and records the outcome.
func (s *Service) attempt(ctx context.Context, d dueNotification, lease int64) {
	sendCtx, cancel := context.WithTimeout(ctx, deliveryTimeout)
	status, sendErr := s.send(sendCtx, d.mchid, d.url, []byte(d.body))
	cancel()
	// The record is written even while the node stops: a delivered
	// notification must not be sent again.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer wcancel()
	if sendErr != nil && ctx.Err() != nil {
		// Cut short by the node stopping: not the merchant's failure.
		// Hand the attempt back for any node to make now.
		if _, err := s.db.Exec(wctx, releaseClaim, d.id, lease); err != nil {
			s.log.Warn("releasing a notification", "id", d.id, "err", err)
		}
		return
	}
	outcome := outbound.Outcome(status, sendErr)
	state, next, delivered := "pending", s.now(), any(nil)
	switch {
	case sendErr == nil && status >= 200 && status < 300:
		state, delivered = "delivered", sqldb.Micro(s.now())
	case d.attempts >= len(s.retry):
		state = "failed"
	default:
		next = s.now().Add(s.retry[d.attempts])
	}
	if outcome != "" {
		// The details (addresses, ports, the error's text) stay in the
		// server's log; the merchant sees only the outcome.
		s.log.Info("notification not delivered", "id", d.id, "mchid", d.mchid, "status", status, "outcome", outcome, "err", sendErr)
	}
	res, err := s.db.Exec(wctx, finishAttempt, state, sqldb.Micro(next), status, outcome, delivered, d.id, lease)
	if err != nil {
		s.log.Warn("recording a notification attempt", "id", d.id, "err", err)
		return
	}
	if n, _ := res.RowsAffected(); n != 1 {
		s.log.Warn("a notification's lease ran out during its attempt", "id", d.id)
	}
}

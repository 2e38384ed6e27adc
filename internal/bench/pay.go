package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// PayConfig is plaza bench pay's flags.
type PayConfig struct {
	Addr        string
	Duration    time.Duration
	Users       int
	Hot         bool // everyone pays one account (a merchant) instead of random pairs
	RedPacket   int  // > 0: that many users claim one red packet at once instead
	Concurrency int  // requests in flight
	// Ledger audits the node's database at the end (nil: skipped).
	Ledger func(ctx context.Context) (any, error)
	// Pgbench, when set, is the node's PostgreSQL URL: after Plaza's run
	// the same machine's pgbench commits the same movement
	// (PgbenchMovement) for as long, with 64 clients, and the result
	// shows both rates and their ratio.
	Pgbench string
	Log     func(format string, args ...any)
}

// PayResult is what plaza bench pay prints (CONTRACT.md's field names).
type PayResult struct {
	TransfersPerSec float64        `json:"transfers_per_sec"`
	P50             float64        `json:"p50_ms"`
	P99             float64        `json:"p99_ms"`
	Failures        map[string]int `json:"failures"`
	Ledger          any            `json:"ledger"`
	Transfers       int64          `json:"transfers"`
	Users           int            `json:"users"`
	Mode            string         `json:"mode"`
	SetupSeconds    float64        `json:"setup_seconds"`
	// With --red-packet:
	Claims       *int64 `json:"claims,omitempty"`
	ClaimedTotal *int64 `json:"claimed_total,omitempty"`
	ElapsedMS    *int64 `json:"elapsed_ms,omitempty"`
	Total        int64  `json:"red_packet_total,omitempty"`
	Shares       int    `json:"red_packet_shares,omitempty"`
	// With --pgbench: pgbench's rate for the same movement, and Plaza's
	// transfers a second over it (the goal is at least 2).
	Pgbench        *PgbenchResult `json:"pgbench,omitempty"`
	RatioToPgbench float64        `json:"ratio_to_pgbench,omitempty"`
}

const benchPIN = "842613"

type payRun struct {
	cfg   PayConfig
	api   *api
	users []user
	mu    sync.Mutex
	lat   []time.Duration
	fails map[string]int
}

func (r *payRun) logf(format string, args ...any) {
	if r.cfg.Log != nil {
		r.cfg.Log(format, args...)
	}
}

func (r *payRun) fail(err error) {
	code := "network"
	if e, ok := err.(*apiError); ok {
		code = e.Code
		if code == "" {
			code = fmt.Sprint(e.Status)
		}
	}
	r.mu.Lock()
	r.fails[code]++
	r.mu.Unlock()
}

// Pay runs the payment benchmark against a running node.
func Pay(ctx context.Context, cfg PayConfig) (PayResult, error) {
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 64
	}
	r := &payRun{cfg: cfg, api: newAPI(cfg.Addr), fails: map[string]int{}}
	began := time.Now()
	n := max(cfg.Users, 2)
	if cfg.RedPacket > 0 {
		n = cfg.RedPacket + 1 // the sender and the claimers
	}
	prefix := "p" + ids.Token(4)
	r.logf("creating %d users with PINs and money (%s_*)…", n, prefix)
	users, err := r.api.signupMany(ctx, prefix, n, 16)
	if err != nil {
		return PayResult{}, err
	}
	r.users = users
	err = parallelDo(n, 16, func(i int) error {
		u := users[i]
		if err := r.api.call(ctx, "PUT", "/api/v1/wallet/pin", u.Token, map[string]string{"pin": benchPIN, "password": "bench-password"}, nil); err != nil {
			return err
		}
		return r.api.call(ctx, "POST", "/api/v1/wallet/topups", u.Token, map[string]any{"amount": 1_000_000, "currency": "CNY"}, nil,
			"Idempotency-Key", "bench-seed")
	})
	if err != nil {
		return PayResult{}, err
	}
	res := PayResult{Users: n, Failures: r.fails, Mode: "pairs", SetupSeconds: round2(time.Since(began).Seconds())}
	if cfg.RedPacket > 0 {
		if err := r.redPacket(ctx, &res); err != nil {
			return PayResult{}, err
		}
	} else {
		if cfg.Hot {
			res.Mode = "hot"
		}
		r.logf("transferring for %v with %d in flight…", cfg.Duration, cfg.Concurrency)
		done, elapsed := r.transfers(ctx)
		res.Transfers = done
		res.TransfersPerSec = round2(float64(done) / elapsed.Seconds())
	}
	r.mu.Lock()
	ps := percentiles(r.lat, 0.5, 0.99)
	r.mu.Unlock()
	res.P50, res.P99 = ps[0], ps[1]
	if cfg.Pgbench != "" && cfg.RedPacket == 0 {
		r.logf("pgbench: the same movement for %v, 64 clients…", cfg.Duration)
		pg, err := Pgbench(ctx, cfg.Pgbench, n, 64, cfg.Duration)
		if err != nil {
			return res, err
		}
		res.Pgbench = &pg
		if pg.TPS > 0 {
			res.RatioToPgbench = round2(res.TransfersPerSec / pg.TPS)
		}
	}
	if cfg.Ledger != nil {
		if res.Ledger, err = cfg.Ledger(ctx); err != nil {
			r.logf("ledger check failed: %v", err)
			res.Ledger = map[string]string{"error": err.Error()}
		}
	}
	return res, nil
}

func (r *payRun) transfers(ctx context.Context) (int64, time.Duration) {
	var done atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(r.cfg.Duration)
	for w := range r.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			for k := 0; time.Now().Before(end) && ctx.Err() == nil; k++ {
				from := rng.IntN(len(r.users))
				to := rng.IntN(len(r.users) - 1)
				if r.cfg.Hot {
					to, from = 0, 1+rng.IntN(len(r.users)-1)
				} else if to >= from {
					to++
				}
				t0 := time.Now()
				err := r.api.call(ctx, "POST", "/api/v1/wallet/transfers", r.users[from].Token, map[string]any{
					"username": r.users[to].Username, "amount": 1 + rng.IntN(500), "currency": "CNY", "pin": benchPIN,
				}, nil, "Idempotency-Key", fmt.Sprintf("b%d-%d", w, k))
				if err != nil {
					r.fail(err)
					continue
				}
				d := time.Since(t0)
				r.mu.Lock()
				r.lat = append(r.lat, d)
				r.mu.Unlock()
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return done.Load(), time.Since(start)
}

// redPacket: one sender, a group of everyone (up to the group limit of
// 500; the rest claim as outsiders and are refused), one red packet, and
// every user claiming at once.
func (r *payRun) redPacket(ctx context.Context, res *PayResult) error {
	res.Mode = "red_packet"
	owner, members := r.users[0], r.users[1:min(len(r.users), 500)]
	r.logf("making %d contacts and a group of %d…", len(members), len(members)+1)
	if err := parallelDo(len(members), 16, func(i int) error { return r.api.befriend(ctx, owner, members[i]) }); err != nil {
		return err
	}
	names := make([]string, len(members))
	for i, m := range members {
		names[i] = m.Username
	}
	var conv struct {
		Conversation struct{ ID string } `json:"conversation"`
	}
	if err := r.api.call(ctx, "POST", "/api/v1/conversations", owner.Token, map[string]any{"type": "group", "title": "Rush", "usernames": names}, &conv); err != nil {
		return err
	}
	shares := min(100, len(r.users)-1)
	total := int64(shares) * 888
	var rp struct {
		RedPacket struct{ ID string } `json:"red_packet"`
	}
	if err := r.api.call(ctx, "POST", "/api/v1/conversations/"+conv.Conversation.ID+"/red-packets", owner.Token, map[string]any{
		"total": total, "count": shares, "currency": "CNY", "greeting": "Rush!", "pin": benchPIN}, &rp, "Idempotency-Key", "bench-rp"); err != nil {
		return err
	}
	res.Total, res.Shares = total, shares
	r.logf("%d users claiming %d shares of %d at once…", len(r.users)-1, shares, total)
	var claims, claimed atomic.Int64
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for _, u := range r.users[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			t0 := time.Now()
			var out struct{ Amount int64 }
			err := r.api.call(ctx, "POST", "/api/v1/red-packets/"+rp.RedPacket.ID+"/claim", u.Token, nil, &out)
			d := time.Since(t0)
			r.mu.Lock()
			r.lat = append(r.lat, d)
			r.mu.Unlock()
			if err != nil {
				r.fail(err)
				return
			}
			claims.Add(1)
			claimed.Add(out.Amount)
		}()
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	el := time.Since(start).Milliseconds()
	c, ct := claims.Load(), claimed.Load()
	res.Claims, res.ClaimedTotal, res.ElapsedMS = &c, &ct, &el
	return nil
}

package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// ChaosConfig is plaza bench chaos's flags.
type ChaosConfig struct {
	Binary     string        // the plaza executable that serves the nodes
	Duration   time.Duration // how long the load runs; the faults are spread over it
	SQLite     bool          // one node on SQLite with its embedded NATS, killed and restarted
	NATSServer string        // nats-server's path
	PGBin      string        // the folder of initdb and pg_ctl ("" finds them)
	Dir        string        // work folder ("" a temporary one, removed at the end)
	Settle     time.Duration // the longest wait, after the load, for every client's outcome and notification
	Log        func(format string, args ...any)
}

// ChaosFault is one fault and how long each node took to serve again.
type ChaosFault struct {
	Fault string  `json:"fault"`
	AtSec float64 `json:"at_s"`
	// ServeAgainMS is, per node, the time from the fault to its first 200
	// on /healthz (the killed node's includes its start).
	ServeAgainMS map[string]float64 `json:"serve_again_ms"`
	Error        string             `json:"error,omitempty"`
}

// ChaosResult is what plaza bench chaos prints.
type ChaosResult struct {
	Mode       string       `json:"mode"` // postgres-3-nodes-nats-cluster or sqlite-1-node
	Seconds    float64      `json:"load_seconds"`
	Faults     []ChaosFault `json:"faults"`
	Acked      ChaosCounts  `json:"acknowledged"`
	Invariants ChaosChecks  `json:"invariants"`
	OK         bool         `json:"ok"`
	// Broken lists every invariant that did not hold, in words.
	Broken   []string       `json:"broken"`
	Failures map[string]int `json:"refusals"`
	Retries  int64          `json:"retries"`
	SettleMS float64        `json:"settle_ms"`
	Ledger   any            `json:"ledger"`
}

// ChaosCounts is what the clients were acknowledged.
type ChaosCounts struct {
	Messages      int `json:"messages"`
	Transfers     int `json:"transfers"`
	RedPackets    int `json:"red_packets"`
	Claims        int `json:"claims"`
	Orders        int `json:"orders"`
	Refunds       int `json:"refunds"`
	Notifications int `json:"notifications"`
	Deliveries    int `json:"notification_deliveries"`
	Reconnects    int `json:"socket_reconnects"`
	Resynced      int `json:"messages_resynced"`
}

func (c ChaosConfig) logf(f string, a ...any) {
	if c.Log != nil {
		c.Log(f, a...)
	}
}

// Chaos starts a cluster (or one SQLite node), runs a mixed load on it
// while it kills and restarts its parts, and checks afterwards that no
// acknowledged outcome was lost or doubled.
func Chaos(ctx context.Context, cfg ChaosConfig) (ChaosResult, error) {
	if cfg.Settle == 0 {
		cfg.Settle = 100 * time.Second
	}
	if cfg.NATSServer == "" {
		cfg.NATSServer = "nats-server"
	}
	dir := cfg.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "plaza-chaos")
		if err != nil {
			return ChaosResult{}, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ChaosResult{}, err
	}
	os.Chmod(dir, 0o755) // PostgreSQL runs as its own user under it
	cl := &chaosCluster{cfg: cfg, dir: dir, logf: cfg.logf}
	defer cl.stop()
	if err := cl.start(ctx); err != nil {
		return ChaosResult{}, err
	}
	res := ChaosResult{Mode: "postgres-3-nodes-nats-cluster", Failures: map[string]int{}}
	if cfg.SQLite {
		res.Mode = "sqlite-1-node"
	}
	hard, cancel := context.WithCancel(ctx)
	defer cancel()
	l := &chaosLoad{hard: hard, failures: res.Failures}
	for _, n := range cl.nodes {
		a := newAPI(n.url())
		a.http.Timeout = 5 * time.Second
		l.apis = append(l.apis, a)
	}
	shops, notifyURL, closeNotify, err := l.setup(ctx)
	if err != nil {
		return res, fmt.Errorf("setup: %w", err)
	}
	defer closeNotify()
	l.shops = shops

	cfg.logf("mixed load for %v on %d nodes…", cfg.Duration, len(cl.nodes))
	var wg sync.WaitGroup
	for _, c := range l.chatters {
		wg.Add(1)
		go func() { defer wg.Done(); c.run(hard) }()
	}
	for i := range l.transferUsers {
		wg.Add(1)
		go func() { defer wg.Done(); l.transferWorker(l.transferUsers, i) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); l.redPacketWorker(l.group, l.groupUsers) }()
	for i, sh := range shops {
		wg.Add(1)
		go func() { defer wg.Done(); l.merchantWorker(sh, i, l.payers, notifyURL+"/"+fmt.Sprint(i)) }()
	}

	began := time.Now()
	res.Faults = cl.faults(ctx, began, cfg.Duration)
	if left := cfg.Duration - time.Since(began); left > 0 {
		time.Sleep(left)
	}
	res.Seconds = round2(time.Since(began).Seconds())
	l.stopping.Store(true)
	cfg.logf("load stopped; waiting for every client's outcome and every notification (at most %v)…", cfg.Settle)
	settled := time.Now()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(cfg.Settle):
		cancel() // what is still unanswered is counted as such
		<-done
	}
	l.waitNotifications(ctx, settled.Add(cfg.Settle))
	res.SettleMS = float64(time.Since(settled).Milliseconds())
	cfg.logf("checking the invariants…")
	l.check(ctx, &res, cl)
	cancel()
	return res, nil
}

// faults kills and restarts the parts of the cluster at fixed shares of
// the load's duration, and measures how long each node took to serve
// again.
func (c *chaosCluster) faults(ctx context.Context, began time.Time, d time.Duration) []ChaosFault {
	var out []ChaosFault
	at := func(share float64) {
		if wait := time.Until(began.Add(time.Duration(share * float64(d)))); wait > 0 {
			time.Sleep(wait)
		}
	}
	record := func(f ChaosFault, err error) {
		if err != nil {
			f.Error = err.Error()
		}
		c.logf("  %s: %v %s", f.Fault, f.ServeAgainMS, f.Error)
		out = append(out, f)
	}
	// The killed node first, early: a notification it had claimed waits
	// for its lease to run out before another node sends it.
	at(0.15)
	victim := len(c.nodes) - 1
	f := ChaosFault{Fault: fmt.Sprintf("kill -9 node %d, restart it", victim), AtSec: round2(time.Since(began).Seconds())}
	t0 := time.Now()
	c.nodes[victim].proc.kill()
	_, err := c.startNode(ctx, victim)
	f.ServeAgainMS = map[string]float64{fmt.Sprint("node ", victim): ms(time.Since(t0))}
	record(f, err)
	if c.cfg.SQLite {
		return out
	}

	at(0.4)
	f = ChaosFault{Fault: "kill -9 nats server 1, restart it after 3 s", AtSec: round2(time.Since(began).Seconds())}
	t0 = time.Now()
	c.nats[1].kill()
	f.ServeAgainMS = c.serveAgain(ctx, t0)
	time.Sleep(3 * time.Second)
	err = c.startNATS(ctx, 1)
	if err == nil {
		err = c.waitNATS(ctx)
	}
	record(f, err)

	at(0.65)
	f = ChaosFault{Fault: "restart PostgreSQL (pg_ctl restart -m fast)", AtSec: round2(time.Since(began).Seconds())}
	t0 = time.Now()
	err = c.restartPG(ctx)
	f.ServeAgainMS = c.serveAgain(ctx, t0)
	record(f, err)
	return out
}

// serveAgain waits for every node's /healthz and returns, per node, the
// time from t0 to its first 200.
func (c *chaosCluster) serveAgain(ctx context.Context, t0 time.Time) map[string]float64 {
	out := map[string]float64{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, n := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := waitHTTP(ctx, n.url()+"/healthz", n.proc, 90*time.Second); err != nil {
				return
			}
			mu.Lock()
			out[fmt.Sprint("node ", i)] = ms(time.Since(t0))
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func ms(d time.Duration) float64 { return round2(float64(d.Microseconds()) / 1000) }

// setup creates the load's users, conversations and shops through the
// first node, before any fault.
func (l *chaosLoad) setup(ctx context.Context) ([]chaosShop, string, func(), error) {
	// No fault has happened yet, so setup waits as long as it must: a
	// loaded machine (a CI run, every core busy) may take seconds to hash
	// each new password, longer than the load's short timeouts allow.
	a := newAPI(l.apis[0].base)
	prefix := "x" + ids.Token(4)
	users, err := a.signupMany(ctx, prefix, 8+4+4+3+2, 8)
	if err != nil {
		return nil, "", nil, err
	}
	chat, money := users[:8], users[8:]
	l.transferUsers, l.groupUsers, l.payers = money[:4], money[4:8], money[8:11]
	owners := money[11:]
	if err := parallelDo(11, 8, func(i int) error {
		u := money[i]
		if err := a.call(ctx, "PUT", "/api/v1/wallet/pin", u.Token, map[string]string{"pin": benchPIN, "password": "bench-password"}, nil); err != nil {
			return err
		}
		return a.call(ctx, "POST", "/api/v1/wallet/topups", u.Token, map[string]any{"amount": 10_000_000, "currency": "CNY"}, nil, "Idempotency-Key", "seed")
	}); err != nil {
		return nil, "", nil, err
	}
	l.seed = 10_000_000
	for p := 0; p < len(chat); p += 2 {
		x, y := chat[p], chat[p+1]
		if err := a.befriend(ctx, x, y); err != nil {
			return nil, "", nil, err
		}
		var out struct {
			Conversation struct{ ID string } `json:"conversation"`
		}
		if err := a.call(ctx, "POST", "/api/v1/conversations", x.Token, map[string]any{"type": "direct", "username": y.Username}, &out); err != nil {
			return nil, "", nil, err
		}
		var pair []*chatter
		for j, u := range []user{x, y} {
			pair = append(pair, &chatter{l: l, u: u, conv: out.Conversation.ID, node: p/2 + j, interval: 400 * time.Millisecond,
				seen: map[int64]bool{}, pending: map[string]time.Time{}, acked: map[string]int64{}})
		}
		for _, c := range pair {
			c.peers = pair
		}
		l.chatters = append(l.chatters, pair...)
	}
	owner := l.groupUsers[0]
	names := []string{}
	for _, u := range l.groupUsers[1:] {
		if err := a.befriend(ctx, owner, u); err != nil {
			return nil, "", nil, err
		}
		names = append(names, u.Username)
	}
	var g struct {
		Conversation struct{ ID string } `json:"conversation"`
	}
	if err := a.call(ctx, "POST", "/api/v1/conversations", owner.Token, map[string]any{"type": "group", "title": "Chaos", "usernames": names}, &g); err != nil {
		return nil, "", nil, err
	}
	l.group = g.Conversation.ID

	l.notes = &notifyReceiver{shops: map[string]*plazapay.Client{}, byID: map[string]*chaosNotice{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	srv := &http.Server{Handler: l.notes}
	go srv.Serve(ln)
	var shops []chaosShop
	for i, o := range owners {
		bs, err := setupShop(ctx, a, o, a.base)
		if err != nil {
			srv.Close()
			return nil, "", nil, err
		}
		sh := chaosShop{mchid: bs.client.MchID, appid: bs.appid}
		for _, na := range l.apis {
			c := bs.client.Config
			c.BaseURL, c.HTTP = na.base, na.http
			nc, err := plazapay.NewClient(c)
			if err != nil {
				srv.Close()
				return nil, "", nil, err
			}
			sh.clients = append(sh.clients, nc)
		}
		l.notes.shops[fmt.Sprint(i)] = sh.clients[0]
		shops = append(shops, sh)
	}
	return shops, "http://" + ln.Addr().String() + "/notify", func() { srv.Close() }, nil
}

// waitNotifications waits until every acknowledged order and refund has
// had its notification, or until deadline.
func (l *chaosLoad) waitNotifications(ctx context.Context, deadline time.Time) {
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if len(l.unnotified()) == 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// unnotified lists the acknowledged orders and refunds that no
// notification has reached the shop for.
func (l *chaosLoad) unnotified() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notes.mu.Lock()
	defer l.notes.mu.Unlock()
	got := map[string]bool{}
	for _, n := range l.notes.byID {
		got[n.Event+" "+n.Key] = true
	}
	var out []string
	for _, o := range l.orders {
		if !got["TRANSACTION.SUCCESS "+o.OutTradeNo] {
			out = append(out, "TRANSACTION.SUCCESS "+o.OutTradeNo)
		}
	}
	for _, r := range l.refunds {
		if !got["REFUND.SUCCESS "+r.OutRefundNo] {
			out = append(out, "REFUND.SUCCESS "+r.OutRefundNo)
		}
	}
	return out
}

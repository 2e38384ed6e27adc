package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// ChatConfig is plaza bench chat's flags.
type ChatConfig struct {
	Addr     string
	Duration time.Duration
	Conns    int     // sockets to hold open
	Rate     float64 // messages a second, all senders together
	Group    int     // > 0: one group of this many members instead of pairs
	Users    int     // 0: chosen from Conns and Rate
	// Metrics is the node's --metrics-addr (host:port), to read its memory
	// from; empty leaves server_rss_bytes 0.
	Metrics string
	Log     io.Writer
}

// ChatResult is what plaza bench chat prints (CONTRACT.md's field names).
type ChatResult struct {
	Connections     int            `json:"connections"`
	SentPerSec      float64        `json:"sent_per_sec"`
	DeliveredPerSec float64        `json:"delivered_per_sec"`
	P50             float64        `json:"p50_ms"`
	P99             float64        `json:"p99_ms"`
	P999            float64        `json:"p999_ms"`
	Lost            int64          `json:"lost"`
	Duplicated      int64          `json:"duplicated"`
	Reordered       int64          `json:"reordered"` // frames after a higher seq of their conversation on the same socket
	ServerRSS       int64          `json:"server_rss_bytes"`
	BytesPerConn    int64          `json:"bytes_per_conn"`
	Users           int            `json:"users"`
	Mode            string         `json:"mode"`
	Sent            int64          `json:"sent"`
	Delivered       int64          `json:"delivered"`
	Errors          map[string]int `json:"errors"`
	SetupSeconds    float64        `json:"setup_seconds"`
	// Shed is the sends the node refused as overloaded (429 rate_limited
	// error frames; a client would send them again later).
	Shed int64 `json:"shed"`
	// BackedOff is the generator's sends not made because their user was
	// pausing after a shed send, as a client does.
	BackedOff int64 `json:"backed_off"`
	// MissingAfter10s is the deliveries of acknowledged messages that had
	// not arrived 10 s after sending stopped (Lost, named for what it is);
	// DrainMs how long after sending stopped the last one arrived.
	MissingAfter10s int64   `json:"missing_after_10s"`
	DrainMs         float64 `json:"drain_ms"`
}

type benchSocket struct {
	conn   *websocket.Conn
	userIx int
	seen   map[int64]struct{} // seqs delivered here (one conversation per user in both modes)
	maxSeq int64              // the highest seq delivered here
	seenMu sync.Mutex
	// ready closes when the node's "ready" frame arrives: from then on
	// the node delivers every new message to this socket (before it, a
	// message would only come by a resync, which the bench does not do).
	ready     chan struct{}
	readyOnce sync.Once
}

type chatRun struct {
	cfg       ChatConfig
	api       *api
	users     []user
	convOf    []string // conversation id per user
	expect    []int64  // sockets that should get a message sent in the user's conversation
	sockets   []*benchSocket
	senders   [][]*benchSocket // per user
	sending   atomic.Bool
	acked     atomic.Int64
	delivered atomic.Int64
	// written counts sends the socket took; answered the acks and error
	// frames that answered them. The run waits for every answer before
	// it counts, so a late ack cannot leave deliveries without their send.
	written   atomic.Int64
	answered  atomic.Int64
	dups      atomic.Int64
	reordered atomic.Int64
	expected  atomic.Int64
	// lastDelivery is when the last bench message arrived (unix ns).
	lastDelivery atomic.Int64
	// A user whose send was shed pauses as the web client does (send.ts
	// retryLater: 0.5 s·2^n jittered, n the user's shed sends in a row, up
	// to 6): pausedUntil (unix ns) and shedRun per user; the generator's
	// turns that fall to a paused user are counted in backedOff.
	pausedUntil []atomic.Int64
	shedRun     []atomic.Int32
	backedOff   atomic.Int64
	latMu       sync.Mutex
	lat         []time.Duration
	errMu       sync.Mutex
	errs        map[string]int
}

func (r *chatRun) logf(format string, args ...any) {
	if r.cfg.Log != nil {
		fmt.Fprintf(r.cfg.Log, format+"\n", args...)
	}
}

func (r *chatRun) countErr(code string) {
	r.errMu.Lock()
	r.errs[code]++
	r.errMu.Unlock()
}

// Chat runs the chat benchmark against a running node.
func Chat(ctx context.Context, cfg ChatConfig) (ChatResult, error) {
	r := &chatRun{cfg: cfg, api: newAPI(cfg.Addr), errs: map[string]int{}}
	r.api.metrics = cfg.Metrics
	began := time.Now()
	if err := r.setup(ctx); err != nil {
		return ChatResult{}, err
	}
	rssBefore := r.api.serverRSS(ctx)
	if err := r.connect(ctx); err != nil {
		return ChatResult{}, err
	}
	rssConnected := r.api.serverRSS(ctx)
	setup := time.Since(began)
	r.logf("holding %d sockets; server RSS %d MiB (was %d MiB); sending %.0f msg/s for %v",
		len(r.sockets), rssConnected>>20, rssBefore>>20, cfg.Rate, cfg.Duration)

	elapsed := r.send(ctx)
	stopped := time.Now()
	// Let the last acks and deliveries land: wait until the counts stop
	// moving (or 10 s pass).
	deadline := stopped.Add(10 * time.Second)
	for last, still := int64(-1), 0; still < 10 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		now := r.delivered.Load() + r.acked.Load()
		if now == last && r.delivered.Load() >= r.expected.Load() && r.answered.Load() >= r.written.Load() {
			still++
		} else {
			still = 0
		}
		last = now
	}
	// Counted here, at most 10 s after sending stopped (reading the
	// node's memory below may take a while on a loaded node).
	missing := max(0, r.expected.Load()-r.delivered.Load())
	rssEnd := r.api.serverRSS(ctx)
	for _, s := range r.sockets {
		s.conn.Close(websocket.StatusNormalClosure, "")
	}
	r.latMu.Lock()
	ps := percentiles(r.lat, 0.5, 0.99, 0.999)
	r.latMu.Unlock()
	r.errMu.Lock()
	shed := int64(r.errs["rate_limited"])
	r.errMu.Unlock()
	res := ChatResult{
		Connections: len(r.sockets), Users: len(r.users), Mode: "direct",
		SentPerSec:      round2(float64(r.acked.Load()) / elapsed.Seconds()),
		DeliveredPerSec: round2(float64(r.delivered.Load()) / elapsed.Seconds()),
		P50:             ps[0], P99: ps[1], P999: ps[2],
		Lost:       max(0, r.expected.Load()-r.delivered.Load()),
		Duplicated: r.dups.Load(), Reordered: r.reordered.Load(), ServerRSS: max(rssEnd, rssConnected),
		Sent: r.acked.Load(), Delivered: r.delivered.Load(), Errors: r.errs, SetupSeconds: round2(setup.Seconds()),
		Shed: shed, BackedOff: r.backedOff.Load(), MissingAfter10s: missing,
	}
	if last := r.lastDelivery.Load(); last > stopped.UnixNano() {
		res.DrainMs = round2(float64(last-stopped.UnixNano()) / 1e6)
	}
	if len(r.sockets) > 0 && rssConnected > rssBefore {
		res.BytesPerConn = (rssConnected - rssBefore) / int64(len(r.sockets))
	}
	if cfg.Group > 0 {
		res.Mode = "group"
	}
	return res, nil
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

func (r *chatRun) setup(ctx context.Context) error {
	cfg := r.cfg
	n := cfg.Users
	switch {
	case cfg.Group > 0:
		n = cfg.Group
	case n == 0:
		n = max(2, min(cfg.Conns, max(1000, int(cfg.Rate/15)+1)))
	}
	// A node keeps at most chat.MaxSocketsPerUser sockets an account.
	if least := (cfg.Conns + chat.MaxSocketsPerUser - 1) / chat.MaxSocketsPerUser; n < least {
		if cfg.Group > 0 {
			return fmt.Errorf("--conns %d over a group of %d is more than %d sockets a member; a node closes the extra ones", cfg.Conns, n, chat.MaxSocketsPerUser)
		}
		r.logf("%d users for %d sockets: at most %d sockets an account", least, cfg.Conns, chat.MaxSocketsPerUser)
		n = least
	}
	if cfg.Group == 0 && n%2 == 1 {
		n++
	}
	prefix := "b" + ids.Token(4)
	r.logf("creating %d users (%s_*)…", n, prefix)
	users, err := r.api.signupMany(ctx, prefix, n, 16)
	if err != nil {
		return err
	}
	r.users = users
	r.convOf = make([]string, n)
	if cfg.Group > 0 {
		owner := users[0]
		if err := parallelDo(n-1, 16, func(i int) error { return r.api.befriend(ctx, owner, users[i+1]) }); err != nil {
			return err
		}
		names := make([]string, 0, n-1)
		for _, u := range users[1:] {
			names = append(names, u.Username)
		}
		var out struct {
			Conversation struct{ ID string } `json:"conversation"`
		}
		if err := r.api.call(ctx, "POST", "/api/v1/conversations", owner.Token, map[string]any{"type": "group", "title": "Bench", "usernames": names}, &out); err != nil {
			return err
		}
		for i := range r.convOf {
			r.convOf[i] = out.Conversation.ID
		}
		return nil
	}
	r.logf("pairing them in %d direct conversations…", n/2)
	return parallelDo(n/2, 16, func(p int) error {
		a, b := users[2*p], users[2*p+1]
		if err := r.api.befriend(ctx, a, b); err != nil {
			return err
		}
		var out struct {
			Conversation struct{ ID string } `json:"conversation"`
		}
		if err := r.api.call(ctx, "POST", "/api/v1/conversations", a.Token, map[string]any{"type": "direct", "username": b.Username}, &out); err != nil {
			return err
		}
		r.convOf[2*p], r.convOf[2*p+1] = out.Conversation.ID, out.Conversation.ID
		return nil
	})
}

func (r *chatRun) connect(ctx context.Context) error {
	n := max(r.cfg.Conns, len(r.users))
	r.sockets = make([]*benchSocket, n)
	r.senders = make([][]*benchSocket, len(r.users))
	transports := make([]*http.Client, 250)
	for i := range transports {
		d := loopbackDialer(i)
		transports[i] = &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	}
	wsURL := "ws" + strings.TrimPrefix(r.api.base, "http") + "/api/v1/ws"
	var opened atomic.Int64
	err := parallelDo(n, 64, func(i int) error {
		ui := i % len(r.users)
		conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{
			HTTPClient: transports[i%len(transports)],
			HTTPHeader: http.Header{"Authorization": {"Bearer " + r.users[ui].Token}},
		})
		if err != nil {
			return fmt.Errorf("socket %d: %w", i, err)
		}
		conn.SetReadLimit(1 << 20)
		s := &benchSocket{conn: conn, userIx: ui, seen: map[int64]struct{}{}, ready: make(chan struct{})}
		r.sockets[i] = s
		go r.read(ctx, s)
		select {
		case <-s.ready:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(30 * time.Second):
			return fmt.Errorf("socket %d: no ready frame from the node in 30 s", i)
		}
		if k := opened.Add(1); k%5000 == 0 {
			r.logf("  %d sockets open", k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	perUser := make([]int64, len(r.users))
	for _, s := range r.sockets {
		perUser[s.userIx]++
		r.senders[s.userIx] = append(r.senders[s.userIx], s)
	}
	r.expect = make([]int64, len(r.users))
	r.pausedUntil = make([]atomic.Int64, len(r.users))
	r.shedRun = make([]atomic.Int32, len(r.users))
	if r.cfg.Group > 0 {
		for i := range r.expect {
			r.expect[i] = int64(len(r.sockets))
		}
	} else {
		for p := 0; p < len(r.users); p += 2 {
			r.expect[p] = perUser[p] + perUser[p+1]
			r.expect[p+1] = r.expect[p]
		}
	}
	return nil
}

type benchFrame struct {
	Type    string `json:"type"`
	Message struct {
		Seq  int64  `json:"seq"`
		Text string `json:"text"`
	} `json:"message"`
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
}

func (r *chatRun) read(ctx context.Context, s *benchSocket) {
	for {
		_, data, err := s.conn.Read(ctx)
		if err != nil {
			if r.sending.Load() {
				r.countErr("socket_closed")
			}
			return
		}
		var f benchFrame
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		switch f.Type {
		case "ready":
			s.readyOnce.Do(func() { close(s.ready) })
		case "message":
			if !strings.HasPrefix(f.Message.Text, "bench ") {
				continue // setup's system messages
			}
			s.seenMu.Lock()
			_, dup := s.seen[f.Message.Seq]
			s.seen[f.Message.Seq] = struct{}{}
			late := f.Message.Seq < s.maxSeq
			s.maxSeq = max(s.maxSeq, f.Message.Seq)
			s.seenMu.Unlock()
			if late {
				r.reordered.Add(1)
			}
			if dup {
				r.dups.Add(1)
				continue
			}
			r.delivered.Add(1)
			r.lastDelivery.Store(time.Now().UnixNano())
			if ns, err := strconv.ParseInt(strings.TrimPrefix(f.Message.Text, "bench "), 10, 64); err == nil {
				d := time.Duration(time.Now().UnixNano() - ns)
				r.latMu.Lock()
				r.lat = append(r.lat, d)
				r.latMu.Unlock()
			}
		case "ack":
			r.shedRun[s.userIx].Store(0)
			r.answered.Add(1)
			r.acked.Add(1)
			r.expected.Add(r.expect[s.userIx])
		case "error":
			r.answered.Add(1)
			r.countErr(f.Error.Code)
			if f.Error.Code == "rate_limited" {
				n := min(r.shedRun[s.userIx].Add(1), 6)
				pause := float64(500*time.Millisecond) * float64(int(1)<<(n-1)) * (0.75 + rand.Float64()/2)
				r.pausedUntil[s.userIx].Store(time.Now().Add(time.Duration(pause)).UnixNano())
			}
		}
	}
}

// send sends at the configured rate for the duration and returns how long
// it sent.
func (r *chatRun) send(ctx context.Context) time.Duration {
	r.sending.Store(true)
	defer r.sending.Store(false)
	work := make(chan int, 4096)
	var wg sync.WaitGroup
	var seq atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ui := range work {
				if time.Now().UnixNano() < r.pausedUntil[ui].Load() {
					r.backedOff.Add(1) // shed a moment ago: this user waits
					continue
				}
				socks := r.senders[ui]
				s := socks[rand.IntN(len(socks))]
				msg := fmt.Sprintf(`{"type":"send","conversation_id":%q,"client_id":"b%d","kind":"text","text":"bench %d"}`,
					r.convOf[ui], seq.Add(1), time.Now().UnixNano())
				wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				err := s.conn.Write(wctx, websocket.MessageText, []byte(msg))
				cancel()
				if err != nil {
					r.countErr("write_failed")
				} else {
					r.written.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	end := start.Add(r.cfg.Duration)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	var issued int64
	lastLog := start
	for now := range tick.C {
		if now.After(end) || ctx.Err() != nil {
			break
		}
		due := int64(now.Sub(start).Seconds() * r.cfg.Rate)
		for ; issued < due; issued++ {
			select {
			case work <- rand.IntN(len(r.users)):
			default:
				r.countErr("generator_behind")
			}
		}
		if now.Sub(lastLog) > 5*time.Second {
			lastLog = now
			r.logf("  %4.0fs: %d acked, %d delivered", now.Sub(start).Seconds(), r.acked.Load(), r.delivered.Load())
		}
	}
	close(work)
	wg.Wait()
	return time.Since(start)
}

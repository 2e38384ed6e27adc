package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
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
	Addr string
	// Addrs are several nodes of one cluster to spread the sockets over
	// (each user's sockets go to them in turn, so one user's sockets sit
	// on several nodes and its messages cross the bus); setup goes through
	// the first. Empty: Addr alone.
	Addrs    []string
	Duration time.Duration
	Conns    int     // sockets to hold open
	Rate     float64 // messages a second, all senders together
	Group    int     // > 0: one group of this many members instead of pairs
	Users    int     // 0: chosen from Conns and Rate
	// Metrics is the nodes' --metrics-addr (host:port, comma-separated
	// for several: their memory is summed); empty leaves server_rss_bytes 0.
	Metrics string
	// Procs is how many generator processes hold the sockets and send: a
	// process holds at most what its file limit allows (20,000 on this
	// machine). 0: one per 15,000 sockets. Above 1 the run does the setup
	// here and starts WorkerArgv that many times (ChatWorker), each with
	// its share of the sockets and of the rate, and merges what they
	// measured.
	Procs int
	// WorkerArgv starts one worker (default: this executable's
	// "bench chat --worker").
	WorkerArgv []string
	Log        io.Writer
}

// socketsPerProc is how many sockets one generator process is given when
// ChatConfig.Procs is 0.
const socketsPerProc = 15000

// ChatResult is what plaza bench chat prints (CONTRACT.md's field names).
type ChatResult struct {
	Connections     int     `json:"connections"`
	SentPerSec      float64 `json:"sent_per_sec"`
	DeliveredPerSec float64 `json:"delivered_per_sec"`
	P50             float64 `json:"p50_ms"`
	P99             float64 `json:"p99_ms"`
	P999            float64 `json:"p999_ms"`
	// AckP50 and AckP99 are from a send to its ack (the node's commit),
	// beside p50/p99 from a send to its delivery on every socket.
	AckP50       float64        `json:"ack_p50_ms"`
	AckP99       float64        `json:"ack_p99_ms"`
	Lost         int64          `json:"lost"`
	Duplicated   int64          `json:"duplicated"`
	Reordered    int64          `json:"reordered"` // frames after a higher seq of their conversation on the same socket
	ServerRSS    int64          `json:"server_rss_bytes"`
	BytesPerConn int64          `json:"bytes_per_conn"`
	Users        int            `json:"users"`
	Nodes        int            `json:"nodes"`
	Procs        int            `json:"procs"`
	Mode         string         `json:"mode"`
	Sent         int64          `json:"sent"`
	Delivered    int64          `json:"delivered"`
	Errors       map[string]int `json:"errors"`
	SetupSeconds float64        `json:"setup_seconds"`
	// Shed is the sends the node refused as overloaded (429 rate_limited
	// error frames; a client would send them again later).
	Shed int64 `json:"shed"`
	// BackedOff is the generator's sends not made because their user was
	// pausing after a shed send, as a client does.
	BackedOff int64 `json:"backed_off"`
	// MissingAfter10s is the deliveries of acknowledged messages that had
	// not arrived 10 s after sending stopped (Lost, named for what it is);
	// DrainMs how long after sending stopped the last one arrived.
	MissingAfter10s int64 `json:"missing_after_10s"`
	// Reconnects is how often a socket the node closed during the run
	// dialled again and fetched what it missed (after_seq), as a client
	// does; socket_closed in errors counts the closes.
	Reconnects int64   `json:"reconnects"`
	DrainMs    float64 `json:"drain_ms"`
}

type benchSocket struct {
	connMu sync.Mutex
	conn   *websocket.Conn // replaced when the socket reconnects
	userIx int
	node   int
	client *http.Client
	seen   map[int64]struct{} // seqs delivered here (one conversation per user in both modes)
	// resynced are seqs fetched by a resync that the socket may still
	// bring (in flight when it reconnected): not duplicates.
	resynced map[int64]struct{}
	maxSeq   int64 // the highest seq delivered here
	seenMu   sync.Mutex
	// ready closes when the node's "ready" frame arrives: from then on
	// the node delivers every new message to this socket (before it, a
	// message would only come by a resync, which the bench does not do).
	ready chan struct{}
}

// chatPlan is what setup made, shared by every generator process: the
// users, their conversations, and where each socket goes.
type chatPlan struct {
	Addrs  []string `json:"addrs"`
	Users  []user   `json:"users"`
	ConvOf []string `json:"conv_of"` // conversation id per user
	// Expect is, per user, how many sockets (in every process) should get
	// a message sent in that user's conversation.
	Expect  []int64 `json:"expect"`
	Sockets int     `json:"sockets"` // in all
	Group   bool    `json:"group"`
}

// place says whose socket i is and which node it opens on: socket i is
// user i%n's (i/n)th, and a user's sockets go to the nodes in turn, so
// no node holds more than its share of one user's (a node keeps at most
// chat.MaxSocketsPerUser an account).
func (p *chatPlan) place(i int) (userIx, node int) {
	n := len(p.Users)
	return i % n, (i / n) % len(p.Addrs)
}

// expectations fills Expect from the placement.
func (p *chatPlan) expectations() {
	n := len(p.Users)
	perUser := make([]int64, n)
	for i := range p.Sockets {
		u, _ := p.place(i)
		perUser[u]++
	}
	p.Expect = make([]int64, n)
	if p.Group {
		for i := range p.Expect {
			p.Expect[i] = int64(p.Sockets)
		}
		return
	}
	for u := 0; u+1 < n; u += 2 {
		p.Expect[u] = perUser[u] + perUser[u+1]
		p.Expect[u+1] = p.Expect[u]
	}
}

type chatRun struct {
	cfg  ChatConfig
	api  *api
	plan chatPlan
	// worker numbers this process among the generators (0 alone): its
	// client ids and source addresses differ from the others'.
	worker     int
	sockets    []*benchSocket
	senders    [][]*benchSocket // per user, the sockets this process holds
	localUsers []int            // users with a socket here: the ones this process sends as
	sending    atomic.Bool
	closing    atomic.Bool // finish: sockets closing, none reconnects
	apis       []*api      // a client of each node, for resyncs
	reconnects atomic.Int64
	wsURLs     []string
	acked      atomic.Int64
	delivered  atomic.Int64
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
	ackLat      []time.Duration // send to its ack
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

func (cfg ChatConfig) addrs() []string {
	if len(cfg.Addrs) > 0 {
		return cfg.Addrs
	}
	return []string{cfg.Addr}
}

// Chat runs the chat benchmark against a running node (or several nodes
// of one cluster).
func Chat(ctx context.Context, cfg ChatConfig) (ChatResult, error) {
	addrs := cfg.addrs()
	r := &chatRun{cfg: cfg, api: newAPI(addrs[0]), errs: map[string]int{}}
	r.api.metrics = cfg.Metrics
	began := time.Now()
	if err := r.setup(ctx); err != nil {
		return ChatResult{}, err
	}
	procs := cfg.Procs
	if procs <= 0 {
		procs = (r.plan.Sockets + socketsPerProc - 1) / socketsPerProc
	}
	if procs > 1 {
		return r.spread(ctx, procs, began)
	}
	rssBefore := r.api.serverRSS(ctx)
	if err := r.connect(ctx, allSockets(r.plan.Sockets)); err != nil {
		return ChatResult{}, err
	}
	rssConnected := r.api.serverRSS(ctx)
	setup := time.Since(began)
	r.logf("holding %d sockets on %d node(s); server RSS %d MiB (was %d MiB); sending %.0f msg/s for %v",
		len(r.sockets), len(addrs), rssConnected>>20, rssBefore>>20, cfg.Rate, cfg.Duration)

	elapsed := r.send(ctx, cfg.Rate)
	stopped := time.Now()
	// Let the last acks and deliveries land: wait until the counts stop
	// moving (or 10 s pass).
	drain(stopped, func() chatStat { return r.stat() })
	// Counted here, at most 10 s after sending stopped (reading the
	// node's memory below may take a while on a loaded node).
	part := r.finish()
	rssEnd := r.api.serverRSS(ctx)
	res := merge([]chatPart{part}, elapsed, stopped)
	r.describe(&res, 1, setup, rssBefore, rssConnected, rssEnd)
	return res, nil
}

func allSockets(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// describe fills what the setup and the nodes' memory tell.
func (r *chatRun) describe(res *ChatResult, procs int, setup time.Duration, rssBefore, rssConnected, rssEnd int64) {
	res.Connections, res.Users, res.Nodes, res.Procs = r.plan.Sockets, len(r.plan.Users), len(r.plan.Addrs), procs
	res.Mode = "direct"
	if r.plan.Group {
		res.Mode = "group"
	}
	res.SetupSeconds = round2(setup.Seconds())
	res.ServerRSS = max(rssEnd, rssConnected)
	if res.Connections > 0 && rssConnected > rssBefore {
		res.BytesPerConn = (rssConnected - rssBefore) / int64(res.Connections)
	}
}

// chatStat is a generator's running counts (a worker reports them every
// 50 ms, so that the run can tell when the last deliveries have landed).
type chatStat struct {
	Acked     int64 `json:"acked"`
	Delivered int64 `json:"delivered"`
	Expected  int64 `json:"expected"`
	Written   int64 `json:"written"`
	Answered  int64 `json:"answered"`
	Sending   bool  `json:"sending"`
}

func (r *chatRun) stat() chatStat {
	return chatStat{Acked: r.acked.Load(), Delivered: r.delivered.Load(), Expected: r.expected.Load(),
		Written: r.written.Load(), Answered: r.answered.Load(), Sending: r.sending.Load()}
}

// drain waits until the counts stop moving with every expected delivery
// and every answer in, or 10 s after sending stopped.
func drain(stopped time.Time, stat func() chatStat) {
	deadline := stopped.Add(10 * time.Second)
	for last, still := int64(-1), 0; still < 10 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		s := stat()
		now := s.Delivered + s.Acked
		if now == last && s.Delivered >= s.Expected && s.Answered >= s.Written {
			still++
		} else {
			still = 0
		}
		last = now
	}
}

// chatPart is what one generator measured.
type chatPart struct {
	chatStat
	Dups         int64          `json:"dups"`
	Reordered    int64          `json:"reordered"`
	BackedOff    int64          `json:"backed_off"`
	LastDelivery int64          `json:"last_delivery"` // unix ns
	Errors       map[string]int `json:"errors"`
	LatencyUs    []int64        `json:"latency_us"`
	AckUs        []int64        `json:"ack_us"`
	Reconnects   int64          `json:"reconnects"`
}

// finish closes this generator's sockets and returns its counts.
func (r *chatRun) finish() chatPart {
	p := chatPart{chatStat: r.stat(), Dups: r.dups.Load(), Reordered: r.reordered.Load(),
		BackedOff: r.backedOff.Load(), LastDelivery: r.lastDelivery.Load(), Reconnects: r.reconnects.Load()}
	r.sending.Store(false)
	r.closing.Store(true)
	// Closed without the close handshake's wait (up to 5 s each), many
	// at once: 15,000 sockets must not take an hour to let go.
	parallelDo(len(r.sockets), 256, func(i int) error { return r.sockets[i].current().CloseNow() })
	r.errMu.Lock()
	p.Errors = maps.Clone(r.errs)
	r.errMu.Unlock()
	r.latMu.Lock()
	p.LatencyUs = micros(r.lat)
	p.AckUs = micros(r.ackLat)
	r.latMu.Unlock()
	return p
}

func micros(ds []time.Duration) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = d.Microseconds()
	}
	return out
}

// merge adds up the generators' parts.
func merge(parts []chatPart, elapsed time.Duration, stopped time.Time) ChatResult {
	var sum chatPart
	sum.Errors = map[string]int{}
	var lat, ack []time.Duration
	for _, p := range parts {
		sum.Acked += p.Acked
		sum.Delivered += p.Delivered
		sum.Expected += p.Expected
		sum.Dups += p.Dups
		sum.Reordered += p.Reordered
		sum.BackedOff += p.BackedOff
		sum.Reconnects += p.Reconnects
		sum.LastDelivery = max(sum.LastDelivery, p.LastDelivery)
		for k, v := range p.Errors {
			sum.Errors[k] += v
		}
		for _, us := range p.LatencyUs {
			lat = append(lat, time.Duration(us)*time.Microsecond)
		}
		for _, us := range p.AckUs {
			ack = append(ack, time.Duration(us)*time.Microsecond)
		}
	}
	ps := percentiles(lat, 0.5, 0.99, 0.999)
	as := percentiles(ack, 0.5, 0.99)
	missing := max(0, sum.Expected-sum.Delivered)
	res := ChatResult{
		SentPerSec:      round2(float64(sum.Acked) / elapsed.Seconds()),
		DeliveredPerSec: round2(float64(sum.Delivered) / elapsed.Seconds()),
		P50:             ps[0], P99: ps[1], P999: ps[2], AckP50: as[0], AckP99: as[1],
		Lost: missing, Duplicated: sum.Dups, Reordered: sum.Reordered,
		Sent: sum.Acked, Delivered: sum.Delivered, Errors: sum.Errors,
		Shed: int64(sum.Errors["rate_limited"]), BackedOff: sum.BackedOff, MissingAfter10s: missing, Reconnects: sum.Reconnects,
	}
	if sum.LastDelivery > stopped.UnixNano() {
		res.DrainMs = round2(float64(sum.LastDelivery-stopped.UnixNano()) / 1e6)
	}
	return res
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
	// A node keeps at most chat.MaxSocketsPerUser sockets an account; a
	// user's sockets are spread over the nodes.
	perUser := chat.MaxSocketsPerUser * len(cfg.addrs())
	if least := (cfg.Conns + perUser - 1) / perUser; n < least {
		if cfg.Group > 0 {
			return fmt.Errorf("--conns %d over a group of %d is more than %d sockets a member on each of %d node(s); a node closes the extra ones", cfg.Conns, n, chat.MaxSocketsPerUser, len(cfg.addrs()))
		}
		r.logf("%d users for %d sockets: at most %d sockets an account on a node", least, cfg.Conns, chat.MaxSocketsPerUser)
		n = least
	}
	if cfg.Group == 0 && n%2 == 1 {
		n++
	}
	r.plan = chatPlan{Addrs: cfg.addrs(), Sockets: max(cfg.Conns, n), Group: cfg.Group > 0}
	prefix := "b" + ids.Token(4)
	r.logf("creating %d users (%s_*)…", n, prefix)
	users, err := r.api.signupMany(ctx, prefix, n, 16)
	if err != nil {
		return err
	}
	r.plan.Users = users
	r.plan.ConvOf = make([]string, n)
	defer r.plan.expectations()
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
		for i := range r.plan.ConvOf {
			r.plan.ConvOf[i] = out.Conversation.ID
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
		r.plan.ConvOf[2*p], r.plan.ConvOf[2*p+1] = out.Conversation.ID, out.Conversation.ID
		return nil
	})
}

// connect opens the plan's sockets numbered in idx and waits for each
// one's ready frame.
func (r *chatRun) connect(ctx context.Context, idx []int) error {
	n := len(r.plan.Users)
	r.sockets = make([]*benchSocket, len(idx))
	r.senders = make([][]*benchSocket, n)
	transports := make([]*http.Client, 250)
	for i := range transports {
		// Each worker dials from its own 127.0.x.y addresses: 100,000
		// sockets need more ports than one source address has.
		d := loopbackDialer(r.worker*len(transports) + i)
		transports[i] = &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	}
	r.wsURLs = make([]string, len(r.plan.Addrs))
	r.apis = make([]*api, len(r.plan.Addrs))
	for i, a := range r.plan.Addrs {
		r.wsURLs[i] = "ws" + strings.TrimPrefix(strings.TrimRight(a, "/"), "http") + "/api/v1/ws"
		r.apis[i] = newAPI(a)
	}
	wsURLs := r.wsURLs
	var opened atomic.Int64
	err := parallelDo(len(idx), 64, func(k int) error {
		i := idx[k]
		ui, node := r.plan.place(i)
		conn, _, err := websocket.Dial(ctx, wsURLs[node], &websocket.DialOptions{
			HTTPClient: transports[k%len(transports)],
			HTTPHeader: http.Header{"Authorization": {"Bearer " + r.plan.Users[ui].Token}},
		})
		if err != nil {
			return fmt.Errorf("socket %d (node %d): %w", i, node, err)
		}
		conn.SetReadLimit(1 << 20)
		s := &benchSocket{conn: conn, userIx: ui, node: node, client: transports[k%len(transports)], seen: map[int64]struct{}{}, ready: make(chan struct{})}
		r.sockets[k] = s
		go r.read(ctx, s)
		select {
		case <-s.ready:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(30 * time.Second):
			return fmt.Errorf("socket %d (node %d): no ready frame from the node in 30 s", i, node)
		}
		if c := opened.Add(1); c%5000 == 0 {
			r.logf("  %d sockets open", c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range r.sockets {
		if len(r.senders[s.userIx]) == 0 {
			r.localUsers = append(r.localUsers, s.userIx)
		}
		r.senders[s.userIx] = append(r.senders[s.userIx], s)
	}
	r.pausedUntil = make([]atomic.Int64, n)
	r.shedRun = make([]atomic.Int32, n)
	return nil
}

type benchFrame struct {
	Type     string `json:"type"`
	ClientID string `json:"client_id"`
	Message  struct {
		Seq  int64  `json:"seq"`
		Text string `json:"text"`
	} `json:"message"`
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
}

func (s *benchSocket) current() *websocket.Conn {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	return s.conn
}

// read reads the socket's frames; when the node closes it during the
// run, it reconnects as a client does — dials again and, once ready,
// fetches what it missed with after_seq — so that a dropped socket's
// messages are counted when they arrive, not lost.
func (r *chatRun) read(ctx context.Context, s *benchSocket) {
	conn, ready := s.current(), s.ready
	for {
		r.readFrames(ctx, s, conn, ready)
		if r.closing.Load() || ctx.Err() != nil {
			return
		}
		if r.sending.Load() {
			r.countErr("socket_closed")
		}
		for attempt := 0; ; attempt++ {
			if r.closing.Load() || ctx.Err() != nil {
				return
			}
			var err error
			if conn, ready, err = r.redial(ctx, s); err == nil {
				break
			}
			s.node = (s.node + 1) % len(r.wsURLs) // that node may be gone: the next one
			time.Sleep(min(200*time.Millisecond<<min(attempt, 4), 3*time.Second))
		}
		r.reconnects.Add(1)
		go r.resync(ctx, s, s.node, ready)
	}
}

func (r *chatRun) redial(ctx context.Context, s *benchSocket) (*websocket.Conn, chan struct{}, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, r.wsURLs[s.node], &websocket.DialOptions{
		HTTPClient: s.client,
		HTTPHeader: http.Header{"Authorization": {"Bearer " + r.plan.Users[s.userIx].Token}},
	})
	if err != nil {
		return nil, nil, err
	}
	conn.SetReadLimit(1 << 20)
	s.connMu.Lock()
	s.conn = conn
	s.connMu.Unlock()
	if r.closing.Load() {
		conn.CloseNow()
	}
	return conn, make(chan struct{}), nil
}

// resync fetches from node, once the new socket is ready, the messages
// after the highest seq this socket had, as a client's sync does. node
// is passed, not read from s: the read loop may move s on meanwhile.
func (r *chatRun) resync(ctx context.Context, s *benchSocket, node int, ready chan struct{}) {
	select {
	case <-ready:
	case <-ctx.Done():
		return
	case <-time.After(30 * time.Second):
		r.countErr("resync_no_ready")
		return
	}
	s.seenMu.Lock()
	after := s.maxSeq
	s.seenMu.Unlock()
	conv, token := r.plan.ConvOf[s.userIx], r.plan.Users[s.userIx].Token
	for {
		var page struct {
			Items []struct {
				Seq  int64  `json:"seq"`
				Text string `json:"text"`
			} `json:"items"`
			Next string `json:"next_cursor"`
		}
		err := r.apis[node].call(ctx, "GET", fmt.Sprintf("/api/v1/conversations/%s/messages?after_seq=%d&limit=100", conv, after), token, nil, &page)
		if err != nil {
			r.countErr("resync_failed")
			return
		}
		for _, m := range page.Items {
			after = max(after, m.Seq)
			r.got(s, m.Seq, m.Text, true)
		}
		if page.Next == "" || len(page.Items) == 0 {
			return
		}
	}
}

// got counts one bench message on s (from a frame, or from a resync).
func (r *chatRun) got(s *benchSocket, seq int64, text string, resynced bool) {
	if !strings.HasPrefix(text, "bench ") {
		return // setup's system messages
	}
	s.seenMu.Lock()
	_, dup := s.seen[seq]
	_, fetched := s.resynced[seq]
	switch {
	case resynced && dup:
		s.seenMu.Unlock()
		return // the socket brought it first
	case resynced:
		if s.resynced == nil {
			s.resynced = map[int64]struct{}{}
		}
		s.resynced[seq] = struct{}{}
	case fetched:
		delete(s.resynced, seq) // in flight when the socket reconnected: fetched already
		s.seenMu.Unlock()
		return
	}
	s.seen[seq] = struct{}{}
	late := !dup && !resynced && seq < s.maxSeq
	s.maxSeq = max(s.maxSeq, seq)
	s.seenMu.Unlock()
	if late {
		r.reordered.Add(1)
	}
	if dup {
		r.dups.Add(1)
		return
	}
	r.delivered.Add(1)
	r.lastDelivery.Store(time.Now().UnixNano())
	if ns, err := strconv.ParseInt(strings.TrimPrefix(text, "bench "), 10, 64); err == nil {
		d := time.Duration(time.Now().UnixNano() - ns)
		r.latMu.Lock()
		r.lat = append(r.lat, d)
		r.latMu.Unlock()
	}
}

func (r *chatRun) readFrames(ctx context.Context, s *benchSocket, conn *websocket.Conn, ready chan struct{}) {
	var readyOnce sync.Once
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var f benchFrame
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		switch f.Type {
		case "ready":
			readyOnce.Do(func() { close(ready) })
		case "message":
			r.got(s, f.Message.Seq, f.Message.Text, false)
		case "ack":
			if at := strings.LastIndexByte(f.ClientID, '-'); at > 0 {
				if ns, err := strconv.ParseInt(f.ClientID[at+1:], 10, 64); err == nil {
					r.latMu.Lock()
					r.ackLat = append(r.ackLat, time.Duration(time.Now().UnixNano()-ns))
					r.latMu.Unlock()
				}
			}
			r.shedRun[s.userIx].Store(0)
			r.answered.Add(1)
			r.acked.Add(1)
			r.expected.Add(r.plan.Expect[s.userIx])
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

// send sends at rate for the duration, as the users that have a socket
// here, and returns how long it sent.
func (r *chatRun) send(ctx context.Context, rate float64) time.Duration {
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
				now := time.Now().UnixNano()
				msg := fmt.Sprintf(`{"type":"send","conversation_id":%q,"client_id":"b%d-%d-%d","kind":"text","text":"bench %d"}`,
					r.plan.ConvOf[ui], r.worker, seq.Add(1), now, now)
				wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				err := s.current().Write(wctx, websocket.MessageText, []byte(msg))
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
		due := int64(now.Sub(start).Seconds() * rate)
		for ; issued < due; issued++ {
			select {
			case work <- r.localUsers[rand.IntN(len(r.localUsers))]:
			default:
				r.countErr("generator_behind")
			}
		}
		if r.worker == 0 && now.Sub(lastLog) > 5*time.Second {
			lastLog = now
			r.logf("  %4.0fs: %d acked, %d delivered", now.Sub(start).Seconds(), r.acked.Load(), r.delivered.Load())
		}
	}
	close(work)
	wg.Wait()
	return time.Since(start)
}

// Package node assembles one Plaza node: it opens the database and the bus,
// migrates, builds every component's service and routes, and serves HTTP
// until its context ends, then shuts down in order. cmd/plaza and the
// end-to-end tests both start nodes through it.
package node

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/live/media"
	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/merchant/wxv3"
	"github.com/plaza-dev/plaza/internal/miniapp"
	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sched"
	"github.com/plaza-dev/plaza/internal/platform/secrets"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/qrcode"
	"github.com/plaza-dev/plaza/internal/trust"
	"github.com/plaza-dev/plaza/web"
)

// Config is a node's configuration (the flags of plaza serve).
type Config struct {
	Addr       string // listen address; default 127.0.0.1:8080
	DataDir    string // default ./plaza-data
	DB         string // "" (SQLite in DataDir) or a postgres:// URL
	NATS       string // "" (embedded) or a nats:// URL
	AppsDomain string // default apps.localhost
	// BusPrefix separates installations sharing one NATS; default "plaza".
	BusPrefix string
	// RateIP and RateAccount are requests a second allowed per client IP
	// on the public endpoints and per signed-in account; 0 disables.
	RateIP      float64
	RateAccount float64
	Log         *slog.Logger
	// PublicURL is the base URL people reach Plaza at
	// (https://plaza.example.com); empty keeps loopback behaviour.
	PublicURL string
	// TrustedProxies are the CIDRs (comma-separated) whose
	// X-Forwarded-For/-Proto are believed.
	TrustedProxies string
	// TLSCert and TLSKey are PEM files: the node then serves HTTPS (and
	// HTTP/2) itself. One certificate for the main host and *.AppsDomain.
	TLSCert, TLSKey string
	// MetricsAddr serves /metrics (Prometheus) when set; the main listener
	// never does.
	MetricsAddr string
	// PINSecret is the HMAC key of payment PINs (--pin-secret); without
	// it the key is kept by package secrets.
	PINSecret string
	// SandboxRail turns on the sandbox rail (money appears on top-up and
	// leaves on withdrawal); off, top-ups and withdrawals answer 503
	// rail_unavailable. On in --demo and in test nodes.
	SandboxRail bool
	// RailFailureRate makes that share of sandbox-rail calls fail
	// (--rail-failure-rate).
	RailFailureRate float64
	// AllowPrivateOutbound lets merchant notify_urls (every URL Plaza
	// fetches) reach loopback, private and link-local addresses; on in
	// --demo, whose shops run on loopback.
	AllowPrivateOutbound bool
	// DebugAddr serves net/http/pprof when set (keep it on loopback).
	DebugAddr string
	// ScreenReview is the screening review threshold (--screen-review):
	// a party scoring at least this against a watch-list entry is held
	// for review; 0 is trust.DefaultScreenReview (0.85).
	ScreenReview float64
	// MediaPort is the UDP port of the live rooms' media server
	// (--media-port; 0 picks a free one). Every node's media port must be
	// reachable by viewers: a room's video flows straight from the node
	// its host publishes to.
	MediaPort int
	// PayWriters is the number of money writers on PostgreSQL (0: pay's
	// default; SQLite has one).
	PayWriters int
	// ShedAfter refuses a chat send that would wait longer than this
	// behind its writer's queue (0: chat's default, 100 ms; negative:
	// only when the queue is full).
	ShedAfter time.Duration
	// MediaIP is the address put in the media server's ICE candidates
	// (--media-ip): the node's public address behind NAT; empty announces
	// the address the port is bound to (loopback unless MediaBind says).
	MediaIP string
	// MediaBind is the address the media port listens on (--media-bind;
	// default 127.0.0.1, 0.0.0.0 to serve other machines).
	MediaBind string
	// Test holds the knobs only tests turn; nil (every flag's node) is
	// production's behaviour.
	Test *TestOptions
}

// TestOptions are a node's test-only knobs: shorter timers and cheaper
// password hashing (nodetest sets them). Each zero value keeps the
// production default.
type TestOptions struct {
	// BodyDeadline overrides how slowly a request body may arrive.
	BodyDeadline *httpx.BodyDeadline
	// RedPacketTTL overrides how long red packets last (24 h).
	RedPacketTTL time.Duration
	// NotifyRetry overrides the merchant-notification retry schedule.
	NotifyRetry []time.Duration
	// NotifyEvery is how often the notification outbox is polled (1 s).
	NotifyEvery time.Duration
	// JobEvery is how often scheduled money work runs (a minute).
	JobEvery time.Duration
	// SocketPing overrides how often sockets are pinged, and SocketPongWait
	// how long a pong may take (SocketPing when zero).
	SocketPing, SocketPongWait time.Duration
	// Password overrides argon2id's parameters.
	Password account.PasswordParams
	// ErasureLease overrides how long an erasure's runner keeps others
	// off it (30 s): how soon one left by a crash is resumed.
	ErasureLease time.Duration
	// Screen, when set, answers screening instead of trust's engine (a
	// test names the parties it matches).
	Screen func(ctx context.Context, p trust.Party) (*trust.Match, error)
	// LiveHostGrace overrides how long a live room outlives its host's
	// video (30 s); LiveHoldFor how long a room's unpaid order holds
	// its stock (15 min).
	LiveHostGrace, LiveHoldFor time.Duration
}

// settings is what New builds from: the Config and its test options
// (zero in production), so that each component's construction reads both.
type settings struct {
	Config
	TestOptions
}

func (c *Config) defaults() {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.DataDir == "" {
		c.DataDir = "./plaza-data"
	}
	if c.AppsDomain == "" {
		c.AppsDomain = "apps.localhost"
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// Node is one running Plaza process.
type Node struct {
	Config   Config
	DB       *sqldb.DB
	Bus      *bus.Bus
	Accounts *account.Service
	Chat     *chat.Service
	Hub      *chat.Hub
	Pay      *pay.Service
	Rail     *pay.Sandbox // nil unless Config.SandboxRail
	Merchant *merchant.Service
	MiniApps *miniapp.Service
	Trust    *trust.Service
	Live     *live.Service
	Media    *media.Server
	Registry *prometheus.Registry
	Edge     *httpx.Edge

	keys      secrets.Keys
	test      TestOptions
	jobs      []job // every component's scheduled work (Serve runs them)
	handler   http.Handler
	listener  net.Listener
	metricsLn net.Listener // nil without --metrics-addr
	debugLn   net.Listener // nil without --debug-addr
	tls       *tls.Config
	log       *slog.Logger
	closeOnce sync.Once
}

// job is one component's scheduled work: Run(ctx) until ctx ends.
type job struct {
	name string
	run  func(context.Context) error
}

// Migrations lists every component's schema, in dependency order (secrets
// after pay, whose first migration made the secrets table before secrets
// had its own).
func Migrations() []sqldb.Migrations {
	return []sqldb.Migrations{idempotency.Migrations, outbox.Migrations, account.Migrations, chat.Migrations, chat.SearchMigrations, pay.Migrations, secrets.Migrations, merchant.Migrations, miniapp.Migrations, trust.Migrations, live.Migrations}
}

// OpenDB opens and migrates the configured database (for serve, migrate
// and admin commands alike).
func OpenDB(ctx context.Context, c Config) (*sqldb.DB, error) {
	c.defaults()
	db, err := sqldb.Open(ctx, c.DB, c.DataDir)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, c.Log, Migrations()...); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// New opens everything a node needs and binds its listener; Serve runs it.
func New(ctx context.Context, cfg Config) (*Node, error) {
	cfg.defaults()
	c := settings{Config: cfg}
	if cfg.Test != nil {
		c.TestOptions = *cfg.Test
	}
	n := &Node{Config: cfg, test: c.TestOptions, log: c.Log, Registry: prometheus.NewRegistry()}
	var err error
	if n.Edge, err = httpx.NewEdge(c.PublicURL, c.AppsDomain, c.TrustedProxies); err != nil {
		return nil, err
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	if c.TLSCert != "" {
		kp, err := newKeyPair(c.TLSCert, c.TLSKey, c.Log)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		n.tls = &tls.Config{GetCertificate: kp.get, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
	}
	if c.DB == "" {
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data folder: %w", err)
		}
	}
	if n.DB, err = OpenDB(ctx, cfg); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	n.Bus, err = bus.Open(ctx, bus.Config{URL: c.NATS, DataDir: c.DataDir, Prefix: c.BusPrefix, Name: "plaza@" + host, Log: c.Log})
	if err != nil {
		n.DB.Close()
		return nil, err
	}
	// The outbox relays domain events to a JetStream stream: without
	// JetStream on an external NATS the node cannot keep its promises.
	if err := n.Bus.EnsureEventStream(ctx); err != nil {
		n.Close()
		return nil, fmt.Errorf("%w (Plaza needs JetStream enabled on its NATS)", err)
	}
	n.Accounts = account.NewService(n.DB, c.Log, erasureSettings(account.Settings{Password: c.Password, Bus: n.Bus, ErasureLease: c.ErasureLease}, c.Log, c.DataDir))
	var blobs chat.BlobStore = chat.FileBlobs{Dir: filepath.Join(c.DataDir, "blobs")}
	if n.DB.Dialect == sqldb.Postgres {
		blobs = chat.DBBlobs{} // every node must see every upload
	}
	if n.Chat, err = chat.NewService(chat.Config{DB: n.DB, Accounts: n.Accounts, Bus: n.Bus, Blobs: blobs, Log: c.Log, Policies: policies{n}, ShedAfter: c.ShedAfter}); err != nil {
		n.Close()
		return nil, err
	}
	n.Accounts.OnUserChanged(n.Chat.ForgetUser) // a new avatar shows at once on this node
	if n.Hub, err = chat.NewHub(chat.HubConfig{Bus: n.Bus, Log: c.Log, Registry: n.Registry, Chat: n.Chat, Forget: n.Chat.ForgetUser, Presence: n.Accounts, SessionsEnded: n.Accounts.SessionsEndedOnBus, LiveSessions: n.Accounts.LiveSessions}); err != nil {
		n.Close()
		return nil, err
	}
	if c.SocketPing > 0 {
		n.Hub.PingEvery, n.Hub.PongWait = c.SocketPing, c.SocketPing
	}
	if c.SocketPongWait > 0 {
		n.Hub.PongWait = c.SocketPongWait
	}
	if n.keys, err = secrets.Load(ctx, secrets.Config{DB: n.DB, DataDir: c.DataDir, PINSecret: c.PINSecret, Log: c.Log}); err != nil {
		n.Close()
		return nil, err
	}
	var rail pay.Rail // nil: no rail
	if c.SandboxRail {
		n.Rail = &pay.Sandbox{FailureRate: c.RailFailureRate}
		rail = n.Rail
	}
	n.Pay, err = pay.NewService(pay.Config{DB: n.DB, Accounts: n.Accounts, Conversations: chatForPay{n.Chat}, Notifier: n.Chat,
		Rail: rail, PINKey: n.keys.PIN, Log: c.Log, RedPacketTTL: c.RedPacketTTL, JobEvery: c.JobEvery, Policies: policies{n}, Screener: screener{n},
		Writers: c.PayWriters})
	if err != nil {
		n.Close()
		return nil, err
	}
	n.Merchant, err = merchant.NewService(merchant.Config{DB: n.DB, Ledger: payLedger{n.Pay}, Accounts: n.Accounts, PlatformKey: n.keys.Platform,
		OpenIDKey: n.keys.OpenID, BillKey: n.keys.Bill, Log: c.Log, Retry: c.NotifyRetry, NotifyEvery: c.NotifyEvery, AllowPrivateOutbound: c.AllowPrivateOutbound, Apps: appOwners{n},
		Jobs: []sched.Job{wxv3.PruneNoncesJob(n.DB, nil)}, Policies: policies{n}, Screening: merchantScreening{n}})
	if err != nil {
		n.Close()
		return nil, err
	}
	n.Accounts.SetErasureHooks(erasureHooks{n})
	if n.Trust, err = n.newTrust(ctx); err != nil { // before miniapp, which asks it; its Targets read n.MiniApps at call time
		n.Close()
		return nil, err
	}
	n.MiniApps = miniapp.NewService(miniapp.Config{DB: n.DB, Accounts: n.Accounts, Payments: n.Merchant, Policies: n.Trust, UnionKey: n.keys.UnionID, TrialKey: n.keys.Trial, Log: c.Log})
	if err := n.newLive(c); err != nil {
		n.Close()
		return nil, fmt.Errorf("live rooms: %w", err)
	}
	n.handler = n.routes()
	n.listener, err = net.Listen("tcp", c.Addr)
	if err != nil {
		n.Close()
		return nil, err
	}
	if c.MetricsAddr != "" {
		if n.metricsLn, err = net.Listen("tcp", c.MetricsAddr); err != nil {
			n.Close()
			return nil, fmt.Errorf("--metrics-addr: %w", err)
		}
	}
	if c.DebugAddr != "" {
		if n.debugLn, err = net.Listen("tcp", c.DebugAddr); err != nil {
			n.Close()
			return nil, fmt.Errorf("--debug-addr: %w", err)
		}
	}
	n.jobs = []job{{"account", n.Accounts.Run}, {"chat", n.Chat.Run}, {"pay", n.Pay.Run}, {"merchant", n.Merchant.Run}, {"miniapp", n.MiniApps.Run}, {"trust", n.Trust.Run}, {"trust frames", n.relayTrustFrames}, {"user cache", n.forgetChangedUsers}, {"idempotency", n.pruneIdempotency}, {"outbox", n.relayEvents}, {"merchant reviews", n.consumeReviewDecisions}, {"live", n.Live.Run}}
	return n, nil
}

func (n *Node) routes() http.Handler {
	n.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "plaza_chat_sends_shed_total",
			Help: "Messages refused (429 rate_limited) because the conversation's writer had a full queue."},
			func() float64 { return float64(n.Chat.SendsShed()) }))
	metrics := httpx.NewMetrics(n.Registry)
	auth := &httpx.Auth{Authn: n.Accounts, PerAccount: httpx.NewLimiter(n.Config.RateAccount, 2*n.Config.RateAccount)}
	// Every client IP is limited, loopback too: behind a trusted proxy it
	// is the real client's (httpx.Edge), and local tools run with
	// --rate-ip 0.
	perIP := httpx.NewLimiter(n.Config.RateIP, 2*n.Config.RateIP)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", n.healthz)
	mux.HandleFunc("/metrics", httpx.NotFound) // on --metrics-addr only
	(&account.Handler{Service: n.Accounts, Auth: auth, PerIP: perIP, Exporters: n.exporters()}).Register(mux)
	(&chat.Handler{Service: n.Chat, Hub: n.Hub, Auth: auth}).Register(mux)
	(&pay.Handler{Service: n.Pay, Auth: auth}).Register(mux)
	(&merchant.Handler{Service: n.Merchant, Auth: auth}).Register(mux)
	(&wxv3.Handler{Service: n.Merchant}).Register(mux)
	(&miniapp.Handler{Service: n.MiniApps, Auth: auth}).Register(mux)
	(&trust.Handler{Service: n.Trust, Auth: auth}).Register(mux)
	(&live.Handler{Service: n.Live, Auth: auth}).Register(mux)
	(&qrcode.Handler{Service: qrcode.NewService(qrcode.Config{Key: n.keys.QR, Users: n.Accounts, Orders: n.Merchant}), Auth: auth}).Register(mux)
	for _, prefix := range []string{"/api/", "/sns/"} {
		mux.HandleFunc(prefix, httpx.NotFound)
	}
	mux.Handle("/", web.Handler())
	// The client's page of a mini-program, loaded afresh, says why when a
	// policy keeps the caller from opening it (403); otherwise the client.
	mux.Handle("GET /app/{appid}", (&miniapp.Handler{Service: n.MiniApps, Auth: auth}).AppPage(web.Handler()))
	apps := &miniapp.Host{Service: n.MiniApps, Domain: n.Config.AppsDomain}
	// Requests for {appid}.{apps-domain} are a mini-program's, on its own
	// origin; everything else is Plaza's.
	byHost := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := apps.AppID(r); ok {
			apps.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
	body := httpx.DefaultBodyDeadline
	if n.test.BodyDeadline != nil {
		body = *n.test.BodyDeadline
	}
	// The edge first, so that the access log, rate limits and every URL
	// see the real client and scheme.
	return n.Edge.Wrap(body.Wrap(httpx.Chain(byHost, n.log, metrics)))
}

func (n *Node) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	// The cause is the operator's (the log), not the public's.
	if err := n.DB.Ping(ctx); err != nil {
		n.log.Warn("healthz: database unavailable", "err", err)
		httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	if err := n.Bus.Ping(); err != nil {
		n.log.Warn("healthz: bus unavailable", "err", err)
		httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": string(n.DB.Dialect)})
}

// Addr is the address the node listens on (with the real port when the
// configured one was 0).
func (n *Node) Addr() string { return n.listener.Addr().String() }

// URL is the node's own base URL, on its listener's address (https when
// it serves TLS itself).
func (n *Node) URL() string {
	if n.tls != nil {
		return "https://" + n.Addr()
	}
	return "http://" + n.Addr()
}

// PublicURL is where people reach the node: --public-url, else URL.
func (n *Node) PublicURL() string {
	if n.Edge.Public != nil {
		return n.Edge.Public.String()
	}
	return n.URL()
}

// MetricsAddr is the address /metrics is served on ("" without
// --metrics-addr).
func (n *Node) MetricsAddr() string {
	if n.metricsLn == nil {
		return ""
	}
	return n.metricsLn.Addr().String()
}

// DebugAddr is the address pprof is served on ("" without --debug-addr).
func (n *Node) DebugAddr() string {
	if n.debugLn == nil {
		return ""
	}
	return n.debugLn.Addr().String()
}

// Handler is the node's HTTP handler.
func (n *Node) Handler() http.Handler { return n.handler }

// Serve answers requests until ctx ends, then stops taking new ones, lets
// in-flight requests finish (up to 30 seconds), waits for every
// component's scheduled work to stop, and closes the bus and the database.
func (n *Node) Serve(ctx context.Context) error {
	srv := &http.Server{
		Handler:           n.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(n.log.Handler(), slog.LevelWarn),
		TLSConfig:         n.tls,
	}
	// Every component's scheduled work runs under one group, on a context
	// of its own (ended when Serve stops for any reason); one that fails is
	// logged and leaves the others and the node running.
	jctx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	var jobs errgroup.Group
	for _, j := range n.jobs {
		jobs.Go(func() error {
			if err := j.run(jctx); err != nil && jctx.Err() == nil {
				n.log.Error("scheduled work stopped", "component", j.name, "err", err)
			}
			return nil
		})
	}
	// The operator listeners (pprof, metrics) serve until Serve stops;
	// Serve waits for them too.
	var side sync.WaitGroup
	var operator []*http.Server
	serveOn := func(what string, ln net.Listener, h http.Handler) {
		s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		operator = append(operator, s)
		side.Add(1)
		go func() {
			defer side.Done()
			if err := s.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				n.log.Warn(what, "err", err)
			}
		}()
	}
	if n.debugLn != nil {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		n.log.Info("pprof", "addr", n.DebugAddr())
		serveOn("pprof", n.debugLn, mux)
	}
	if n.metricsLn != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(n.Registry, promhttp.HandlerOpts{}))
		n.log.Info("metrics", "addr", "http://"+n.MetricsAddr()+"/metrics")
		serveOn("metrics", n.metricsLn, mux)
	}
	errc := make(chan error, 1)
	go func() {
		if n.tls != nil {
			errc <- srv.ServeTLS(n.listener, "", "")
			return
		}
		errc <- srv.Serve(n.listener)
	}()
	n.log.Info("plaza serving", "addr", n.URL(), "public_url", n.PublicURL(), "database", n.DB.Dialect, "bus_embedded", n.Bus.Embedded())
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		n.log.Info("shutting down: finishing in-flight requests")
		n.Hub.Close() // sockets are hijacked: Shutdown does not see them
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
	}
	for _, s := range operator {
		s.Close() // closes its listener too
	}
	side.Wait()
	stopJobs()
	jobs.Wait()
	n.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	n.log.Info("plaza stopped")
	return err
}

// relayEvents publishes the outbox's committed domain events to the
// bus's event stream (see internal/platform/outbox).
func (n *Node) relayEvents(ctx context.Context) error {
	return (&outbox.Relay{DB: n.DB, Bus: n.Bus, Log: n.log}).Run(ctx)
}

// pruneIdempotency deletes idempotency records older than a week, hourly:
// the platform's own scheduled work.
func (n *Node) pruneIdempotency(ctx context.Context) error {
	return sched.Run(ctx, n.log, sched.Job{Name: "pruning idempotency keys", Every: time.Hour, Now: true, Do: func(ctx context.Context) error {
		_, err := idempotency.Prune(ctx, n.DB, 7*24*time.Hour)
		return err
	}})
}

// Close releases the listener, the bus and the database; calling it again
// does nothing.
func (n *Node) Close() { n.closeOnce.Do(n.close) }

func (n *Node) close() {
	if n.listener != nil {
		n.listener.Close()
	}
	if n.metricsLn != nil {
		n.metricsLn.Close()
	}
	if n.debugLn != nil {
		n.debugLn.Close()
	}
	if n.Hub != nil {
		n.Hub.Close()
	}
	if n.Live != nil {
		n.Live.Close()
	}
	if n.Media != nil {
		n.Media.Close()
	}
	if n.Merchant != nil {
		n.Merchant.Close()
	}
	if n.Pay != nil {
		n.Pay.Close()
	}
	if n.Chat != nil {
		n.Chat.Close()
	}
	if n.Bus != nil {
		n.Bus.Close()
	}
	if n.DB != nil {
		n.DB.Close()
	}
}

package bench_test

import (
	"context"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/bench"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// The test binary is also the spread chat benchmark's worker process
// (bench.ChatConfig.WorkerArgv points here).
func TestMain(m *testing.M) {
	if os.Getenv("PLAZA_BENCH_WORKER") == "1" {
		if err := bench.ChatWorker(context.Background(), os.Stdin, os.Stdout, os.Stderr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The benchmark itself must count right: on a healthy node nothing is lost
// or duplicated, and every acknowledged message is delivered to both
// members' sockets.
func TestChatBenchCountsDeliveries(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  bench.ChatConfig
		per  int64 // deliveries per message
	}{
		{"direct", bench.ChatConfig{Conns: 8, Rate: 100, Users: 4}, 4},
		{"group", bench.ChatConfig{Conns: 6, Rate: 40, Group: 6}, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) { c.MetricsAddr = "127.0.0.1:0" }})
			cfg := tc.cfg
			cfg.Addr, cfg.Duration, cfg.Metrics = n.URL(), time.Second, n.MetricsAddr()
			res, err := bench.Chat(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Sent < 10 || res.Lost != 0 || res.Duplicated != 0 || res.Delivered != res.Sent*tc.per || res.Connections != cfg.Conns {
				t.Fatalf("%+v", res)
			}
			if res.P50 <= 0 || res.P99 < res.P50 || res.ServerRSS <= 0 {
				t.Fatalf("latencies or RSS missing: %+v", res)
			}
		})
	}
}

// Spread over two nodes of a cluster (PostgreSQL and NATS) and three
// generator processes, the benchmark still counts every delivery once: a
// user's sockets sit on both nodes and in several processes, so each
// message crosses the bus and the merge must add the processes' parts.
func TestChatBenchSpreadOverNodesAndProcesses(t *testing.T) {
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	o := nodetest.Options{DBURL: dbtest.PostgresURL(t), NATS: natsURL, Prefix: "bspread" + ids.Token(6),
		Tune: func(c *node.Config) { c.MetricsAddr = "127.0.0.1:0" }}
	n1, n2 := nodetest.Start(t, o), nodetest.Start(t, o)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := bench.ChatConfig{Addrs: []string{n1.URL(), n2.URL()}, Duration: 2 * time.Second, Conns: 24, Users: 6, Rate: 60,
		Procs: 3, WorkerArgv: []string{exe}, Metrics: n1.MetricsAddr() + "," + n2.MetricsAddr()}
	res, err := bench.Chat(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 24 sockets over 6 users: 4 a user, so 8 a direct conversation.
	if res.Sent < 30 || res.Lost != 0 || res.Duplicated != 0 || res.Reordered != 0 || res.Delivered != res.Sent*8 ||
		res.Connections != 24 || res.Nodes != 2 || res.Procs != 3 {
		t.Fatalf("%+v", res)
	}
	if res.P50 <= 0 || res.P99 < res.P50 || res.ServerRSS <= 0 {
		t.Fatalf("latencies or RSS missing: %+v", res)
	}
}

// The pay benchmark moves money, audits the ledger, and in red-packet mode
// never pays out more shares or money than the packet holds.
func TestPayBench(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	audit := func(ctx context.Context) (any, error) { return n.Pay.CheckLedger(ctx) }
	res, err := bench.Pay(context.Background(), bench.PayConfig{Addr: n.URL(), Duration: 500 * time.Millisecond, Users: 6, Concurrency: 4, Ledger: audit})
	if err != nil {
		t.Fatal(err)
	}
	if res.Transfers < 5 || len(res.Failures) != 0 || res.P99 < res.P50 {
		t.Fatalf("%+v", res)
	}
	if c, _ := n.Pay.CheckLedger(context.Background()); !c.Balanced {
		t.Fatalf("ledger: %+v", c)
	}
	rp, err := bench.Pay(context.Background(), bench.PayConfig{Addr: n.URL(), RedPacket: 12, Ledger: audit})
	if err != nil {
		t.Fatal(err)
	}
	if *rp.Claims != int64(rp.Shares) || *rp.ClaimedTotal != rp.Total || rp.Failures["red_packet_empty"] != 12-rp.Shares {
		t.Fatalf("%+v %v", rp, rp.Failures)
	}
}

// The merchant benchmark places, pays and queries real signed orders.
func TestMerchantBench(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	res, err := bench.Merchant(context.Background(), bench.MerchantConfig{Addr: n.URL(), Duration: 300 * time.Millisecond, Merchants: 2, Payers: 3, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Orders < 1 || len(res.Failures) != 0 || res.SignedRequestsPerSec < res.OrdersPerSec || res.RSASignPerSec <= 0 || res.RatioToRSABound <= 0 {
		t.Fatalf("%+v", res)
	}
	if c, _ := n.Pay.CheckLedger(context.Background()); !c.Balanced {
		t.Fatalf("ledger: %+v", c)
	}
}

// A socket the network drops mid-run reconnects and fetches what it
// missed, as a client does: nothing acknowledged is lost or counted
// twice. Every connection through a proxy is cut halfway through.
func TestChatBenchReconnectsDroppedSockets(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	target := strings.TrimPrefix(n.URL(), "http://")
	p := startCutProxy(t, target)
	// The cut comes half a second into the sending, however long the
	// setup took: the bench logs "holding …" as it starts to send.
	cfg := bench.ChatConfig{Addr: "http://" + p.addr, Duration: 2 * time.Second, Conns: 8, Users: 4, Rate: 100,
		Log: &onLine{prefix: "holding ", do: func() { time.AfterFunc(500*time.Millisecond, p.cut) }}}
	res, err := bench.Chat(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// An ack cut off in flight leaves a sent message uncounted whose
	// deliveries still come: at least, not exactly, four a message.
	if res.Sent < 20 || res.Lost != 0 || res.Duplicated != 0 || res.Reconnects < 8 || res.Delivered < res.Sent*4 {
		t.Fatalf("%+v", res)
	}
	t.Logf("sent %d, delivered %d, reconnects %d, errors %v", res.Sent, res.Delivered, res.Reconnects, res.Errors)
}

// onLine runs do once, when a line starting with prefix is written.
type onLine struct {
	prefix string
	do     func()
	once   sync.Once
}

func (w *onLine) Write(b []byte) (int, error) {
	if strings.HasPrefix(string(b), w.prefix) {
		w.once.Do(w.do)
	}
	return len(b), nil
}

type cutProxy struct {
	addr  string
	mu    sync.Mutex
	conns []net.Conn
}

// startCutProxy forwards TCP to target until cut closes every
// connection it holds (new ones are still taken).
func startCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &cutProxy{addr: ln.Addr().String()}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

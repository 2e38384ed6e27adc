package node

// Internal tests (package node, so they start nodes with New: nodetest
// imports node) of how a node stops: its scheduled work, its operator
// listeners, and what /healthz tells the public.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// logBuffer is a log that tests read while the node writes it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testConfig is a loopback node on a fresh SQLite folder, or a fresh
// PostgreSQL database, with an embedded NATS.
func testConfig(t *testing.T, postgres bool) Config {
	t.Helper()
	c := Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), BusPrefix: "t" + ids.Token(6), Log: slog.New(slog.DiscardHandler),
		Test: &TestOptions{Password: account.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1}}}
	if postgres {
		c.DB = dbtest.PostgresURL(t)
	}
	return c
}

// serve runs n; stop ends its context and returns what Serve returned
// (failing the test if Serve takes more than 40 s).
func serve(t *testing.T, n *Node) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Serve(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(40 * time.Second):
				err = errors.New("Serve did not return within 40s")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

// waitFor polls cond for up to d (nodetest.WaitFor, which node's own
// tests cannot import).
func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// --debug-addr serves pprof while the node runs; when it stops, the port
// is free again (the listener was closed, not leaked).
func TestDebugListenerStopsAndFreesItsPort(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, false)
	cfg.DebugAddr = "127.0.0.1:0"
	n, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := serve(t, n)
	addr := n.DebugAddr()
	if code := get(t, "http://"+addr+"/debug/pprof/"); code != http.StatusOK {
		t.Fatalf("pprof: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/debug/pprof/"); err == nil {
		t.Fatal("pprof still answers after Serve returned")
	}
	for _, a := range []string{addr, n.Addr()} {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			t.Fatalf("%s is still taken: %v", a, err)
		}
		ln.Close()
	}
}

// Scheduled work that fails is logged and stops nothing else; Serve
// returns only once every job has stopped, and before that the database
// is still open for the job's last step.
func TestServeWaitsForScheduledWork(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, false)
	log := &logBuffer{}
	cfg.Log = slog.New(slog.NewTextHandler(log, nil))
	n, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	failed, stopping, release := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var lastStep error
	n.jobs = append(n.jobs,
		job{"failing", func(context.Context) error { defer close(failed); return errors.New("boom") }},
		job{"slow", func(ctx context.Context) error {
			<-ctx.Done()
			close(stopping)
			<-release
			lastStep = n.DB.Ping(context.Background())
			return ctx.Err()
		}})
	stop := serve(t, n)
	<-failed
	waitFor(t, 2*time.Second, func() bool { return strings.Contains(log.String(), "boom") })
	if line := log.String(); !strings.Contains(line, "component=failing") || !strings.Contains(line, "level=ERROR") {
		t.Fatalf("the failure is not logged as the job's error: %s", line)
	}
	if code := get(t, n.URL()+"/healthz"); code != http.StatusOK {
		t.Fatalf("after a job failed, /healthz answers %d", code)
	}
	select {
	case <-stopping:
		t.Fatal("one job's failure stopped another")
	case <-time.After(200 * time.Millisecond):
	}

	returned := make(chan error, 1)
	go func() { returned <- stop() }()
	<-stopping
	select {
	case <-returned:
		t.Fatal("Serve returned while a job was still running")
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-returned; err != nil {
		t.Fatalf("Serve: %v (a failed job is no error of Serve's)", err)
	}
	if lastStep != nil {
		t.Fatalf("the database was closed before the job stopped: %v", lastStep)
	}
}

// /healthz tells the public only that the node is unavailable; the cause
// goes to the log.
func TestHealthzKeepsTheCauseInTheLog(t *testing.T) {
	t.Parallel()
	db, err := sqldb.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	log := &logBuffer{}
	n := &Node{DB: db, log: slog.New(slog.NewTextHandler(log, nil))}
	w := httptest.NewRecorder()
	n.healthz(w, httptest.NewRequest("GET", "/healthz", nil))
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusServiceUnavailable || len(body) != 1 || body["status"] != "unavailable" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if !strings.Contains(log.String(), "closed") {
		t.Fatalf("the cause is not logged: %s", log.String())
	}
}

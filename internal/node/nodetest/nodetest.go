// Package nodetest starts whole Plaza nodes for end-to-end tests, on
// loopback ports, on SQLite or PostgreSQL, and talks to them over HTTP.
package nodetest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// Options choose a test node's backends.
type Options struct {
	Postgres bool   // a fresh PostgreSQL database instead of SQLite
	DBURL    string // an existing database to share (several nodes)
	NATS     string // an external NATS URL ("" embeds one)
	Prefix   string // bus subject prefix (nodes that share a NATS share it)
	// Tune the node's config before it starts; its test-only knobs are in
	// c.Test (never nil here: it holds FastPasswords).
	Tune func(*node.Config)
}

// FastPasswords keep argon2id's shape at a cost fit for tests.
var FastPasswords = account.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1}

// Start runs a node until the test ends.
func Start(t testing.TB, o Options) *node.Node {
	t.Helper()
	cfg := node.Config{
		Addr:      "127.0.0.1:0",
		DataDir:   t.TempDir(),
		DB:        o.DBURL,
		NATS:      o.NATS,
		BusPrefix: o.Prefix,
		Test:      &node.TestOptions{Password: FastPasswords},
		Log:       testLogger(t),
		// Test shops listen on loopback; tests of the refusal turn it off.
		AllowPrivateOutbound: true,
		// Tests top up wallets; Tune may turn the rail off.
		SandboxRail: true,
		// Tests drive nodes from loopback, which is rate-limited like any
		// client: no limits unless a test tunes them.
		RateIP: 0, RateAccount: 0,
		// Likewise, sends are shed only at a full queue: a loaded test
		// machine must not refuse a test's burst (the shedding tests
		// tune it on).
		ShedAfter: -1,
	}
	if o.Postgres && cfg.DB == "" {
		// A copy of the schema's template: migrations run once per run.
		cfg.DB = dbtest.MigratedPostgresURL(t, node.Migrations()...)
	}
	if cfg.BusPrefix == "" {
		cfg.BusPrefix = "t" + ids.Token(6)
	}
	if o.Tune != nil {
		o.Tune(&cfg)
	}
	if cfg.DB == "" && cfg.DataDir != "" {
		// A new SQLite file starts as a copy of the schema's template
		// (the node's own migrations then find nothing to do); a file a
		// test put there is its own.
		if path := filepath.Join(cfg.DataDir, "plaza.db"); !exists(path) {
			if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
				t.Fatal(err)
			}
			dbtest.MigratedSQLitePath(t, path, node.Migrations()...)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	n, err := node.New(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- n.Serve(ctx) }()
	t.Cleanup(func() {
		if o.NATS != "" {
			// A shared NATS keeps streams: drop this node's events.
			_ = n.Bus.DeleteEventStream(context.Background())
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("node stopped with %v", err)
			}
		case <-time.After(40 * time.Second):
			t.Error("node did not stop within 40s")
		}
	})
	return n
}

// Run runs fn against a node on each database, as parallel subtests
// "sqlite" and "postgres"; o configures both nodes (o.Postgres and o.DBURL
// are chosen per subtest). Code after Run in the calling test runs before
// the subtests do: put every step inside fn.
func Run(t *testing.T, o Options, fn func(t *testing.T, n *node.Node)) {
	t.Helper()
	for _, db := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			o := o
			o.Postgres, o.DBURL = db.postgres, ""
			fn(t, Start(t, o))
		})
	}
}

// WaitFor polls cond until it holds, failing the test if it still does
// not after d: the one bounded wait every end-to-end test uses instead of
// sleeps.
func WaitFor(t testing.TB, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(wait)
	}
}

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("PLAZA_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// Client calls a node's API as one user: with a bearer token, or with the
// cookie jar and CSRF token as the web client does.
type Client struct {
	Base  string
	Token string
	CSRF  string
	HTTP  *http.Client
}

// NewClient makes a client of the node at base with its own cookie jar.
func NewClient(base string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: base, HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// Response is an answer, with its body decoded when it is JSON.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// Code is the error code of an error body ("" otherwise).
func (r *Response) Code() string {
	if e, ok := r.JSON["error"].(map[string]any); ok {
		s, _ := e["code"].(string)
		return s
	}
	return ""
}

// Get follows a path of keys through the JSON body ("user.username").
func (r *Response) Get(path string) any {
	var v any = r.JSON
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// Str is Get as a string.
func (r *Response) Str(path string) string {
	s, _ := r.Get(path).(string)
	return s
}

// Do sends a request; body is JSON-encoded unless it is a string or []byte,
// which are sent as they are.
func (c *Client) Do(t testing.TB, method, path string, body any, headers ...string) *Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := &Response{Status: resp.StatusCode, Header: resp.Header}
	if out.Body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(out.Body, &out.JSON)
	}
	return out
}

// Signup creates a user and returns a bearer-token client for them.
func Signup(t testing.TB, base, username string) *Client {
	t.Helper()
	c := NewClient(base)
	r := c.Do(t, "POST", "/api/v1/auth/signup", map[string]string{
		"username": username, "password": "correct horse", "display_name": strings.ToUpper(username[:1]) + username[1:], "region": "US",
	})
	if r.Status != http.StatusCreated {
		t.Fatalf("signup %s: %d %s", username, r.Status, r.Body)
	}
	c.Token = r.Str("token")
	return c
}

// Befriend makes two signed-up users contacts through the API.
func Befriend(t testing.TB, a, b *Client, bUsername string) {
	t.Helper()
	r := a.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": bUsername, "message": "hi"})
	if r.Status != http.StatusCreated {
		t.Fatalf("contact request: %d %s", r.Status, r.Body)
	}
	r = b.Do(t, "POST", "/api/v1/contacts/requests/"+r.Str("request.id")+"/accept", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

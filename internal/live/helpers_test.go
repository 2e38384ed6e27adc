package live_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

var sets = []sqldb.Migrations{merchant.Migrations, live.Migrations}

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
)

// clock is a settable clock (real time until set).
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// fakeMedia is the media server as live sees it.
type fakeMedia struct {
	mu      sync.Mutex
	n       int
	gone    map[string]func()
	stopped []string
	ended   []string
}

func (m *fakeMedia) Publish(ctx context.Context, roomID string, offer []byte, onGone func()) ([]byte, string, error) {
	if !bytes.HasPrefix(offer, []byte("v=0")) {
		return nil, "", errs.E(errs.InvalidArgument, "not SDP")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	sess := fmt.Sprintf("pub%d", m.n)
	if m.gone == nil {
		m.gone = map[string]func(){}
	}
	m.gone[sess] = onGone
	return []byte("v=0\r\nanswer-publish\r\n"), sess, nil
}

func (m *fakeMedia) Play(ctx context.Context, roomID, viewerID string, offer []byte) ([]byte, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	return []byte("v=0\r\nanswer-play\r\n"), fmt.Sprintf("play%d", m.n), nil
}

func (m *fakeMedia) Stop(ctx context.Context, roomID, session string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = append(m.stopped, session)
	return nil
}

func (m *fakeMedia) EndRoom(roomID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ended = append(m.ended, roomID)
}

func (m *fakeMedia) Publishing(roomID string) bool { return false }

func (m *fakeMedia) vanish(session string) {
	m.mu.Lock()
	fn := m.gone[session]
	m.mu.Unlock()
	fn()
}

// fakePolicies blocks block[user][scope].
type fakePolicies struct {
	mu    sync.Mutex
	block map[string]trust.Scope
}

func (p *fakePolicies) Check(ctx context.Context, q trust.Question) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.block[q.UserID] == q.Scope && q.Target.Type == trust.TargetMerchant && q.MerchantID != "" {
		return &errs.Error{Code: trust.BlockedByPolicy, Message: "Blocked here."}
	}
	return nil
}

func (p *fakePolicies) set(user string, scope trust.Scope) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.block == nil {
		p.block = map[string]trust.Scope{}
	}
	p.block[user] = scope
}

// people: every user exists, named after their id.
type people struct{}

func (people) User(ctx context.Context, id string) (account.User, error) {
	return account.User{ID: id, DisplayName: "User " + id}, nil
}

// tokens: the bearer token is the user id.
type tokens struct{}

func (tokens) Authenticate(ctx context.Context, token string) (httpx.Principal, error) {
	return httpx.Principal{UserID: token}, nil
}

type env struct {
	t        testing.TB
	db       *sqldb.DB
	live     *live.Service
	merchant *merchant.Service
	mux      *http.ServeMux
	clock    *clock
	media    *fakeMedia
	policies *fakePolicies
	mchid    string

	mu      sync.Mutex
	frames  []live.Frame
	started chan []string
}

const host = "u_host"

func newEnv(t testing.TB, db *sqldb.DB) *env {
	keyOnce.Do(func() { key, _ = rsa.GenerateKey(rand.Reader, 2048) })
	e := &env{t: t, db: db, clock: &clock{}, media: &fakeMedia{}, policies: &fakePolicies{}, started: make(chan []string, 100)}
	ms, err := merchant.NewService(merchant.Config{DB: db, PlatformKey: key, Accounts: people{}, Log: slog.New(slog.DiscardHandler), Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ms.Close)
	e.merchant = ms
	ls, err := live.NewService(live.Config{DB: db, Accounts: people{}, Log: slog.New(slog.DiscardHandler), Merchants: node.LiveMerchants{M: ms},
		Policies: e.policies, Media: e.media, Now: e.clock.now, HostGrace: 100 * time.Millisecond, HoldFor: 15 * time.Minute,
		Observe:   func(f live.Frame) { e.mu.Lock(); e.frames = append(e.frames, f); e.mu.Unlock() },
		OnStarted: func(ctx context.Context, room live.Room, users []string) { e.started <- users }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ls.Close)
	e.live = ls
	e.mux = http.NewServeMux()
	(&live.Handler{Service: ls, Auth: &httpx.Auth{Authn: tokens{}}}).Register(e.mux)
	m, err := ms.CreateMerchant(context.Background(), host, "Nova Store", "CN")
	if err != nil {
		t.Fatal(err)
	}
	e.mchid = m.MchID
	return e
}

func (e *env) framesOf(event string) []live.Frame {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []live.Frame
	for _, f := range e.frames {
		if f.Event == event {
			out = append(out, f)
		}
	}
	return out
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("status %d, body %q: %v", r.status, r.body, err)
	}
	return v
}

func (r resp) code(t testing.TB) string {
	t.Helper()
	v := r.json(t)
	e, _ := v["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// do sends a request as user; body is JSON unless it is a string or
// []byte (sent as is). headers are name, value pairs.
func (e *env) do(user, method, path string, body any, headers ...string) resp {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+user)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, req)
	return resp{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
}

func (e *env) expect(r resp, status int, code string) {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if code != "" {
		if got := r.code(e.t); got != code {
			e.t.Fatalf("code %q, want %q: %s", got, code, r.body)
		}
	}
}

// room creates a room of the env's merchant and returns its id.
func (e *env) room() string {
	e.t.Helper()
	r := e.do(host, "POST", "/api/v1/live/rooms", map[string]any{"mchid": e.mchid, "title": "Nova 12 launch"})
	e.expect(r, 201, "")
	return r.json(e.t)["room"].(map[string]any)["id"].(string)
}

// goLive publishes to room id and returns the WHIP session's Location.
func (e *env) goLive(id string) string {
	e.t.Helper()
	r := e.do(host, "POST", "/api/v1/live/rooms/"+id+"/whip", "v=0\r\noffer\r\n", "Content-Type", "application/sdp")
	e.expect(r, 201, "")
	return r.header.Get("Location")
}

// shelf puts items sku0…skuN-1 with stock each.
func (e *env) shelf(id string, n int, stock int64) {
	e.t.Helper()
	items := []map[string]any{}
	for i := 0; i < n; i++ {
		items = append(items, map[string]any{"sku": fmt.Sprintf("sku%d", i), "name": fmt.Sprintf("Nova %d", i),
			"price": map[string]any{"amount": 100 * (i + 1), "currency": "CNY"}, "stock": stock})
	}
	e.expect(e.do(host, "PUT", "/api/v1/live/rooms/"+id+"/shelf", map[string]any{"items": items}), 200, "")
}

func (e *env) buy(user, id, sku string, qty int, idem string) resp {
	return e.do(user, "POST", "/api/v1/live/rooms/"+id+"/orders", map[string]any{"sku": sku, "quantity": qty}, "Idempotency-Key", idem)
}

// item is one shelf row as stored: stock, held, sold.
func (e *env) item(id, sku string) (stock, held, sold int64) {
	e.t.Helper()
	if err := e.db.QueryRow(context.Background(), `SELECT stock, held, sold FROM live_shelf WHERE room_id = ? AND sku = ?`, id, sku).
		Scan(&stock, &held, &sold); err != nil {
		e.t.Fatal(err)
	}
	return
}

// pay marks the merchant order outTradeNo paid by user (as Confirm's
// ledger transaction does) and delivers the payment event to live.
func (e *env) pay(user, outTradeNo string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.db.Exec(ctx, `UPDATE orders SET trade_state = 'SUCCESS', payer_user_id = ?, success_time = ? WHERE mchid = ? AND out_trade_no = ? AND trade_state = 'NOTPAY'`,
		user, sqldb.Micro(e.clock.now()), e.mchid, outTradeNo); err != nil {
		e.t.Fatal(err)
	}
	ev, _ := json.Marshal(merchant.PaymentSucceeded{MchID: e.mchid, OutTradeNo: outTradeNo, PayerUserID: user, TradeType: merchant.TradeNative})
	if err := e.live.PaymentEvent(ctx, ev); err != nil {
		e.t.Fatal(err)
	}
}

func both(t *testing.T, fn func(t *testing.T, e *env)) {
	dbtest.Run(t, sets, func(t *testing.T, db *sqldb.DB) { fn(t, newEnv(t, db)) })
}

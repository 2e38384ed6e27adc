package pay_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

const pin = "246810"

// wallet signs up a user with a PIN and, when topUp > 0, that much CNY.
func wallet(t testing.TB, n *node.Node, name string, topUp int64) *nodetest.Client {
	t.Helper()
	c := nodetest.Signup(t, n.URL(), name)
	if r := c.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": pin, "password": "correct horse"}); r.Status != 204 {
		t.Fatalf("pin: %d %s", r.Status, r.Body)
	}
	if topUp > 0 {
		if r := pay(t, c, "/api/v1/wallet/topups", map[string]any{"amount": topUp, "currency": "CNY"}); r.Status != 201 {
			t.Fatalf("top-up: %d %s", r.Status, r.Body)
		}
	}
	return c
}

// pay posts a money-moving request with a fresh Idempotency-Key.
func pay(t testing.TB, c *nodetest.Client, path string, body any) *nodetest.Response {
	t.Helper()
	return c.Do(t, "POST", path, body, "Idempotency-Key", ids.New("k"))
}

func balance(t *testing.T, c *nodetest.Client) int64 {
	t.Helper()
	r := c.Do(t, "GET", "/api/v1/wallet", nil)
	for _, b := range r.Get("balances").([]any) {
		m := b.(map[string]any)
		if m["currency"] == "CNY" {
			return int64(m["amount"].(float64))
		}
	}
	t.Fatalf("no CNY balance: %s", r.Body)
	return 0
}

// ledgerOK asserts the ledger's invariants from the database itself.
func ledgerOK(t *testing.T, n *node.Node) {
	t.Helper()
	c, err := n.Pay.CheckLedger(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Balanced || !c.Reconciled {
		t.Fatalf("ledger out of balance or holds not reconciled: %+v", c)
	}
}

func TestTransfersRefuseBadInputAndMoveNothing(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := wallet(t, n, "ann", 10_000)
		wallet(t, n, "ben", 0)
		nopin := nodetest.Signup(t, n.URL(), "nopin")
		transfer := func(body string) string {
			return `{"username":"ben","currency":"CNY","note":"x","pin":"` + pin + `",` + body + `}`
		}
		cases := []struct {
			name   string
			c      *nodetest.Client
			body   string
			status int
			code   string
		}{
			{"negative", ann, transfer(`"amount":-5`), 400, "invalid_argument"},
			{"zero", ann, transfer(`"amount":0`), 400, "invalid_argument"},
			{"fractional", ann, transfer(`"amount":12.5`), 400, "invalid_argument"},
			{"overflowing", ann, transfer(`"amount":99999999999999999999`), 400, "invalid_argument"},
			{"too_large", ann, transfer(`"amount":1000000001`), 400, "invalid_argument"},
			{"amount_as_string", ann, transfer(`"amount":"100"`), 400, "invalid_argument"},
			{"unknown_currency", ann, strings.Replace(transfer(`"amount":100`), "CNY", "XYZ", 1), 400, "invalid_argument"},
			{"to_oneself", ann, strings.Replace(transfer(`"amount":100`), `"ben"`, `"ann"`, 1), 400, "invalid_argument"},
			{"to_nobody", ann, strings.Replace(transfer(`"amount":100`), `"ben"`, `"ghost"`, 1), 404, "not_found"},
			{"wrong_pin", ann, strings.Replace(transfer(`"amount":100`), pin, "000000", 1), 422, "wrong_pin"},
			{"missing_pin", ann, strings.Replace(transfer(`"amount":100`), `"pin":"`+pin+`",`, ``, 1), 400, "invalid_argument"},
			{"no_pin_set", nopin, transfer(`"amount":100`), 422, "pin_not_set"},
			{"insufficient_funds", ann, transfer(`"amount":10001`), 422, "insufficient_funds"},
			{"unknown_field", ann, transfer(`"amount":100,"from":"ben"`), 400, "invalid_argument"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.Do(t, "POST", "/api/v1/wallet/transfers", tc.body, "Idempotency-Key", ids.New("k"))
				if r.Status != tc.status || r.Code() != tc.code {
					t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, tc.status, tc.code)
				}
			})
		}
		if r := ann.Do(t, "POST", "/api/v1/wallet/transfers", transfer(`"amount":100`)); r.Status != 400 {
			t.Fatalf("no Idempotency-Key: %d %s", r.Status, r.Body)
		}
		if got := balance(t, ann); got != 10_000 {
			t.Fatalf("ann has %d after refusals, want 10000", got)
		}
		ledgerOK(t, n)

		// The same key: the first answer again; with other parameters: 409.
		body := transfer(`"amount":250`)
		first := ann.Do(t, "POST", "/api/v1/wallet/transfers", body, "Idempotency-Key", "same-key")
		again := ann.Do(t, "POST", "/api/v1/wallet/transfers", body, "Idempotency-Key", "same-key")
		other := ann.Do(t, "POST", "/api/v1/wallet/transfers", transfer(`"amount":251`), "Idempotency-Key", "same-key")
		if first.Status != 201 || again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" || again.Str("transaction.id") != first.Str("transaction.id") {
			t.Fatalf("retry: %d %s / %d %s", first.Status, first.Body, again.Status, again.Body)
		}
		if other.Status != 409 || other.Code() != "idempotency_mismatch" {
			t.Fatalf("reuse with other parameters: %d %s", other.Status, other.Body)
		}
		if got := balance(t, ann); got != 9_750 {
			t.Fatalf("ann has %d, want 9750: the retry moved money twice", got)
		}
		ledgerOK(t, n)
	})
}

func TestPINLockout(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := wallet(t, n, "ann", 1_000)
		wallet(t, n, "ben", 0)
		send := func(p string) *nodetest.Response {
			return pay(t, ann, "/api/v1/wallet/transfers", map[string]any{"username": "ben", "amount": 10, "currency": "CNY", "pin": p})
		}
		for i := range 4 {
			if r := send("111111"); r.Code() != "wrong_pin" || !strings.Contains(r.Str("error.message"), fmt.Sprint(4-i)) {
				t.Fatalf("try %d: %s", i, r.Body)
			}
		}
		if r := send("111111"); r.Code() != "pin_locked" {
			t.Fatalf("fifth wrong PIN: %s", r.Body)
		}
		if r := send(pin); r.Code() != "pin_locked" {
			t.Fatalf("the right PIN while locked: %s", r.Body)
		}
		var attempts int
		n.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM pin_attempts`).Scan(&attempts)
		if attempts != 5 {
			t.Fatalf("%d attempts recorded, want 5", attempts)
		}
		var stored string
		n.DB.QueryRow(context.Background(), `SELECT pin_hmac FROM wallet_pins`).Scan(&stored)
		if strings.Contains(stored, pin) || len(stored) != 64 {
			t.Fatalf("the PIN is stored as %q", stored)
		}
		if got := balance(t, ann); got != 1_000 {
			t.Fatalf("money moved: %d", got)
		}
	})
}

// Hundreds of concurrent transfers among a few accounts: no wallet goes
// negative, the sum of balances is zero, and every balance is the replay
// of its transfers.
func TestConcurrentTransfersKeepTheLedgerBalanced(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		names := []string{"pa", "pb", "pc", "pd"}
		cs := make([]*nodetest.Client, len(names))
		for i, name := range names {
			cs[i] = wallet(t, n, "peer_"+name, 1_000)
		}
		var wg sync.WaitGroup
		var ok, refused atomic.Int64
		for i, c := range cs {
			for w := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range 25 {
						to := names[(i+1+k+w)%len(names)]
						if to == names[i] {
							continue
						}
						r := pay(t, c, "/api/v1/wallet/transfers", map[string]any{"username": "peer_" + to, "amount": 1 + (k*37)%400, "currency": "CNY", "pin": pin})
						switch {
						case r.Status == 201:
							ok.Add(1)
						case r.Code() == "insufficient_funds":
							refused.Add(1)
						default:
							t.Errorf("transfer: %d %s", r.Status, r.Body)
						}
					}
				}()
			}
		}
		wg.Wait()
		var sum int64
		for _, c := range cs {
			b := balance(t, c)
			if b < 0 {
				t.Fatalf("a wallet went negative: %d", b)
			}
			sum += b
		}
		if sum != 4_000 {
			t.Fatalf("wallets hold %d, want 4000", sum)
		}
		ledgerOK(t, n)
		t.Logf("%d transfers, %d refused for funds", ok.Load(), refused.Load())
	})
}

// A thousand-style rush on one red packet, scaled to a test: every member
// claims at once; shares add up to the total exactly, never more shares
// than the count, each member at most once.
func TestRedPacketConcurrentClaims(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		owner := wallet(t, n, "owner", 100_000)
		const members = 24
		var names []string
		cs := make([]*nodetest.Client, members)
		for i := range members {
			name := fmt.Sprintf("m%02d", i)
			cs[i] = nodetest.Signup(t, n.URL(), name)
			nodetest.Befriend(t, owner, cs[i], name)
			names = append(names, name)
		}
		g := owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Lucky", "usernames": names})
		gid := g.Str("conversation.id")
		for _, split := range []string{"lucky", "equal"} {
			t.Run(split, func(t *testing.T) {
				const total, count = 2_000, 10
				r := pay(t, owner, "/api/v1/conversations/"+gid+"/red-packets", map[string]any{
					"total": total, "count": count, "currency": "CNY", "greeting": "Happy new year", "pin": pin, "split": split})
				if r.Status != 201 || r.Str("message.kind") != "red_packet" || r.Str("message.red_packet_id") != r.Str("red_packet.id") {
					t.Fatalf("send: %d %s", r.Status, r.Body)
				}
				rp := r.Str("red_packet.id")
				var wg sync.WaitGroup
				var got, empty atomic.Int64
				var mu sync.Mutex
				shares := []int64{}
				for _, c := range cs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						r := c.Do(t, "POST", "/api/v1/red-packets/"+rp+"/claim", nil)
						switch {
						case r.Status == 200:
							got.Add(1)
							mu.Lock()
							shares = append(shares, int64(r.Get("amount").(float64)))
							mu.Unlock()
						case r.Status == 410 && r.Code() == "red_packet_empty":
							empty.Add(1)
						default:
							t.Errorf("claim: %d %s", r.Status, r.Body)
						}
						if again := c.Do(t, "POST", "/api/v1/red-packets/"+rp+"/claim", nil); again.Status == 200 {
							t.Errorf("a second claim paid: %s", again.Body)
						}
					}()
				}
				wg.Wait()
				var sum int64
				for _, s := range shares {
					if s < 1 || split == "equal" && s != total/count {
						t.Fatalf("share %d in %v", s, shares)
					}
					sum += s
				}
				if got.Load() != count || empty.Load() != members-count || sum != total {
					t.Fatalf("%d claims (%d empty) summing %d; want %d claims summing %d", got.Load(), empty.Load(), sum, count, total)
				}
				d := owner.Do(t, "GET", "/api/v1/red-packets/"+rp, nil)
				if d.Get("red_packet.claimed_total").(float64) != total || len(d.Get("red_packet.claims").([]any)) != count || d.Str("red_packet.status") != "empty" {
					t.Fatalf("details: %s", d.Body)
				}
				ledgerOK(t, n)
			})
		}
		stranger := nodetest.Signup(t, n.URL(), "stranger")
		r := pay(t, owner, "/api/v1/conversations/"+gid+"/red-packets", map[string]any{"total": 100, "count": 1, "currency": "CNY", "pin": pin})
		rp := r.Str("red_packet.id")
		for _, path := range []string{"/api/v1/red-packets/" + rp, "/api/v1/red-packets/" + rp + "/claim", "/api/v1/red-packets/rp_nope/claim"} {
			method := http.MethodPost
			if !strings.HasSuffix(path, "/claim") {
				method = http.MethodGet
			}
			if r := stranger.Do(t, method, path, nil); r.Status != 404 {
				t.Fatalf("stranger %s %s: %d %s", method, path, r.Status, r.Body)
			}
		}
		bad := []map[string]any{
			{"total": 10, "count": 11, "currency": "CNY", "pin": pin},
			{"total": 10, "count": 3, "currency": "CNY", "pin": pin, "split": "equal"},
			{"total": 100, "count": 0, "currency": "CNY", "pin": pin},
			{"total": 100, "count": 1, "currency": "CNY", "pin": pin, "split": "weird"},
			{"total": 30_000, "count": 1, "currency": "CNY", "pin": pin},
		}
		for _, b := range bad {
			if r := pay(t, owner, "/api/v1/conversations/"+gid+"/red-packets", b); r.Status != 400 {
				t.Fatalf("%v: %d %s", b, r.Status, r.Body)
			}
		}
		if r := pay(t, stranger, "/api/v1/conversations/"+gid+"/red-packets", map[string]any{"total": 100, "count": 1, "currency": "CNY", "pin": pin}); r.Status != 404 {
			t.Fatalf("a stranger sent into the group: %d %s", r.Status, r.Body)
		}
	})
}

func TestExpiredRedPacketReturnsToSender(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{Tune: func(c *node.Config) {
		// Long enough to send and claim on a loaded machine.
		c.Test.RedPacketTTL, c.Test.JobEvery = 3*time.Second, 50*time.Millisecond
	}}, func(t *testing.T, n *node.Node) {
		ann := wallet(t, n, "ann", 1_000)
		ben := nodetest.Signup(t, n.URL(), "ben")
		nodetest.Befriend(t, ann, ben, "ben")
		d := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"})
		r := pay(t, ann, "/api/v1/conversations/"+d.Str("conversation.id")+"/red-packets", map[string]any{"total": 600, "count": 2, "currency": "CNY", "pin": pin})
		rp := r.Str("red_packet.id")
		if own := ann.Do(t, "POST", "/api/v1/red-packets/"+rp+"/claim", nil); own.Status != 403 {
			t.Fatalf("the sender opened their own one-to-one packet: %d %s", own.Status, own.Body)
		}
		if got := ben.Do(t, "POST", "/api/v1/red-packets/"+rp+"/claim", nil); got.Status != 200 {
			t.Fatalf("claim: %d %s", got.Status, got.Body)
		}
		claimed := balance(t, ben)
		// The unclaimed rest comes back to ann once the packet expires.
		nodetest.WaitFor(t, 30*time.Second, func() bool { return balance(t, ann) == 1_000-claimed })
		if r := ann.Do(t, "GET", "/api/v1/red-packets/"+rp, nil); r.Str("red_packet.status") != "refunded" {
			t.Fatalf("status: %s", r.Body)
		}
		ledgerOK(t, n)
	})
}

func TestTopUpWithdrawAndHistory(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := wallet(t, n, "ann", 5_000)
		ben := wallet(t, n, "ben", 0)
		nodetest.Befriend(t, ann, ben, "ben")
		if r := pay(t, ann, "/api/v1/wallet/withdrawals", map[string]any{"amount": 1_000, "currency": "CNY", "pin": pin}); r.Status != 201 || r.Str("transaction.status") != "succeeded" {
			t.Fatalf("withdraw: %d %s", r.Status, r.Body)
		}
		if r := pay(t, ann, "/api/v1/wallet/withdrawals", map[string]any{"amount": 10_000, "currency": "CNY", "pin": pin}); r.Code() != "insufficient_funds" {
			t.Fatalf("over-withdraw: %d %s", r.Status, r.Body)
		}
		n.Rail.SetFailureRate(1)
		if r := pay(t, ann, "/api/v1/wallet/withdrawals", map[string]any{"amount": 500, "currency": "CNY", "pin": pin}); r.Status != 502 || r.Code() != "rail_failed" {
			t.Fatalf("declined withdrawal: %d %s", r.Status, r.Body)
		}
		if r := pay(t, ann, "/api/v1/wallet/topups", map[string]any{"amount": 500, "currency": "CNY"}); r.Code() != "rail_failed" {
			t.Fatalf("declined top-up: %d %s", r.Status, r.Body)
		}
		n.Rail.SetFailureRate(0)
		if got := balance(t, ann); got != 4_000 {
			t.Fatalf("ann has %d, want 4000 (the declined withdrawal must come back)", got)
		}
		socket := ben.Dial(t)
		if r := pay(t, ann, "/api/v1/wallet/transfers", map[string]any{"username": "ben", "amount": 1_234, "currency": "CNY", "note": "dinner", "pin": pin}); r.Status != 201 {
			t.Fatalf("transfer: %d %s", r.Status, r.Body)
		}
		f := socket.Next(t, 5*time.Second, func(f nodetest.Frame) bool { return f["type"] == "wallet" })
		if f.Num("balance.amount") != 1_234 {
			t.Fatalf("wallet frame: %v", f)
		}
		m := socket.Next(t, 5*time.Second, func(f nodetest.Frame) bool { return f["type"] == "message" && f.Str("message.kind") == "transfer" })
		if !strings.Contains(m.Str("message.text"), "¥12.34") || m.Str("message.transaction_id") == "" {
			t.Fatalf("transfer message: %v", m)
		}
		h := ann.Do(t, "GET", "/api/v1/wallet/transactions?limit=2", nil)
		items := h.Get("items").([]any)
		first := items[0].(map[string]any)
		if len(items) != 2 || first["kind"] != "transfer" || first["direction"] != "out" || h.Str("next_cursor") == "" {
			t.Fatalf("history: %s", h.Body)
		}
		if cp := first["counterparty"].(map[string]any); cp["username"] != "ben" {
			t.Fatalf("counterparty: %v", cp)
		}
		var kinds []string
		for cursor := ""; ; {
			page := ann.Do(t, "GET", "/api/v1/wallet/transactions?limit=2&cursor="+cursor, nil)
			for _, it := range page.Get("items").([]any) {
				m := it.(map[string]any)
				kinds = append(kinds, fmt.Sprintf("%s/%s/%s", m["kind"], m["direction"], m["status"]))
			}
			if cursor = page.Str("next_cursor"); cursor == "" {
				break
			}
		}
		want := "transfer/out/succeeded,withdrawal_return/in/succeeded,withdrawal/out/failed,withdrawal/out/succeeded,topup/in/succeeded"
		if strings.Join(kinds, ",") != want {
			t.Fatalf("history %v,\nwant %s", kinds, want)
		}
		ledgerOK(t, n)
	})
}

// Without --sandbox-rail there is no rail: top-ups and withdrawals answer
// 503 rail_unavailable, and no money can be minted.
func TestNoRailIsAClearError(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{Tune: func(c *node.Config) { c.SandboxRail = false }}, func(t *testing.T, n *node.Node) {
		ann := wallet(t, n, "ann", 0)
		if r := pay(t, ann, "/api/v1/wallet/topups", map[string]any{"amount": 100, "currency": "CNY"}); r.Status != 503 || r.Code() != "rail_unavailable" {
			t.Fatalf("top-up: %d %s", r.Status, r.Body)
		}
		if r := pay(t, ann, "/api/v1/wallet/withdrawals", map[string]any{"amount": 100, "currency": "CNY", "pin": pin}); r.Status != 503 || r.Code() != "rail_unavailable" {
			t.Fatalf("withdrawal: %d %s", r.Status, r.Body)
		}
		if got := balance(t, ann); got != 0 {
			t.Fatalf("money appeared: %d", got)
		}
	})
}

// PUT /wallet/pin: the first PIN with the password; a change with the old
// PIN or the password; with neither, or a wrong old PIN, refused.
func TestPINChangeOverHTTP(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		if r := ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": pin}); r.Status != 400 {
			t.Fatalf("first PIN without password: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": pin, "password": "correct horse"}); r.Status != 204 {
			t.Fatalf("first PIN: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "111111"}); r.Status != 400 || r.Code() != "invalid_argument" {
			t.Fatalf("change with nothing: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "111111", "old_pin": "000000"}); r.Code() != "wrong_pin" {
			t.Fatalf("change with a wrong old PIN: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "111111", "old_pin": pin}); r.Status != 204 {
			t.Fatalf("change with the old PIN: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": pin, "password": "wrong horse"}); r.Status != 403 {
			t.Fatalf("change with a wrong password: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": pin, "password": "correct horse"}); r.Status != 204 {
			t.Fatalf("change with the password: %d %s", r.Status, r.Body)
		}
	})
}

// A member who joined a group after a red packet was sent does not see it
// and cannot open it (as in WeChat: the group starts for them at their
// joining); a packet sent after they joined is theirs to open.
func TestLateJoinerCannotOpenAnEarlierRedPacket(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		owner := wallet(t, n, "owner", 10_000)
		early := nodetest.Signup(t, n.URL(), "early")
		late := nodetest.Signup(t, n.URL(), "late")
		nodetest.Befriend(t, owner, early, "early")
		nodetest.Befriend(t, owner, late, "late")
		gid := owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Before", "usernames": []string{"early"}}).Str("conversation.id")
		packet := func() string {
			r := pay(t, owner, "/api/v1/conversations/"+gid+"/red-packets", map[string]any{"total": 300, "count": 3, "currency": "CNY", "pin": pin})
			if r.Status != 201 {
				t.Fatalf("red packet: %d %s", r.Status, r.Body)
			}
			return r.Str("red_packet.id")
		}
		old := packet()
		if r := owner.Do(t, "POST", "/api/v1/conversations/"+gid+"/members", map[string]any{"usernames": []string{"late"}}); r.Status != 200 {
			t.Fatalf("add: %d %s", r.Status, r.Body)
		}
		if r := late.Do(t, "POST", "/api/v1/red-packets/"+old+"/claim", nil); r.Status != 404 {
			t.Fatalf("late joiner's claim of the earlier packet: %d %s", r.Status, r.Body)
		}
		if r := late.Do(t, "GET", "/api/v1/red-packets/"+old, nil); r.Status != 404 {
			t.Fatalf("late joiner's view of the earlier packet: %d %s", r.Status, r.Body)
		}
		if balance(t, late) != 0 {
			t.Fatal("the refused claim moved money")
		}
		if r := early.Do(t, "POST", "/api/v1/red-packets/"+old+"/claim", nil); r.Status != 200 {
			t.Fatalf("early member's claim: %d %s", r.Status, r.Body)
		}
		fresh := packet()
		if r := late.Do(t, "POST", "/api/v1/red-packets/"+fresh+"/claim", nil); r.Status != 200 {
			t.Fatalf("late joiner's claim of a later packet: %d %s", r.Status, r.Body)
		}
		ledgerOK(t, n)
	})
}

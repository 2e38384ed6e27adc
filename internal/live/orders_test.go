package live_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// A thousand buyers at once on the last ten: exactly ten orders, stock
// zero and never below it, everyone else 409 out_of_stock.
func TestRush(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		id := e.room()
		e.goLive(id)
		e.shelf(id, 1, 10)
		var ok, sold, other atomic.Int64
		var wg sync.WaitGroup
		for i := 0; i < 1000; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.buy(fmt.Sprintf("u_%d", i), id, "sku0", 1, "k")
				switch {
				case r.status == 201:
					ok.Add(1)
				case r.status == 409 && r.code(t) == live.OutOfStock:
					sold.Add(1)
				default:
					other.Add(1)
					t.Errorf("status %d: %s", r.status, r.body)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 10 || sold.Load() != 990 || other.Load() != 0 {
			t.Fatalf("ok %d, out of stock %d, other %d", ok.Load(), sold.Load(), other.Load())
		}
		stock, held, _ := e.item(id, "sku0")
		if stock != 0 || held != 10 {
			t.Fatalf("stock %d, held %d", stock, held)
		}
		var orders int
		if err := e.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM orders WHERE mchid = ?`, e.mchid).Scan(&orders); err != nil || orders != 10 {
			t.Fatalf("merchant orders %d %v", orders, err)
		}
		for _, f := range e.framesOf("stock") {
			if f.Fields["stock"].(int64) < 0 {
				t.Fatalf("a stock frame below zero: %v", f)
			}
		}

		// Ten skus, one left of each: ten orders, one per sku.
		id2 := e.room()
		e.goLive(id2)
		e.shelf(id2, 10, 1)
		ok.Store(0)
		for i := 0; i < 1000; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := e.buy(fmt.Sprintf("u_%d", i), id2, fmt.Sprintf("sku%d", i%10), 1, "k2"); r.status == 201 {
					ok.Add(1)
				} else if r.status != 409 || r.code(t) != live.OutOfStock {
					t.Errorf("status %d: %s", r.status, r.body)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 10 {
			t.Fatalf("%d orders for ten items", ok.Load())
		}
		for i := 0; i < 10; i++ {
			if stock, held, _ := e.item(id2, fmt.Sprintf("sku%d", i)); stock != 0 || held != 1 {
				t.Fatalf("sku%d: stock %d held %d", i, stock, held)
			}
		}
	})
}

// The order's rules: the shelf's price, the sku must exist, the room must
// be live, bad bodies are 400, and the key makes a retry harmless.
func TestOrderRules(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		id := e.room()
		e.shelf(id, 2, 5)
		e.expect(e.buy("u_a", id, "sku0", 1, "k0"), 409, live.NotLive)
		e.goLive(id)
		path := "/api/v1/live/rooms/" + id + "/orders"
		idem := func(k string) []string { return []string{"Idempotency-Key", k} }
		e.expect(e.buy("u_a", id, "forged", 1, "k1"), 404, "not_found")
		e.expect(e.buy("u_a", "lr_nope", "sku0", 1, "k1"), 404, "not_found")
		e.expect(e.buy("u_a", id, "sku0", 0, "k1"), 400, "invalid_argument")
		e.expect(e.buy("u_a", id, "sku0", 11, "k1"), 400, "invalid_argument")
		e.expect(e.do("u_a", "POST", path, `{"sku":"sku0","quantity":"1"}`, idem("k1")...), 400, "invalid_argument")
		e.expect(e.do("u_a", "POST", path, `{"sku":1,"quantity":1}`, idem("k1")...), 400, "invalid_argument")
		e.expect(e.do("u_a", "POST", path, `{"sku":"sku0",`, idem("k1")...), 400, "invalid_argument")
		e.expect(e.do("u_a", "POST", path, `[]`, idem("k1")...), 400, "invalid_argument")
		e.expect(e.do("u_a", "POST", path, map[string]any{"sku": "sku0", "quantity": 1}), 400, "invalid_argument") // no key

		// A forged price is ignored: the shelf's is charged.
		r := e.do("u_a", "POST", path, map[string]any{"sku": "sku1", "quantity": 2, "price": map[string]any{"amount": 1, "currency": "CNY"},
			"amount": map[string]any{"amount": 1}}, idem("k2")...)
		e.expect(r, 201, "")
		body := r.json(t)
		order := body["order"].(map[string]any)
		if amt := order["amount"].(map[string]any); amt["amount"] != float64(400) || amt["currency"] != "CNY" || order["quantity"] != float64(2) {
			t.Fatalf("order %v", order)
		}
		prepay := body["prepay_id"].(string)
		var total int64
		var payer, typ string
		if err := e.db.QueryRow(context.Background(), `SELECT total, payer_user_id, trade_type FROM orders WHERE prepay_id = ?`, prepay).
			Scan(&total, &payer, &typ); err != nil || total != 400 || payer != "u_a" || typ != "NATIVE" {
			t.Fatalf("merchant order %d %q %q %v", total, payer, typ, err)
		}

		// The same key again: the same order, no more stock taken.
		r = e.do("u_a", "POST", path, map[string]any{"sku": "sku1", "quantity": 2}, idem("k2")...)
		e.expect(r, 201, "")
		if r.json(t)["prepay_id"] != prepay {
			t.Fatalf("a retry placed another order: %s", r.body)
		}
		if stock, held, _ := e.item(id, "sku1"); stock != 3 || held != 2 {
			t.Fatalf("after a retry: stock %d held %d", stock, held)
		}
		// Concurrent retries of one key: one order.
		var wg sync.WaitGroup
		prepays := make(chan string, 20)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.do("u_b", "POST", path, map[string]any{"sku": "sku0", "quantity": 1}, idem("same")...)
				if r.status != 201 {
					t.Errorf("retry %d: %s", r.status, r.body)
					return
				}
				prepays <- r.json(t)["prepay_id"].(string)
			}()
		}
		wg.Wait()
		close(prepays)
		seen := map[string]bool{}
		for p := range prepays {
			seen[p] = true
		}
		if len(seen) != 1 {
			t.Fatalf("concurrent retries placed %d orders", len(seen))
		}
		if stock, held, _ := e.item(id, "sku0"); stock != 4 || held != 1 {
			t.Fatalf("after concurrent retries: stock %d held %d", stock, held)
		}
		// The key with other parameters.
		e.expect(e.do("u_a", "POST", path, map[string]any{"sku": "sku1", "quantity": 1}, idem("k2")...), 409, "idempotency_mismatch")
		// Another user's key is theirs: u_c's "k2" is a new order.
		e.expect(e.do("u_c", "POST", path, map[string]any{"sku": "sku1", "quantity": 1}, idem("k2")...), 201, "")

		// Only the buyer sees the order's prepay.
		if _, err := e.merchant.PrepayFor(context.Background(), "u_x", prepay); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another user sees the buyer's prepay: %v", err)
		}
		if p, err := e.merchant.PrepayFor(context.Background(), "u_a", prepay); err != nil || p.Amount.Amount != 400 {
			t.Fatalf("the buyer's prepay: %v %v", p, err)
		}

		// Shelf edges: a replaced shelf keeps held and sold, an item taken
		// off cannot be bought.
		e.expect(e.do(host, "PUT", "/api/v1/live/rooms/"+id+"/shelf", map[string]any{"items": []any{
			map[string]any{"sku": "sku1", "name": "Nova 1", "price": map[string]any{"amount": 999}, "stock": 7}}}), 200, "")
		if stock, held, _ := e.item(id, "sku1"); stock != 7 || held != 3 {
			t.Fatalf("replaced shelf: stock %d held %d", stock, held)
		}
		e.expect(e.buy("u_a", id, "sku0", 1, "k9"), 404, "not_found")
		for _, bad := range []any{
			map[string]any{"items": []any{map[string]any{"sku": "a b", "name": "x", "price": map[string]any{"amount": 1}, "stock": 1}}},
			map[string]any{"items": []any{map[string]any{"sku": "a", "name": "", "price": map[string]any{"amount": 1}, "stock": 1}}},
			map[string]any{"items": []any{map[string]any{"sku": "a", "name": "x", "price": map[string]any{"amount": 0}, "stock": 1}}},
			map[string]any{"items": []any{map[string]any{"sku": "a", "name": "x", "price": map[string]any{"amount": 1, "currency": "cny"}, "stock": 1}}},
			map[string]any{"items": []any{map[string]any{"sku": "a", "name": "x", "price": map[string]any{"amount": 1}, "stock": -1}}},
			map[string]any{"items": []any{map[string]any{"sku": "a", "name": "x", "price": map[string]any{"amount": 1}, "stock": 1},
				map[string]any{"sku": "a", "name": "y", "price": map[string]any{"amount": 1}, "stock": 1}}},
			map[string]any{"items": []any{map[string]any{"sku": "a", "name": "x", "price": map[string]any{"amount": 1, "currency": "USD"}, "stock": 1},
				map[string]any{"sku": "b", "name": "y", "price": map[string]any{"amount": 1}, "stock": 1}}},
			`{"items":[{"sku":"a","name":"x","price":{"amount":1.5},"stock":1}]}`,
		} {
			e.expect(e.do(host, "PUT", "/api/v1/live/rooms/"+id+"/shelf", bad), 400, "invalid_argument")
		}
	})
}

// Unpaid past the hold: the merchant order is closed first, then the
// stock comes back; an order paid meanwhile is sold instead.
func TestExpiry(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		id := e.room()
		e.goLive(id)
		e.shelf(id, 1, 3)
		unpaid := e.buy("u_a", id, "sku0", 2, "k1").json(t)["order"].(map[string]any)["out_trade_no"].(string)
		paid := e.buy("u_b", id, "sku0", 1, "k1").json(t)["order"].(map[string]any)["out_trade_no"].(string)
		// u_b's payment lands but its event is not delivered yet.
		if _, err := e.db.Exec(context.Background(), `UPDATE orders SET trade_state = 'SUCCESS', payer_user_id = 'u_b' WHERE out_trade_no = ?`, paid); err != nil {
			t.Fatal(err)
		}
		if n, err := e.live.Expire(t.Context()); err != nil || n != 0 {
			t.Fatalf("before the hold ends: %d %v", n, err)
		}
		e.clock.advance(16 * time.Minute)
		if n, err := e.live.Expire(t.Context()); err != nil || n != 1 {
			t.Fatalf("expired %d %v", n, err)
		}
		var st string
		if err := e.db.QueryRow(context.Background(), `SELECT trade_state FROM orders WHERE out_trade_no = ?`, unpaid).Scan(&st); err != nil || st != "CLOSED" {
			t.Fatalf("the expired order is %q %v", st, err)
		}
		if stock, held, sold := e.item(id, "sku0"); stock != 2 || held != 0 || sold != 1 {
			t.Fatalf("stock %d held %d sold %d", stock, held, sold)
		}
		if n, err := e.live.Expire(t.Context()); err != nil || n != 0 {
			t.Fatalf("again: %d %v", n, err)
		}
		// The late event changes nothing more.
		e.pay("u_b", paid)
		if stock, held, sold := e.item(id, "sku0"); stock != 2 || held != 0 || sold != 1 {
			t.Fatalf("after the late event: stock %d held %d sold %d", stock, held, sold)
		}
	})
}

// Paying: sold, "sale" to the host (once, however often the event comes),
// "stock" to everyone, and the stats.
func TestPaidSale(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		id := e.room()
		e.goLive(id)
		e.shelf(id, 2, 5)
		no := e.buy("u_a", id, "sku1", 3, "k1").json(t)["order"].(map[string]any)["out_trade_no"].(string)
		e.buy("u_b", id, "sku0", 1, "k1")
		e.pay("u_a", no)
		e.pay("u_a", no)
		if stock, held, sold := e.item(id, "sku1"); stock != 2 || held != 0 || sold != 3 {
			t.Fatalf("stock %d held %d sold %d", stock, held, sold)
		}
		sales := e.framesOf("sale")
		if len(sales) != 1 || len(sales[0].Users) != 1 || sales[0].Users[0] != host || sales[0].Fields["quantity"].(int64) != 3 ||
			sales[0].Fields["amount"].(live.Money).Amount != 600 {
			t.Fatalf("sale frames %+v", sales)
		}
		// Another merchant's order of the same number is not this room's.
		if err := e.live.Paid(t.Context(), "1600000000", no); err != nil {
			t.Fatal(err)
		}
		e.expect(e.do("u_a", "GET", "/api/v1/live/rooms/"+id+"/stats", nil), 403, "forbidden")
		r := e.do(host, "GET", "/api/v1/live/rooms/"+id+"/stats", nil)
		e.expect(r, 200, "")
		st := r.json(t)
		if st["orders"] != float64(2) || st["paid_orders"] != float64(1) || st["sales"].(map[string]any)["amount"] != float64(600) {
			t.Fatalf("stats %v", st)
		}
		if items := st["items"].([]any); len(items) != 2 || items[1].(map[string]any)["sold"] != float64(3) {
			t.Fatalf("stats items %v", items)
		}
	})
}

// failingOrders is a merchant component whose order creation fails.
type failingOrders struct{ live.Merchants }

func (failingOrders) CreateLiveOrder(ctx context.Context, o live.LiveOrder) (string, error) {
	return "", errs.E(errs.Unavailable, "The merchant API is down.")
}

// A merchant order that cannot be placed gives the stock back.
func TestOrderFailureReleases(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		id := e.room()
		e.goLive(id)
		e.shelf(id, 1, 2)
		s, err := live.NewService(live.Config{DB: e.db, Merchants: failingOrders{node.LiveMerchants{M: e.merchant}}, Now: e.clock.now})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_, err = s.PlaceOrder(t.Context(), live.BuyRequest{UserID: "u_a", RoomID: id, Key: "k", Hash: "h", Buy: live.Buy{SKU: "sku0", Quantity: 2}})
		if !errs.Is(err, errs.Unavailable) {
			t.Fatalf("err %v", err)
		}
		if stock, held, _ := e.item(id, "sku0"); stock != 2 || held != 0 {
			t.Fatalf("stock %d held %d", stock, held)
		}
		// A retry of the key is told to start again; a new key buys.
		if _, err := s.PlaceOrder(t.Context(), live.BuyRequest{UserID: "u_a", RoomID: id, Key: "k", Hash: "h", Buy: live.Buy{SKU: "sku0", Quantity: 2}}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("retry: %v", err)
		}
		e.expect(e.buy("u_a", id, "sku0", 2, "k2"), 201, "")
	})
}

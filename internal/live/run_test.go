package live_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// Run consumes the merchant's payment events from the event stream (NATS
// at PLAZA_TEST_NATS): a paid purchase is sold, once even when the event
// comes twice, and expires nothing that was paid.
func TestRunConsumesPayments(t *testing.T) {
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
		t.Skip("PLAZA_TEST_NATS is not set")
	}
	e := newEnv(t, dbtest.SQLite(t, sets...))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	b, err := bus.Open(ctx, bus.Config{URL: natsURL, Prefix: "t" + ids.Token(10), Name: "live-test", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		dbtest.Require(t, "nats", "NATS is unreachable: "+err.Error())
		t.Skip(err)
	}
	t.Cleanup(b.Close)
	if err := b.EnsureEventStream(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.DeleteEventStream(context.Background()) })
	s, err := live.NewService(live.Config{DB: e.db, Bus: b, Merchants: node.LiveMerchants{M: e.merchant}, Now: e.clock.now,
		JobEvery: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	wg.Go(func() { _ = s.Run(ctx) })

	id := e.room()
	e.goLive(id)
	e.shelf(id, 1, 3)
	no := e.buy("u_a", id, "sku0", 2, "k").json(t)["order"].(map[string]any)["out_trade_no"].(string)
	if _, err := e.db.Exec(ctx, `UPDATE orders SET trade_state = 'SUCCESS', payer_user_id = 'u_a' WHERE out_trade_no = ?`, no); err != nil {
		t.Fatal(err)
	}
	ev, _ := json.Marshal(merchant.PaymentSucceeded{MchID: e.mchid, OutTradeNo: no, PayerUserID: "u_a"})
	for i := 0; i < 2; i++ {
		if err := b.PublishEvent(ctx, live.PaymentSubject, ev, "pay-"+no+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		stock, held, sold := e.item(id, "sku0")
		if sold == 2 {
			if stock != 1 || held != 0 {
				t.Fatalf("stock %d held %d", stock, held)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not sold: stock %d held %d sold %d", stock, held, sold)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The job runs: nothing paid is released, even past the hold.
	e.clock.advance(time.Hour)
	time.Sleep(100 * time.Millisecond)
	if stock, held, sold := e.item(id, "sku0"); stock != 1 || held != 0 || sold != 2 {
		t.Fatalf("after the hold: stock %d held %d sold %d", stock, held, sold)
	}
}

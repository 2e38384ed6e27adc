package merchant_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// A paid order and a refund of it are published on the bus, from the
// outbox written in the transactions that paid and refunded, with the
// order's ids, amounts and payer.
func TestPaymentAndRefundEvents(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{Tune: fastNotify}, func(t *testing.T, n *node.Node) {
		ctx := context.Background()
		var mu sync.Mutex
		var paid []merchant.PaymentSucceeded
		var refunded []merchant.RefundSucceeded
		for subject, fn := range map[string]func(data []byte){
			merchant.PaymentSucceededSubject: func(data []byte) {
				var e merchant.PaymentSucceeded
				if err := json.Unmarshal(data, &e); err != nil {
					t.Errorf("payment event: %v", err)
				}
				mu.Lock()
				paid = append(paid, e)
				mu.Unlock()
			},
			merchant.RefundSucceededSubject: func(data []byte) {
				var e merchant.RefundSucceeded
				if err := json.Unmarshal(data, &e); err != nil {
					t.Errorf("refund event: %v", err)
				}
				mu.Lock()
				refunded = append(refunded, e)
				mu.Unlock()
			},
		} {
			sub, err := n.Bus.Subscribe(subject, func(m *bus.Message) { fn(m.Data) })
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sub.Unsubscribe() })
		}
		s := newShop(t, n, "eventshop")
		ann := buyer(t, n, "ann", 10_000)
		code, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "EVENT00001",
			NotifyURL: s.notify, Amount: plazapay.Amount{Total: 1_500}})
		if err != nil {
			t.Fatal(err)
		}
		payLink(t, ann, code)
		tx, err := s.client.QueryByOutTradeNo(ctx, "EVENT00001")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.client.Refund(ctx, plazapay.RefundRequest{OutTradeNo: "EVENT00001", OutRefundNo: "EVR1",
			Amount: plazapay.RefundRequestAmount{Refund: 500, Total: 1_500}}); err != nil {
			t.Fatal(err)
		}
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(paid) >= 1 && len(refunded) >= 1
		})
		mu.Lock()
		defer mu.Unlock()
		p, r := paid[0], refunded[0]
		if p.TransactionID != tx.TransactionID || p.MchID != s.mchid || p.AppID != "wx"+s.mchid || p.OutTradeNo != "EVENT00001" ||
			p.Amount != 1_500 || p.Currency != "CNY" || p.PayerUserID == "" || p.TransferID == "" || p.At.IsZero() {
			t.Fatalf("payment event: %+v", p)
		}
		if r.RefundID == "" || r.OutRefundNo != "EVR1" || r.TransactionID != tx.TransactionID || r.MchID != s.mchid ||
			r.OutTradeNo != "EVENT00001" || r.Amount != 500 || r.Currency != "CNY" || r.PayerUserID != p.PayerUserID ||
			r.TransferID == "" || r.At.IsZero() {
			t.Fatalf("refund event: %+v", r)
		}
		if me := ann.Do(t, "GET", "/api/v1/me", nil); me.Str("user.id") != p.PayerUserID && me.Str("id") != p.PayerUserID {
			t.Fatalf("payer %s is not ann: %s", p.PayerUserID, me.Body)
		}
	})
}

package merchant_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// M8: once a merchant's owner erases their account, the merchant takes no
// new orders and its unpaid orders cannot be paid; refunds of its past
// orders still work.
func TestErasedOwnersMerchantTakesNoPayments(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ctx := context.Background()
		s := newShop(t, n, "closing")
		ann := buyer(t, n, "ann", 10_000)
		prepay := func(no string) string {
			t.Helper()
			codeURL, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea",
				OutTradeNo: no, NotifyURL: s.notify, Amount: plazapay.Amount{Total: 1_000}})
			if err != nil {
				t.Fatalf("order %s: %v", no, err)
			}
			u, _ := url.Parse(codeURL)
			return u.Query().Get("pr")
		}
		paid := prepay("PAID000001")
		if r := ann.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": paid, "pin": "112233"}); r.Status != 200 {
			t.Fatalf("confirm: %d %s", r.Status, r.Body)
		}
		open := prepay("OPEN000001")

		if r := s.owner.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}); r.Status != 204 {
			t.Fatalf("owner's erasure: %d %s", r.Status, r.Body)
		}
		if _, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea",
			OutTradeNo: "NEW0000001", NotifyURL: s.notify, Amount: plazapay.Amount{Total: 1_000}}); !plazapay.IsAPIError(err, "NO_AUTH") {
			t.Fatalf("a new order of a closed merchant: %v", err)
		}
		if r := ann.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": open, "pin": "112233"}); r.Status != 422 {
			t.Fatalf("paying an open order of a closed merchant: %d %s", r.Status, r.Body)
		}
		if _, err := s.client.Refund(ctx, plazapay.RefundRequest{OutTradeNo: "PAID000001", OutRefundNo: "RF00000001",
			Amount: plazapay.RefundRequestAmount{Refund: 1_000, Total: 1_000}}); err != nil {
			t.Fatalf("refund of a past order: %v", err)
		}
		w := ann.Do(t, "GET", "/api/v1/wallet", nil)
		if w.Status != 200 || !strings.Contains(string(w.Body), `"amount":10000`) {
			t.Fatalf("the payer's wallet after the refund: %s", w.Body)
		}
	})
}

// L4: merchant names are visible names; regions come from ISO 3166-1.
func TestMerchantNameAndRegionRules(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		o := nodetest.Signup(t, n.URL(), "shopper")
		for _, tc := range []struct {
			name, mname, region string
			status              int
		}{
			{"ok", "Leaf & Clay 茶", "cn", 201},
			{"nul", "Tea\x00House", "CN", 400},
			{"newline", "Tea\nHouse", "CN", 400},
			{"bidi", "Tea\u202EesuoH", "CN", 400},
			{"lookalike", "P\u0430yPal", "US", 400},
			{"empty", "  ", "CN", 400},
			{"region_not_iso", "Tea House", "ZZ", 400},
			{"region_xx", "Tea House", "XX", 400},
			{"region_three", "Tea House", "CHN", 400},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := o.Do(t, "POST", "/api/v1/merchants", map[string]any{"name": tc.mname, "region": tc.region})
				if r.Status != tc.status {
					t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.status)
				}
			})
		}
	})
}

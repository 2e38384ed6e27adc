package merchant_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// pay confirms the order behind a code_url / h5_url as c.
func payLink(t *testing.T, c *nodetest.Client, link string) {
	t.Helper()
	u, _ := url.Parse(link)
	if r := c.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": u.Query().Get("pr"), "pin": "112233"}); r.Status != 200 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
}

// The H5 page returns the payer only to an address on the order's
// merchant's host (its notify_url's), never to one the link was edited to.
func TestH5ReturnURLIsTheMerchants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		s := newShop(t, n, "h5shop")
		ann := buyer(t, n, "ann", 5_000)
		h5, err := s.client.PrepayH5(ctx, plazapay.H5Request{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "H5RET00001", NotifyURL: s.notify,
			Amount: plazapay.Amount{Total: 100}, SceneInfo: plazapay.H5SceneInfo{PayerClientIP: "127.0.0.1", H5Info: plazapay.H5Info{Type: "Wap"}}})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(h5)
		pr := u.Query().Get("pr")
		shopURL, _ := url.Parse(s.notify)
		good := shopURL.Scheme + "://" + shopURL.Host + "/order/H5RET00001?x=1"
		for _, c := range []struct{ redirect, want string }{
			{good, good},
			{"https://evil.example/phish", ""},
			{"javascript:alert(1)", ""},
			{"//evil.example/x", ""},
			{"http://user@" + shopURL.Host + "/x", ""},
			{"https://" + shopURL.Host + "/x", ""}, // another scheme than the merchant's
		} {
			r := ann.Do(t, "GET", "/api/v1/pay/prepay/"+pr+"?redirect_url="+url.QueryEscape(c.redirect), nil)
			if r.Status != 200 || r.Str("redirect_url") != c.want || r.Str("prepay_id") != pr {
				t.Errorf("redirect_url %q: %d %s, want %q", c.redirect, r.Status, r.Body, c.want)
			}
		}
	})
}

// An App order's payment parameters are checked before the payer sees it:
// the sign over appid\ntimestamp\nnoncestr\nprepayid\n with the merchant's
// key, package Sign=WXPay, partnerid the merchant.
func TestAppPaymentRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{Tune: fastNotify}, func(t *testing.T, n *node.Node) {
		s := newShop(t, n, "appshop")
		ann := buyer(t, n, "ann", 5_000)
		prepay, err := s.client.PrepayApp(ctx, plazapay.AppRequest{AppID: "wx" + s.mchid, Description: "In-app tea", OutTradeNo: "APPPAY0001",
			NotifyURL: s.notify, Amount: plazapay.Amount{Total: 300}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.client.AppPayment("wx"+s.mchid, prepay)
		if err != nil {
			t.Fatal(err)
		}
		for what, mutate := range map[string]func(*plazapay.AppPaymentParams){
			"a forged sign": func(q *plazapay.AppPaymentParams) { q.NonceStr = "forged" },
			"the prefixed prepay_id": func(q *plazapay.AppPaymentParams) {
				q.Sign, _ = plazapay.AppPaySign(mkey(t), q.AppID, q.TimeStamp, q.NonceStr, "prepay_id="+q.PrepayID)
			},
			"another partnerid": func(q *plazapay.AppPaymentParams) { q.PartnerID = "1600000000" },
			"another package":   func(q *plazapay.AppPaymentParams) { q.Package = "prepay_id=" + q.PrepayID },
			"another app":       func(q *plazapay.AppPaymentParams) { q.AppID = "wxother" },
		} {
			q := p
			mutate(&q)
			if r := ann.Do(t, "POST", "/api/v1/pay/app-request", q); r.Status != 422 || r.Code() != "bad_pay_sign" {
				t.Errorf("%s: %d %s", what, r.Status, r.Body)
			}
		}
		r := ann.Do(t, "POST", "/api/v1/pay/app-request", p)
		if r.Status != 200 || r.Str("prepay_id") != prepay || r.Str("trade_type") != "APP" {
			t.Fatalf("app request: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": prepay, "pin": "112233"}); r.Status != 200 {
			t.Fatalf("confirm: %d %s", r.Status, r.Body)
		}
		if ev := s.next(t, "TRANSACTION.SUCCESS"); ev["out_trade_no"] != "APPPAY0001" || ev["trade_type"] != "APP" {
			t.Fatalf("notification: %v", ev)
		}
	})
}

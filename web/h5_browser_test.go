package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// L8: after an H5 payment the pay page returns the buyer only to an
// address on the order's merchant's host (its notify_url's); a link edited
// to send the buyer elsewhere leaves them on Plaza.
func TestH5PayReturnsOnlyToTheMerchant(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	ctx := context.Background()

	client := newMerchantClient(t, n, "h5shop", "wxh5shop")
	page := func(id string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<!doctype html><p id="` + id + `">` + id + `</p>`))
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	shopSite, elsewhere := page("shop-back"), page("elsewhere")

	order := func(no string) string {
		h5, err := client.PrepayH5(ctx, plazapay.H5Request{AppID: "wxh5shop", Description: "Oolong", OutTradeNo: no,
			NotifyURL: shopSite.URL + "/notify", Amount: plazapay.Amount{Total: 100},
			SceneInfo: plazapay.H5SceneInfo{PayerClientIP: "127.0.0.1", H5Info: plazapay.H5Info{Type: "Wap"}}})
		if err != nil {
			t.Fatal(err)
		}
		return h5
	}
	buyer := nodetest.Signup(t, n.URL(), "buyer")
	buyer.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "147258", "password": "correct horse"})
	buyer.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 10_000, "currency": "CNY"}, "Idempotency-Key", "seed")
	phone := bt.New(t, alloc, "buyer", bt.Phone)
	login(phone, n.URL(), "buyer")

	phone.Run("opening an H5 link edited to return elsewhere",
		chromedp.Navigate(order("H5L8000001")+"&redirect_url="+url.QueryEscape(elsewhere.URL+"/phish")), bt.Visible("#pay-confirm"))
	phone.Run("paying", bt.Click("#pay-confirm"))
	enterPIN(phone, "147258")
	phone.Run("seeing it paid", bt.Visible("#pay-success"))
	if got := phone.Count("#pay-return"); got != "0" {
		t.Fatalf("the pay page offers to return to %v", phone.Attrs("#pay-return", "href"))
	}

	phone.Run("opening the shop's own H5 link",
		chromedp.Navigate(order("H5L8000002")+"&redirect_url="+url.QueryEscape(shopSite.URL+"/order/H5L8000002")), bt.Visible("#pay-confirm"))
	phone.Run("paying", bt.Click("#pay-confirm"))
	enterPIN(phone, "147258")
	phone.Run("returning to the shop", bt.Visible("#shop-back"))
}

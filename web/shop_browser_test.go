package web_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/examples/shop/shop"
	"github.com/plaza-dev/plaza/internal/node"
	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// The shop shows a QR code; the buyer opens its code_url in Plaza and
// confirms with the PIN; the shop's page turns to paid (from the verified
// notification).
func TestShopQRPaidInPlaza(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})

	client := newMerchantClient(t, n, "teahouse", "wxshop")
	var s *shop.Shop
	srv := httptest.NewServer(nil)
	s = shop.New(shop.Config{Client: client, AppID: "wxshop", PublicURL: srv.URL})
	srv.Config.Handler = s.Handler()
	t.Cleanup(srv.Close)

	buyer := nodetest.Signup(t, n.URL(), "buyer")
	buyer.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "147258", "password": "correct horse"})
	buyer.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 10_000, "currency": "CNY"}, "Idempotency-Key", "seed")

	shopB := bt.New(t, alloc, "shop", bt.Desktop)
	shopB.Run("buying tea", chromedp.Navigate(srv.URL), bt.Visible("#buy-oolong"), bt.Click("#buy-oolong"), bt.Visible("#code-url"))
	shopB.Screenshot("qr")
	codeURL := shopB.Attrs("#code-url", "href")[0]

	phone := bt.New(t, alloc, "buyer", bt.Phone)
	login(phone, n.URL(), "buyer")
	phone.Run("opening the code_url", chromedp.Navigate(codeURL), bt.Visible("#pay-confirm"))
	if got := phone.Text("#pay-amount"); got != "¥38.00" {
		t.Fatalf("the pay page asks %q", got)
	}
	phone.Screenshot("confirm")
	phone.Run("paying", bt.Click("#pay-confirm"))
	enterPIN(phone, "147258")
	phone.Run("seeing it paid", bt.Visible("#pay-success"))
	phone.Screenshot("paid")

	shopB.Run("the shop sees it paid", bt.Visible(`#order-status[data-status="paid"]`))
	shopB.Screenshot("paid")
}

func userID(t *testing.T, c *nodetest.Client) string {
	t.Helper()
	return c.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
}

// newMerchantClient signs up owner, makes them the merchant "Leaf & Clay"
// with a fresh RSA key bound to appid, and returns its plazapay client.
func newMerchantClient(t *testing.T, n *node.Node, owner, appid string) *plazapay.Client {
	t.Helper()
	ctx := context.Background()
	uid := userID(t, nodetest.Signup(t, n.URL(), owner))
	m, err := n.Merchant.CreateMerchant(ctx, uid, "Leaf & Clay", "CN")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	pub, _ := plazapay.PublicKeyPEM(&key.PublicKey)
	const apiV3 = "0123456789abcdefghijklmnopqrstuv"
	if err := n.Merchant.SetCredentials(ctx, uid, m.MchID, string(pub), "ABCDEF01", apiV3); err != nil {
		t.Fatal(err)
	}
	if err := n.Merchant.BindApp(ctx, uid, m.MchID, appid); err != nil {
		t.Fatal(err)
	}
	platform, _ := plazapay.ParsePublicKeyPEM([]byte(n.Merchant.PlatformKeyPEM()))
	client, err := plazapay.NewClient(plazapay.Config{BaseURL: n.URL(), MchID: m.MchID, SerialNo: "ABCDEF01", PrivateKey: key,
		PlatformKey: platform, PlatformKeyID: n.Merchant.PlatformKeyID(), APIv3Key: apiV3})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

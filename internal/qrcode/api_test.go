package qrcode_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

func resolve(t *testing.T, c *nodetest.Client, payload string) *nodetest.Response {
	t.Helper()
	return c.Do(t, "GET", "/api/v1/qr/resolve?payload="+url.QueryEscape(payload), nil)
}

func balance(t *testing.T, c *nodetest.Client) float64 {
	t.Helper()
	for _, b := range c.Do(t, "GET", "/api/v1/wallet", nil).Get("balances").([]any) {
		if m := b.(map[string]any); m["currency"] == "CNY" {
			return m["amount"].(float64)
		}
	}
	return 0
}

// My QR code resolves to me, for anyone who scans it, and its image is a
// PNG; a forged or tampered token resolves to nobody.
func TestContactCode(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		alice := nodetest.Signup(t, n.URL(), "alice")
		bob := nodetest.Signup(t, n.URL(), "bob")
		mine := alice.Do(t, "GET", "/api/v1/me/qrcode", nil)
		payload, img := mine.Str("payload"), mine.Str("url")
		if mine.Status != 200 || !strings.HasPrefix(payload, n.URL()+"/u/") || !strings.HasPrefix(img, "/api/v1/qr.png?payload=") {
			t.Fatalf("my code: %d %s", mine.Status, mine.Body)
		}
		if again := alice.Do(t, "GET", "/api/v1/me/qrcode", nil).Str("payload"); again != payload {
			t.Fatalf("my code changed: %s then %s", payload, again)
		}
		t.Run("ok", func(t *testing.T) {
			r := resolve(t, bob, payload)
			if r.Status != 200 || r.Str("kind") != "contact" || r.Str("user.username") != "alice" || r.Str("path") != strings.TrimPrefix(payload, n.URL()) {
				t.Fatalf("resolve: %d %s", r.Status, r.Body)
			}
			if r.Str("user.region") != "" {
				t.Fatalf("a stranger sees alice's region: %s", r.Body)
			}
			// The path alone (the client's /u/… page) resolves the same.
			if p := resolve(t, bob, r.Str("path")); p.Str("user.id") != r.Str("user.id") {
				t.Fatalf("the path resolves to %s", p.Body)
			}
			// localhost is the same loopback node.
			if l := resolve(t, bob, strings.Replace(payload, "127.0.0.1", "localhost", 1)); l.Status != 200 {
				t.Fatalf("localhost: %d %s", l.Status, l.Body)
			}
		})
		t.Run("image", func(t *testing.T) {
			r := bob.Do(t, "GET", img, nil)
			if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" {
				t.Fatalf("png: %d %s", r.Status, r.Header)
			}
			im, err := png.Decode(bytes.NewReader(r.Body))
			if err != nil || im.Bounds().Dx() < 200 || im.Bounds().Dx() != im.Bounds().Dy() {
				t.Fatalf("png: %v %v", err, im)
			}
			if f := bob.Do(t, "GET", "/api/v1/qr.png?payload="+url.QueryEscape("https://evil.example/u/x"), nil); f.Status != 400 || f.Code() != "not_a_plaza_code" {
				t.Fatalf("a foreign image: %d %s", f.Status, f.Body)
			}
		})
		t.Run("forged", func(t *testing.T) {
			bobs := bob.Do(t, "GET", "/api/v1/me/qrcode", nil).Str("payload")
			aliceID, mac, _ := strings.Cut(strings.TrimPrefix(payload, n.URL()+"/u/"), "-")
			bobID, bobMAC, _ := strings.Cut(strings.TrimPrefix(bobs, n.URL()+"/u/"), "-")
			flip := []byte(mac)
			flip[3] ^= 1
			for name, p := range map[string]string{
				"tampered_mac":     n.URL() + "/u/" + aliceID + "-" + string(flip),
				"other_users_mac":  n.URL() + "/u/" + aliceID + "-" + bobMAC,
				"swapped_user":     n.URL() + "/u/" + bobID + "-" + mac,
				"no_mac":           n.URL() + "/u/" + aliceID,
				"short_mac":        n.URL() + "/u/" + aliceID + "-" + mac[:10],
				"contact_as_money": n.URL() + "/r/" + aliceID + "-" + mac,
				"made_up_user":     n.URL() + "/u/u_nobody-" + mac,
				"group_with_more":  n.URL() + "/g/abc/extra",
			} {
				if r := resolve(t, bob, p); r.Status != 404 || r.Code() != "not_found" {
					t.Errorf("%s: %d %s", name, r.Status, r.Body)
				}
			}
		})
		t.Run("signed_out", func(t *testing.T) {
			anon := nodetest.NewClient(n.URL())
			for _, p := range []string{"/api/v1/me/qrcode", "/api/v1/qr/resolve?payload=" + url.QueryEscape(payload), img, "/api/v1/wallet/receive-code"} {
				if r := anon.Do(t, "GET", p, nil); r.Status != 401 {
					t.Errorf("%s signed out: %d", p, r.Status)
				}
			}
		})
	})
}

// A receive-money code for ¥8.88 tells the payer who and how much; paying
// it with one Idempotency-Key moves exactly ¥8.88 once, however often it
// is retried. Its amount cannot be changed, and an open code has none.
func TestReceiveMoneyCode(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		alice := nodetest.Signup(t, n.URL(), "alice")
		bob := nodetest.Signup(t, n.URL(), "bob")
		bob.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "135790", "password": "correct horse"})
		bob.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 10_000, "currency": "CNY"}, "Idempotency-Key", "seed")

		c := alice.Do(t, "GET", "/api/v1/wallet/receive-code?amount=888&currency=CNY", nil)
		if c.Status != 200 || c.Get("amount") != 888.0 || c.Str("currency") != "CNY" || !strings.HasPrefix(c.Str("payload"), n.URL()+"/r/") {
			t.Fatalf("receive code: %d %s", c.Status, c.Body)
		}
		r := resolve(t, bob, c.Str("payload"))
		if r.Status != 200 || r.Str("kind") != "receive_money" || r.Get("amount") != 888.0 || r.Str("currency") != "CNY" ||
			r.Str("user.username") != "alice" || !strings.HasPrefix(r.Str("path"), "/r/") {
			t.Fatalf("resolve: %d %s", r.Status, r.Body)
		}
		t.Run("paid_once", func(t *testing.T) {
			body := map[string]any{"username": r.Str("user.username"), "amount": r.Get("amount"), "currency": r.Str("currency"), "note": "", "pin": "135790"}
			first := bob.Do(t, "POST", "/api/v1/wallet/transfers", body, "Idempotency-Key", "scan-1")
			again := bob.Do(t, "POST", "/api/v1/wallet/transfers", body, "Idempotency-Key", "scan-1")
			if first.Status != 201 || again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" || again.Str("transaction.id") != first.Str("transaction.id") {
				t.Fatalf("pay: %d %s / %d %s", first.Status, first.Body, again.Status, again.Body)
			}
			if a, b := balance(t, alice), balance(t, bob); a != 888 || b != 10_000-888 {
				t.Fatalf("balances: alice %v bob %v", a, b)
			}
		})
		t.Run("tampered_amount", func(t *testing.T) {
			p := strings.Replace(c.Str("payload"), "-888-CNY-", "-1-CNY-", 1)
			if x := resolve(t, bob, p); x.Status != 404 {
				t.Fatalf("a changed amount resolves: %d %s", x.Status, x.Body)
			}
			p = strings.Replace(c.Str("payload"), "-888-CNY-", "-888-USD-", 1)
			if x := resolve(t, bob, p); x.Status != 404 {
				t.Fatalf("a changed currency resolves: %d %s", x.Status, x.Body)
			}
		})
		t.Run("open", func(t *testing.T) {
			o := alice.Do(t, "GET", "/api/v1/wallet/receive-code", nil)
			x := resolve(t, bob, o.Str("payload"))
			if o.Status != 200 || x.Status != 200 || x.Get("amount") != nil || x.Str("currency") != "CNY" || x.Str("kind") != "receive_money" {
				t.Fatalf("open code: %s / %d %s", o.Body, x.Status, x.Body)
			}
			u := alice.Do(t, "GET", "/api/v1/wallet/receive-code?currency=usd", nil)
			if y := resolve(t, bob, u.Str("payload")); y.Str("currency") != "USD" || y.Get("amount") != nil {
				t.Fatalf("open USD code: %s", y.Body)
			}
		})
		t.Run("bad_amounts", func(t *testing.T) {
			for _, q := range []string{"amount=0", "amount=-5", "amount=1.5", "amount=abc", "amount=100&currency=XYZ", "amount=100000000000"} {
				if x := alice.Do(t, "GET", "/api/v1/wallet/receive-code?"+q, nil); x.Status != 400 || x.Code() != "invalid_argument" {
					t.Errorf("%s: %d %s", q, x.Status, x.Body)
				}
			}
		})
	})
}

// A shop's Native code_url resolves to its pay page with the order; group
// invites are recognised; everything not Plaza's is refused, and nothing
// huge is read.
func TestResolveOtherCodes(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		bob := nodetest.Signup(t, n.URL(), "bob")
		client := merchantClient(t, n, "teahouse", "wxshop")
		codeURL, err := client.PrepayNative(context.Background(), plazapay.NativeRequest{AppID: "wxshop", Description: "Oolong 250g",
			OutTradeNo: "QR20261202001", NotifyURL: "http://127.0.0.1:1/notify", Amount: plazapay.Amount{Total: 3_800}})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("merchant", func(t *testing.T) {
			r := resolve(t, bob, codeURL)
			u, _ := url.Parse(codeURL)
			if r.Status != 200 || r.Str("kind") != "merchant_pay" || r.Str("path") != "/pay?pr="+u.Query().Get("pr") ||
				r.Str("prepay.merchant.name") != "Leaf & Clay" || r.Get("prepay.amount.amount") != 3800.0 {
				t.Fatalf("code_url: %d %s", r.Status, r.Body)
			}
			if x := resolve(t, bob, n.URL()+"/pay?pr=wx_no_such_order"); x.Status != 404 {
				t.Fatalf("a made-up order: %d %s", x.Status, x.Body)
			}
			if x := resolve(t, bob, n.URL()+"/pay?pr="); x.Status != 404 {
				t.Fatalf("no order: %d %s", x.Status, x.Body)
			}
		})
		t.Run("group", func(t *testing.T) {
			r := resolve(t, bob, n.URL()+"/g/AbC123xyz")
			if r.Status != 200 || r.Str("kind") != "group" || r.Str("path") != "/g/AbC123xyz" {
				t.Fatalf("group: %d %s", r.Status, r.Body)
			}
		})
		t.Run("not_plaza", func(t *testing.T) {
			port := n.URL()[strings.LastIndex(n.URL(), ":")+1:]
			for _, p := range []string{
				"https://evil.example/u/u_x-abc",
				"https://evil.example/pay?pr=x",
				"http://127.0.0.2.evil.example:" + port + "/g/abc",
				"http://127.0.0.1:1/g/abc",
				"weixin://wxpay/bizpayurl?pr=abc",
				"javascript:alert(1)",
				"data:text/html,hi",
				"hello world",
				"WIFI:S:home;T:WPA;P:secret;;",
				"//evil.example/g/abc",
				n.URL() + "/chats",
				"http://alice@" + strings.TrimPrefix(n.URL(), "http://") + "/g/abc",
				"ftp://" + strings.TrimPrefix(n.URL(), "http://") + "/g/abc",
			} {
				if r := resolve(t, bob, p); r.Status != 400 || r.Code() != "not_a_plaza_code" {
					t.Errorf("%q: %d %s", p, r.Status, r.Body)
				}
			}
		})
		t.Run("huge_or_empty", func(t *testing.T) {
			for name, p := range map[string]string{"huge": n.URL() + "/g/" + strings.Repeat("a", 5000), "empty": "", "blank": "  "} {
				if r := resolve(t, bob, p); r.Status != http.StatusBadRequest || r.Code() != "invalid_argument" {
					t.Errorf("%s: %d %s", name, r.Status, r.Body)
				}
			}
		})
	})
}

// merchantClient signs up owner, makes them the merchant "Leaf & Clay"
// with a fresh key bound to appid, and returns its plazapay client.
func merchantClient(t *testing.T, n *node.Node, owner, appid string) *plazapay.Client {
	t.Helper()
	ctx := context.Background()
	uid := nodetest.Signup(t, n.URL(), owner).Do(t, "GET", "/api/v1/me", nil).Str("user.id")
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

// Behind a public URL the codes carry it, and only it is Plaza's host:
// neither the address the node listens on nor a Host header a request
// brings makes another host's code Plaza's.
func TestPublicURLIsTheOnlyHost(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) { c.PublicURL = "https://plaza.example.com" }})
	alice := nodetest.Signup(t, n.URL(), "alice")
	bob := nodetest.Signup(t, n.URL(), "bob")
	p := alice.Do(t, "GET", "/api/v1/me/qrcode", nil).Str("payload")
	if !strings.HasPrefix(p, "https://plaza.example.com/u/") {
		t.Fatalf("my code: %s", p)
	}
	if r := resolve(t, bob, p); r.Status != 200 || r.Str("user.username") != "alice" {
		t.Fatalf("resolve: %d %s", r.Status, r.Body)
	}
	token := strings.TrimPrefix(p, "https://plaza.example.com")
	if r := resolve(t, bob, n.URL()+token); r.Status != 400 || r.Code() != "not_a_plaza_code" {
		t.Fatalf("the listener's address: %d %s", r.Status, r.Body)
	}
	// Go's client sends req.Host as the Host header.
	req, _ := http.NewRequest("GET", n.URL()+"/api/v1/qr/resolve?payload="+url.QueryEscape("https://evil.example"+token), nil)
	req.Host = "evil.example"
	req.Header.Set("Authorization", "Bearer "+bob.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Error struct{ Code string } }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 400 || body.Error.Code != "not_a_plaza_code" {
		t.Fatalf("a Host header's host: %d %+v", resp.StatusCode, body)
	}
}

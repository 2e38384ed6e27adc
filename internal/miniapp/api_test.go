package miniapp_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

func pkg(appid string, code int) []byte { return pkgCode(appid, int64(code)) }

func pkgCode(appid string, code int64) []byte {
	files := map[string]string{
		"manifest.json": fmt.Sprintf(`{"app_id":%q,"name":"Gadget Store","icons":[{"src":"icon.png"}],"pages":["pages/index"],
			"platform_version":{"min_code":1},"version":{"code":%d,"name":"1.0.%d"}}`, appid, code, code),
		"app.js": "", "app.css": "", "icon.png": "png", "pages/index.html": "<h1>Gadgets</h1>",
	}
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range files {
		f, _ := w.Create(name)
		f.Write([]byte(body))
	}
	w.Close()
	return b.Bytes()
}

func upload(t *testing.T, c *nodetest.Client, appid string, data []byte) *nodetest.Response {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("package", "app.zip")
	part.Write(data)
	w.Close()
	return c.Do(t, "POST", "/api/v1/miniapps/"+appid+"/versions", body.Bytes(), "Content-Type", w.FormDataContentType())
}

func admin(t *testing.T, n *node.Node) *nodetest.Client {
	if _, err := n.Accounts.CreateAdmin(context.Background(), "reviewer", "correct horse", "US"); err != nil {
		t.Fatal(err)
	}
	c := nodetest.NewClient(n.URL())
	r := c.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "reviewer", "password": "correct horse"})
	c.Token = r.Str("token")
	return c
}

// released makes an app through the whole lifecycle and returns its id
// and secret.
func released(t *testing.T, n *node.Node, dev, adm *nodetest.Client) (string, string) {
	r := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Gadget Store", "description": "Phones and more", "request_domains": []string{"https://api.gadgets.example"}})
	if r.Status != 201 || r.Str("appid") == "" || r.Str("secret") == "" {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	appid, secret := r.Str("appid"), r.Str("secret")
	if r := upload(t, dev, appid, pkg(appid, 1)); r.Status != 201 || r.Get("version.code").(float64) != 1 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	if r := dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/versions/1/submit", nil); r.Status != 200 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	if r := adm.Do(t, "POST", "/api/v1/admin/miniapps/"+appid+"/versions/1/approve", map[string]string{"reason": "ok"}); r.Status != 200 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	if r := dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/versions/1/release", nil); r.Status != 200 {
		t.Fatalf("release: %d %s", r.Status, r.Body)
	}
	return appid, secret
}

func TestLifecycleAndDirectory(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		adm := admin(t, n)
		other := nodetest.Signup(t, n.URL(), "other")
		r := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Draft", "request_domains": []string{}})
		draft := r.Str("appid")
		cases := []struct {
			name   string
			do     func() *nodetest.Response
			status int
		}{
			{"bad_domain", func() *nodetest.Response {
				return dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "X", "request_domains": []string{"ftp://x"}})
			}, 400},
			{"wrong_app_id_in_manifest", func() *nodetest.Response { return upload(t, dev, draft, pkg("mpOTHER", 1)) }, 400},
			{"not_a_zip", func() *nodetest.Response { return upload(t, dev, draft, []byte("hello")) }, 400},
			{"someone_elses_app", func() *nodetest.Response { return upload(t, other, draft, pkg(draft, 1)) }, 404},
			{"submit_missing_version", func() *nodetest.Response {
				return dev.Do(t, "POST", "/api/v1/miniapps/"+draft+"/versions/9/submit", nil)
			}, 404},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if r := tc.do(); r.Status != tc.status {
					t.Fatalf("got %d %s, want %d", r.Status, r.Body, tc.status)
				}
			})
		}
		upload(t, dev, draft, pkg(draft, 2))
		if r := upload(t, dev, draft, pkg(draft, 2)); r.Status != 409 {
			t.Fatalf("the same version.code again: %d", r.Status)
		}
		if r := dev.Do(t, "POST", "/api/v1/miniapps/"+draft+"/versions/2/release", nil); r.Status != 409 {
			t.Fatalf("releasing an unreviewed version: %d", r.Status)
		}
		dev.Do(t, "POST", "/api/v1/miniapps/"+draft+"/versions/2/submit", nil)
		if r := dev.Do(t, "POST", "/api/v1/admin/miniapps/"+draft+"/versions/2/approve", nil); r.Status != 403 {
			t.Fatalf("a developer approved: %d", r.Status)
		}
		if r := adm.Do(t, "POST", "/api/v1/admin/miniapps/"+draft+"/versions/2/reject", map[string]string{}); r.Status != 400 {
			t.Fatalf("rejecting without a reason: %d", r.Status)
		}
		if r := adm.Do(t, "POST", "/api/v1/admin/miniapps/"+draft+"/versions/2/reject", map[string]string{"reason": "Icon missing"}); r.Str("version.status") != "rejected" {
			t.Fatalf("reject: %s", r.Body)
		}
		appid, _ := released(t, n, dev, adm)
		d := other.Do(t, "GET", "/api/v1/miniapps?q=gadget", nil)
		items := d.Get("items").([]any)
		if len(items) != 1 || items[0].(map[string]any)["appid"] != appid {
			t.Fatalf("directory: %s", d.Body)
		}
		if d := other.Do(t, "GET", "/api/v1/miniapps?category=Games", nil); len(d.Get("items").([]any)) != 0 {
			t.Fatalf("category filter: %s", d.Body)
		}
		if d := other.Do(t, "GET", "/api/v1/miniapps?q=nothing-like-it", nil); len(d.Get("items").([]any)) != 0 {
			t.Fatalf("search: %s", d.Body)
		}
	})
}

func TestLoginConsentStorage(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		appid, secret := released(t, n, dev, admin(t, n))
		ann := nodetest.Signup(t, n.URL(), "ann")
		ben := nodetest.Signup(t, n.URL(), "ben")
		code := ann.Do(t, "POST", "/api/v1/miniapps/"+appid+"/code", nil).Str("code")
		anon := nodetest.NewClient(n.URL())
		sess := func(secret, code string) *nodetest.Response {
			return anon.Do(t, "GET", "/sns/jscode2session?appid="+appid+"&secret="+secret+"&js_code="+code+"&grant_type=authorization_code", nil)
		}
		if r := sess("wrong-secret", code); r.Get("errcode").(float64) != 40125 {
			t.Fatalf("wrong secret: %s", r.Body)
		}
		r := sess(secret, code)
		annID := ann.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		if r.Str("openid") != n.Merchant.OpenID(appid, annID) || r.Str("session_key") == "" || r.Str("unionid") == "" {
			t.Fatalf("session: %s", r.Body)
		}
		if again := sess(secret, code); again.Get("errcode").(float64) != 40163 {
			t.Fatalf("a code used twice: %s", again.Body)
		}
		if r := sess(secret, "forged"); r.Get("errcode").(float64) != 40029 {
			t.Fatalf("a forged code: %s", r.Body)
		}
		// Consent gates the profile.
		if r := ann.Do(t, "GET", "/api/v1/miniapps/"+appid+"/profile", nil); r.Status != 403 {
			t.Fatalf("profile without consent: %d", r.Status)
		}
		ann.Do(t, "PUT", "/api/v1/miniapps/"+appid+"/consents/userInfo", nil)
		if r := ann.Do(t, "GET", "/api/v1/miniapps/"+appid+"/profile", nil); r.Status != 200 || r.Str("nickname") != "Ann" {
			t.Fatalf("profile: %d %s", r.Status, r.Body)
		}
		ann.Do(t, "DELETE", "/api/v1/miniapps/"+appid+"/consents/userInfo", nil)
		if r := ann.Do(t, "GET", "/api/v1/miniapps/"+appid+"/profile", nil); r.Status != 403 {
			t.Fatalf("profile after revoking: %d", r.Status)
		}
		// Storage is per user per app.
		if r := ann.Do(t, "PUT", "/api/v1/miniapps/"+appid+"/storage/cart", map[string]any{"value": []any{map[string]any{"sku": "p1", "qty": 2}}}); r.Status != 204 {
			t.Fatalf("set: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "GET", "/api/v1/miniapps/"+appid+"/storage/cart", nil); !strings.Contains(string(r.Body), `"sku":"p1"`) {
			t.Fatalf("get: %s", r.Body)
		}
		if r := ben.Do(t, "GET", "/api/v1/miniapps/"+appid+"/storage/cart", nil); r.Status != 404 {
			t.Fatalf("ben read ann's cart: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "PUT", "/api/v1/miniapps/"+appid+"/storage/big", `{"value":"`+strings.Repeat("a", 1<<20)+`"}`); r.Status != 413 {
			t.Fatalf("over 1 MiB: %d", r.Status)
		}
		if r := ann.Do(t, "PUT", "/api/v1/miniapps/"+appid+"/storage/bad", `{"value":}`); r.Status != 400 {
			t.Fatalf("not JSON: %d", r.Status)
		}
		ann.Do(t, "DELETE", "/api/v1/miniapps/"+appid+"/storage/cart", nil)
		if r := ann.Do(t, "GET", "/api/v1/miniapps/"+appid+"/storage/cart", nil); r.Status != 404 {
			t.Fatalf("after removing: %d", r.Status)
		}
	})
}

func TestPaymentRequest(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ctx := context.Background()
		dev := nodetest.Signup(t, n.URL(), "developer")
		appid, _ := released(t, n, dev, admin(t, n))
		devID := dev.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		m, _ := n.Merchant.CreateMerchant(ctx, devID, "Gadget Co", "CN")
		key, _ := rsa.GenerateKey(rand.Reader, 2048)
		pub, _ := plazapay.PublicKeyPEM(&key.PublicKey)
		const apiV3 = "0123456789abcdefghijklmnopqrstuv"
		if err := n.Merchant.SetCredentials(ctx, devID, m.MchID, string(pub), "ABCD", apiV3); err != nil {
			t.Fatal(err)
		}
		n.Merchant.BindApp(ctx, devID, m.MchID, appid)
		n.Merchant.BindApp(ctx, devID, m.MchID, "wxotherapp")
		platform, _ := plazapay.ParsePublicKeyPEM([]byte(n.Merchant.PlatformKeyPEM()))
		client, _ := plazapay.NewClient(plazapay.Config{BaseURL: n.URL(), MchID: m.MchID, SerialNo: "ABCD", PrivateKey: key,
			PlatformKey: platform, PlatformKeyID: n.Merchant.PlatformKeyID(), APIv3Key: apiV3})
		ann := nodetest.Signup(t, n.URL(), "ann")
		annID := ann.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		order := func(app, no string) string {
			id, err := client.PrepayJSAPI(ctx, plazapay.JSAPIRequest{AppID: app, Description: "Phone case", OutTradeNo: no,
				NotifyURL: "http://127.0.0.1:1/n", Amount: plazapay.Amount{Total: 1_999}, Payer: plazapay.Payer{OpenID: n.Merchant.OpenID(app, annID)}})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		prepay := order(appid, "MP00000001")
		params, err := client.RequestPayment(appid, prepay)
		if err != nil {
			t.Fatal(err)
		}
		send := func(p plazapay.PaymentParams) *nodetest.Response {
			return ann.Do(t, "POST", "/api/v1/miniapps/"+appid+"/payment-request", p)
		}
		if r := send(params); r.Status != 200 || r.Str("merchant.name") != "Gadget Co" || r.Get("amount.amount").(float64) != 1_999 {
			t.Fatalf("payment request: %d %s", r.Status, r.Body)
		}
		tampered := params
		tampered.NonceStr = "another-nonce"
		if r := send(tampered); r.Status != 422 || r.Code() != "bad_pay_sign" {
			t.Fatalf("tampered: %d %s", r.Status, r.Body)
		}
		foreign, _ := client.RequestPayment(appid, order("wxotherapp", "MP00000002"))
		if r := send(foreign); r.Code() != "bad_pay_sign" {
			t.Fatalf("another app's order: %d %s", r.Status, r.Body)
		}
		stale := params
		stale.TimeStamp = strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
		if r := send(stale); r.Code() != "bad_pay_sign" {
			t.Fatalf("stale: %d %s", r.Status, r.Body)
		}
	})
}

func TestHostingOnTheAppsOrigin(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		appid, _ := released(t, n, dev, admin(t, n))
		_, port, _ := strings.Cut(strings.TrimPrefix(n.URL(), "http://"), ":")
		get := func(host, path string) (int, string, string) {
			req, _ := http.NewRequest("GET", n.URL()+path, nil)
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b), resp.Header.Get("Content-Security-Policy")
		}
		host := appid + ".apps.localhost:" + port
		status, body, csp := get(host, "/")
		if status != 200 || !strings.Contains(body, "Gadgets") || !strings.Contains(body, `/__plaza/sdk.js`) {
			t.Fatalf("start page: %d %s", status, body)
		}
		for _, want := range []string{"connect-src https://api.gadgets.example", "frame-ancestors http://localhost:" + port, "script-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Fatalf("CSP %q lacks %q", csp, want)
			}
		}
		if status, _, _ := get(host, "/manifest.json"); status != 404 {
			t.Fatalf("manifest served: %d", status)
		}
		if status, body, _ := get(host, "/__plaza/sdk.js"); status != 200 || body == "" {
			t.Fatalf("bridge: %d", status)
		}
		if status, _, _ := get("mpnosuchapp.apps.localhost:"+port, "/"); status != 404 {
			t.Fatalf("unknown app: %d", status)
		}
		if status, body, _ := get(host, "/api/v1/me"); status == 200 || strings.Contains(body, "csrf") {
			t.Fatalf("Plaza's API answered on the app's origin: %d %s", status, body)
		}
	})
}

func TestDeveloperListsAndSecretRotation(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		appid, secret := released(t, n, dev, admin(t, n))
		if r := dev.Do(t, "GET", "/api/v1/miniapps/mine", nil); len(r.Get("items").([]any)) != 1 {
			t.Fatalf("mine: %s", r.Body)
		}
		if r := dev.Do(t, "GET", "/api/v1/miniapps/"+appid+"/versions", nil); r.Get("items").([]any)[0].(map[string]any)["status"] != "released" {
			t.Fatalf("versions: %s", r.Body)
		}
		other := nodetest.Signup(t, n.URL(), "other")
		if r := other.Do(t, "GET", "/api/v1/miniapps/"+appid+"/versions", nil); r.Status != 404 {
			t.Fatalf("another developer's versions: %d", r.Status)
		}
		if r := other.Do(t, "POST", "/api/v1/miniapps/"+appid+"/secret", nil); r.Status != 404 {
			t.Fatalf("another developer rotated the secret: %d", r.Status)
		}
		fresh := dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/secret", nil).Str("secret")
		code := other.Do(t, "POST", "/api/v1/miniapps/"+appid+"/code", nil).Str("code")
		anon := nodetest.NewClient(n.URL())
		if r := anon.Do(t, "GET", "/sns/jscode2session?appid="+appid+"&secret="+secret+"&js_code="+code, nil); r.Get("errcode").(float64) != 40125 {
			t.Fatalf("the old secret still works: %s", r.Body)
		}
		if r := anon.Do(t, "GET", "/sns/jscode2session?appid="+appid+"&secret="+fresh+"&js_code="+code, nil); r.Str("openid") == "" {
			t.Fatalf("the new secret: %s", r.Body)
		}
		other.Do(t, "PUT", "/api/v1/miniapps/"+appid+"/consents/userInfo", nil)
		g := other.Do(t, "GET", "/api/v1/me/miniapps/consents", nil)
		items := g.Get("items").([]any)
		if len(items) != 1 || items[0].(map[string]any)["name"] != "Gadget Store" {
			t.Fatalf("grants: %s", g.Body)
		}
	})
}

// plaza serve --dev-app: an app served from a folder opens like a
// released one, and a change to a file shows on the next request.
func TestDevAppFromFolder(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dir := t.TempDir()
		write := func(name, body string) {
			p := dir + "/" + name
			os.MkdirAll(p[:strings.LastIndex(p, "/")], 0o755)
			os.WriteFile(p, []byte(body), 0o644)
		}
		write("manifest.json", `{"app_id":"mpdevapp","name":"Dev","icons":[{"src":"icon.png"}],"pages":["pages/index"],"platform_version":{"min_code":1},"version":{"code":1,"name":"0.1"}}`)
		write("app.js", "")
		write("app.css", "")
		write("icon.png", "x")
		write("pages/index.html", "<p>first</p>")
		appid, secret, err := n.MiniApps.ServeFolder(dir)
		if err != nil || appid != "mpdevapp" || secret == "" {
			t.Fatalf("%s %s %v", appid, secret, err)
		}
		_, port, _ := strings.Cut(strings.TrimPrefix(n.URL(), "http://"), ":")
		get := func(path string) string {
			req, _ := http.NewRequest("GET", n.URL()+path, nil)
			req.Host = appid + ".apps.localhost:" + port
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		v1 := get("/__plaza/dev-version")
		if body := get("/"); !strings.Contains(body, "first") || !strings.Contains(body, "dev-reload.js") {
			t.Fatalf("page: %s", body)
		}
		write("pages/index.html", "<p>second</p>")
		if body := get("/"); !strings.Contains(body, "second") {
			t.Fatalf("the change did not show: %s", body)
		}
		if get("/__plaza/dev-version") == v1 {
			t.Fatal("the version did not change")
		}
		u := nodetest.Signup(t, n.URL(), "tester")
		if r := u.Do(t, "GET", "/api/v1/miniapps/"+appid, nil); r.Str("app.name") != "Dev" {
			t.Fatalf("open: %s", r.Body)
		}
		code := u.Do(t, "POST", "/api/v1/miniapps/"+appid+"/code", nil).Str("code")
		if r := nodetest.NewClient(n.URL()).Do(t, "GET", "/sns/jscode2session?appid="+appid+"&secret="+secret+"&js_code="+code, nil); r.Str("openid") == "" {
			t.Fatalf("session: %s", r.Body)
		}
	})
}

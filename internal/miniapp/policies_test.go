package miniapp_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// signupIn makes a user of region and returns their client.
func signupIn(t *testing.T, n *node.Node, username, region string) *nodetest.Client {
	t.Helper()
	c := nodetest.NewClient(n.URL())
	r := c.Do(t, "POST", "/api/v1/auth/signup", map[string]string{"username": username, "password": "correct horse", "display_name": username, "region": region})
	if r.Status != http.StatusCreated {
		t.Fatalf("signup %s: %d %s", username, r.Status, r.Body)
	}
	c.Token = r.Str("token")
	return c
}

// inDirectory reports whether appid is in c's directory, searched for q.
func inDirectory(t *testing.T, c *nodetest.Client, q, appid string) bool {
	t.Helper()
	r := c.Do(t, "GET", "/api/v1/miniapps?q="+q, nil)
	if r.Status != 200 {
		t.Fatalf("directory: %d %s", r.Status, r.Body)
	}
	items, _ := r.Get("items").([]any)
	for _, it := range items {
		if it.(map[string]any)["appid"] == appid {
			return true
		}
	}
	return false
}

// A policy withholds an app from the users of its regions only: gone from
// the directory and its search, refused on opening and on its bridge, and
// back at once when cancelled; a scheduled one flips by itself.
func TestPoliciesWithholdApps(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := signupIn(t, n, "developer", "CN")
		adm := admin(t, n)
		appid, _ := released(t, n, dev, adm)
		us, cn := signupIn(t, n, "ursula", "US"), signupIn(t, n, "chen", "CN")
		developerID := dev.Do(t, "GET", "/api/v1/miniapps/"+appid, nil).Str("app.developer_id")

		type view struct {
			listed, found bool
			open, code    int
			openCode      string
		}
		see := func(c *nodetest.Client) view {
			t.Helper()
			o := c.Do(t, "GET", "/api/v1/miniapps/"+appid, nil)
			code := c.Do(t, "POST", "/api/v1/miniapps/"+appid+"/code", nil)
			return view{listed: inDirectory(t, c, "", appid) && inDirectory(t, c, "gadget", appid), found: o.Status != 404,
				open: o.Status, openCode: o.Code(), code: code.Status}
		}
		open := view{listed: true, found: true, open: 200, code: 200}
		for name, c := range map[string]*nodetest.Client{"us": us, "cn": cn} {
			if v := see(c); v != open {
				t.Fatalf("%s before any policy: %+v", name, v)
			}
		}

		policy := func(body map[string]any) string {
			t.Helper()
			r := adm.Do(t, "POST", "/api/v1/admin/policies", body)
			if r.Status != 201 {
				t.Fatalf("policy: %d %s", r.Status, r.Body)
			}
			return r.Str("policy.id")
		}
		cancel := func(id string) {
			t.Helper()
			if r := adm.Do(t, "POST", "/api/v1/admin/policies/"+id+"/cancel", map[string]string{"reason": "suspended by the court"}); r.Status != 200 {
				t.Fatalf("cancel: %d %s", r.Status, r.Body)
			}
		}
		now := time.Now().UTC()

		// Distribution + hosting for US users, from now.
		id := policy(map[string]any{"kind": "block", "target_type": "app", "target_id": appid, "regions": []string{"US"},
			"scopes": []string{"distribution", "hosting"}, "effective_at": now.Format(time.RFC3339Nano), "reason": "Order 13943", "legal_ref": "EO 13943"})
		// The contract: distribution hides the details (404), hosting
		// refuses opening (the login code, the bridge) with 403.
		v := see(us)
		if v.listed || v.open != 404 || v.code != 403 {
			t.Fatalf("US user under the ban: %+v", v)
		}
		// The client's page of the app, loaded afresh, says why.
		if r := us.Do(t, "GET", "/app/"+appid, nil); r.Status != 403 || !strings.Contains(string(r.Body), `id="blocked-by-policy"`) || !strings.Contains(string(r.Body), "Order 13943") {
			t.Fatalf("US user's /app page under the ban: %d %.300s", r.Status, r.Body)
		}
		if r := cn.Do(t, "GET", "/app/"+appid, nil); r.Status != 200 || strings.Contains(string(r.Body), "blocked-by-policy") {
			t.Fatalf("CN user's /app page: %d", r.Status)
		}
		if r := us.Do(t, "GET", "/api/v1/miniapps/"+appid+"/consents", nil); r.Status != 403 || r.Code() != "blocked_by_policy" {
			t.Fatalf("bridge call under the ban: %d %s", r.Status, r.Body)
		}
		if r := us.Do(t, "POST", "/api/v1/miniapps/"+appid+"/payment-request", map[string]string{"timeStamp": "1", "nonceStr": "n", "package": "prepay_id=x", "signType": "RSA", "paySign": "x"}); r.Status != 403 || r.Code() != "blocked_by_policy" {
			t.Fatalf("payment request under the ban: %d %s", r.Status, r.Body)
		}
		if !strings.Contains(us.Do(t, "POST", "/api/v1/miniapps/"+appid+"/code", nil).Str("error.message"), "Order 13943") {
			t.Fatalf("the refusal does not say why")
		}
		if v := see(cn); v != open {
			t.Fatalf("CN user under a US ban: %+v", v)
		}
		// The origin carries no session: a regional policy leaves it served.
		if status, _ := appGet(t, n, appid, "/"); status != 200 {
			t.Fatalf("origin under a US ban: %d", status)
		}
		cancel(id)
		if v := see(us); v != open {
			t.Fatalf("US user after the cancellation: %+v", v)
		}

		// Every region, hosting only: the origin answers the page that says why.
		id = policy(map[string]any{"kind": "block", "target_type": "app", "target_id": appid, "regions": []string{"*"},
			"scopes": []string{"hosting"}, "effective_at": now.Format(time.RFC3339Nano), "reason": "Ordered <closed> & sealed"})
		_, port, _ := strings.Cut(strings.TrimPrefix(n.URL(), "http://"), ":")
		req, _ := http.NewRequest("GET", n.URL()+"/pages/index", nil)
		req.Host = appid + ".apps.localhost:" + port
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			k, err := resp.Body.Read(buf)
			b.WriteString(string(buf[:k]))
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		page, csp := b.String(), resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{`id="blocked-by-policy"`, "Gadget Store is not available in your region", "Ordered &lt;closed&gt; &amp; sealed", now.Format("2 January 2006")} {
			if resp.StatusCode != 403 || !strings.Contains(page, want) {
				t.Fatalf("origin under a ban everywhere: %d, page lacks %q: %s", resp.StatusCode, want, page)
			}
		}
		style := page[strings.Index(page, "<style>")+len("<style>") : strings.Index(page, "</style>")]
		sum := sha256.Sum256([]byte(style))
		if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || !strings.Contains(csp, "default-src 'none'") ||
			strings.Contains(page, "http://") || strings.Contains(page, "https://") || strings.Contains(page, "<script") {
			t.Fatalf("the page is not self-contained under its CSP %q", csp)
		}
		if v := see(cn); v.open != 403 || v.code != 403 || !v.listed {
			t.Fatalf("CN user under a hosting ban everywhere: %+v", v)
		}
		cancel(id)
		if status, body := appGet(t, n, appid, "/"); status != 200 || !strings.Contains(body, "Gadgets") {
			t.Fatalf("origin after the cancellation: %d", status)
		}

		// All of the developer's apps, distribution only, from now + 2 s:
		// nothing changes until then, then the app is gone for US users
		// (404, not listed) by itself.
		id = policy(map[string]any{"kind": "block", "target_type": "developer", "target_id": developerID, "regions": []string{"US"},
			"scopes": []string{"distribution", "payments"}, "effective_at": time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339Nano), "reason": "Order 13943"})
		if v := see(us); v != open {
			t.Fatalf("US user before a scheduled ban: %+v", v)
		}
		nodetest.WaitFor(t, 5*time.Second, func() bool { return !inDirectory(t, us, "", appid) })
		if v := see(us); v.listed || v.open != 404 || v.code != 200 {
			t.Fatalf("US user under a distribution ban: %+v", v)
		}
		pay := func(c *nodetest.Client) *nodetest.Response {
			return c.Do(t, "POST", "/api/v1/miniapps/"+appid+"/payment-request", map[string]string{"timeStamp": "1", "nonceStr": "n", "package": "prepay_id=x", "signType": "RSA", "paySign": "x"})
		}
		if r := pay(us); r.Status != 422 || r.Code() != "blocked_by_policy" {
			t.Fatalf("US payment request under a payments ban: %d %s", r.Status, r.Body)
		}
		if v, r := see(cn), pay(cn); v != open || r.Code() == "blocked_by_policy" {
			t.Fatalf("CN user under a scheduled US ban: %+v, payment request %d %s", v, r.Status, r.Body)
		}
		cancel(id)
		if v := see(us); v != open {
			t.Fatalf("US user after the scheduled ban was cancelled: %+v", v)
		}
	})
}

package account_test

import (
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// Login CSRF: a page elsewhere (another site, or a mini-program's origin
// on the same site) posts a text/plain form whose body is valid JSON
// ({"username":"mallory","password":"abc=def"}) and so signs the victim's
// browser into the attacker's account, or signs up a new one. Sign-in and
// sign-up must be refused when a browser says the request came from
// another origin; clients that send neither header (SDKs, curl) still
// work.
func TestLoginAndSignupRefuseCrossSiteForms(t *testing.T) {
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		nodetest.Signup(t, n.URL(), "mallory") // password "correct horse"
		login := `{"username":"mallory","password":"correct horse"}`
		signup := `{"username":"victim2","password":"abc=defghij","display_name":"V","region":"US"}`
		before := countRows(t, n, "sessions")
		for _, h := range [][]string{
			{"Content-Type", "text/plain", "Sec-Fetch-Site", "cross-site", "Origin", "http://evil.localhost"},
			{"Content-Type", "text/plain", "Sec-Fetch-Site", "same-site", "Origin", "http://wx1234.apps.localhost"},
			{"Content-Type", "text/plain", "Origin", "http://evil.localhost"}, // a browser without Sec-Fetch-*
			{"Content-Type", "text/plain", "Origin", "null"},
		} {
			for path, body := range map[string]string{"/api/v1/auth/login": login, "/api/v1/auth/signup": signup} {
				c := nodetest.NewClient(n.URL())
				r := c.Do(t, "POST", path, body, h...)
				if r.Status != 403 || r.Code() != "forbidden" || r.Header.Get("Set-Cookie") != "" {
					t.Fatalf("%s with %v: %d %s (Set-Cookie %q)", path, h, r.Status, r.Body, r.Header.Get("Set-Cookie"))
				}
			}
		}
		if got := countRows(t, n, "sessions"); got != before {
			t.Fatalf("refused cross-site requests opened %d sessions", got-before)
		}
		c := nodetest.NewClient(n.URL())
		if r := c.Do(t, "POST", "/api/v1/auth/login", login, "Sec-Fetch-Site", "same-origin", "Origin", n.URL()); r.Status != 200 {
			t.Fatalf("same-origin sign-in: %d %s", r.Status, r.Body)
		}
		if r := c.Do(t, "POST", "/api/v1/auth/login", login); r.Status != 200 {
			t.Fatalf("sign-in without browser headers: %d %s", r.Status, r.Body)
		}
	})
}

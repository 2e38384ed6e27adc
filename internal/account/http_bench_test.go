package account_test

import (
	"fmt"
	"testing"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// Signup and login over HTTP on SQLite with OWASP's argon2id parameters
// (m=19 MiB, t=2, p=1), which dominate both.
func BenchmarkSignupAPI(b *testing.B) {
	n := nodetest.Start(b, nodetest.Options{Tune: func(c *node.Config) { c.Test.Password = account.OWASPParams }})
	c := nodetest.NewClient(n.URL())
	i := 0
	for b.Loop() {
		i++
		r := c.Do(b, "POST", "/api/v1/auth/signup", map[string]string{
			"username": fmt.Sprintf("bench_%d", i), "password": "password1", "display_name": "B", "region": "US"})
		if r.Status != 201 {
			b.Fatalf("%d %s", r.Status, r.Body)
		}
	}
}

func BenchmarkLoginAPI(b *testing.B) {
	n := nodetest.Start(b, nodetest.Options{Tune: func(c *node.Config) { c.Test.Password = account.OWASPParams }})
	nodetest.Signup(b, n.URL(), "bench")
	c := nodetest.NewClient(n.URL())
	for b.Loop() {
		r := c.Do(b, "POST", "/api/v1/auth/login", map[string]string{"username": "bench", "password": "correct horse"})
		if r.Status != 200 {
			b.Fatalf("%d %s", r.Status, r.Body)
		}
	}
}

func BenchmarkMeAPI(b *testing.B) {
	n := nodetest.Start(b, nodetest.Options{})
	c := nodetest.Signup(b, n.URL(), "bench")
	for b.Loop() {
		if r := c.Do(b, "GET", "/api/v1/me", nil); r.Status != 200 {
			b.Fatalf("%d %s", r.Status, r.Body)
		}
	}
}

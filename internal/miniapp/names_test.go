package miniapp_test

import (
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// L4: a mini-program's name is shown to users (directory, the host's
// chrome) like a merchant's: it follows the same rules for visible names.
func TestAppNameIsAVisibleName(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		for _, name := range []string{"Wallet\u202Egnp.exe", "Shop\x00", "Line\nbreak", "Pl\u0430za Pay", "Zero\u200Bwidth", "\u2800"} {
			if r := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": name, "request_domains": []string{}}); r.Status != 400 || r.Code() != "invalid_argument" {
				t.Fatalf("app named %q: %d %s, want 400 invalid_argument", name, r.Status, r.Body)
			}
		}
		if r := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": " Gadget Store 小店 ", "request_domains": []string{}}); r.Status != 201 || r.Str("app.name") != "Gadget Store 小店" {
			t.Fatalf("a plain name: %d %s", r.Status, r.Body)
		}
	})
}

package merchant_test

import (
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// A Plaza mini-program's appid is bound only by its developer, unknown
// mini-program-like appids not at all, and the owner can unbind.
func TestBindAppChecksOwnership(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		app := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Gadget Store", "request_domains": []string{}})
		appid := app.Str("appid")
		if app.Status != 201 || !strings.HasPrefix(appid, "mp") {
			t.Fatalf("app: %d %s", app.Status, app.Body)
		}
		squatter := newShop(t, n, "squatter")
		if r := squatter.owner.Do(t, "POST", "/api/v1/merchants/"+squatter.mchid+"/apps", map[string]any{"appid": appid}); r.Status != 403 || r.Code() != "forbidden" {
			t.Fatalf("another user bound the developer's mini-program: %d %s", r.Status, r.Body)
		}
		if r := squatter.owner.Do(t, "POST", "/api/v1/merchants/"+squatter.mchid+"/apps", map[string]any{"appid": "mpnotyetcreated1"}); r.Status != 403 {
			t.Fatalf("an unknown mini-program appid was bound: %d %s", r.Status, r.Body)
		}
		if r := squatter.owner.Do(t, "POST", "/api/v1/merchants/"+squatter.mchid+"/apps", map[string]any{"appid": "wx bad\n"}); r.Status != 400 {
			t.Fatalf("a malformed appid: %d %s", r.Status, r.Body)
		}
		m := dev.Do(t, "POST", "/api/v1/merchants", map[string]any{"name": "Gadgets", "region": "CN"})
		mchid := m.Str("merchant.mchid")
		if r := dev.Do(t, "POST", "/api/v1/merchants/"+mchid+"/apps", map[string]any{"appid": appid}); r.Status != 201 {
			t.Fatalf("the developer binds: %d %s", r.Status, r.Body)
		}
		// Web appids: first come; the squatter's own, not the developer's.
		if r := dev.Do(t, "POST", "/api/v1/merchants/"+mchid+"/apps", map[string]any{"appid": "wx" + squatter.mchid}); r.Status != 409 {
			t.Fatalf("a web appid bound elsewhere: %d %s", r.Status, r.Body)
		}
		if r := squatter.owner.Do(t, "DELETE", "/api/v1/merchants/"+mchid+"/apps/"+appid, nil); r.Status != 404 {
			t.Fatalf("another user unbound: %d %s", r.Status, r.Body)
		}
		if r := dev.Do(t, "DELETE", "/api/v1/merchants/"+mchid+"/apps/"+appid, nil); r.Status != 204 {
			t.Fatalf("unbind: %d %s", r.Status, r.Body)
		}
		if r := dev.Do(t, "GET", "/api/v1/merchants/"+mchid, nil); strings.Contains(string(r.Body), appid) {
			t.Fatalf("still bound: %s", r.Body)
		}
		if r := dev.Do(t, "DELETE", "/api/v1/merchants/"+mchid+"/apps/"+appid, nil); r.Status != 404 {
			t.Fatalf("unbind twice: %d %s", r.Status, r.Body)
		}
		if r := squatter.owner.Do(t, "POST", "/api/v1/merchants/"+squatter.mchid+"/apps", map[string]any{"appid": appid}); r.Status != 403 {
			t.Fatalf("bound after the developer unbound it: %d %s", r.Status, r.Body)
		}
	})
}

package miniapp_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/miniapp"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/bus"
)

// A release is announced on the bus once it has committed; a rejected
// review, or a refused release, announces nothing.
func TestReleaseIsAnnounced(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		var mu sync.Mutex
		var heard []miniapp.VersionReleased
		sub, err := n.Bus.Subscribe(miniapp.VersionReleasedSubject, func(m *bus.Message) {
			var e miniapp.VersionReleased
			if err := json.Unmarshal(m.Data, &e); err != nil {
				t.Errorf("payload %s: %v", m.Data, err)
			}
			mu.Lock()
			heard = append(heard, e)
			mu.Unlock()
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sub.Unsubscribe() })
		events := func() []miniapp.VersionReleased {
			mu.Lock()
			defer mu.Unlock()
			return append([]miniapp.VersionReleased(nil), heard...)
		}

		dev := nodetest.Signup(t, n.URL(), "developer")
		devID := dev.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		adm := admin(t, n)
		appid := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Beta", "request_domains": []string{}}).Str("appid")
		// Version 1 is rejected: nothing is announced.
		upload(t, dev, appid, pkg(appid, 1))
		dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/versions/1/submit", nil)
		if r := adm.Do(t, "POST", "/api/v1/admin/miniapps/"+appid+"/versions/1/reject", map[string]string{"reason": "Icon missing"}); r.Status != 200 {
			t.Fatalf("reject: %d %s", r.Status, r.Body)
		}
		if r := dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/versions/1/release", nil); r.Status != 409 {
			t.Fatalf("releasing the rejected version: %d %s", r.Status, r.Body)
		}
		// Version 2 is approved and released: announced once.
		before := time.Now().Add(-time.Second)
		upload(t, dev, appid, pkg(appid, 2))
		dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/versions/2/submit", nil)
		adm.Do(t, "POST", "/api/v1/admin/miniapps/"+appid+"/versions/2/approve", nil)
		if r := dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/versions/2/release", nil); r.Status != 200 {
			t.Fatalf("release: %d %s", r.Status, r.Body)
		}
		nodetest.WaitFor(t, 10*time.Second, func() bool { return len(events()) > 0 })
		// The outbox relays in commit order, so an announcement of the
		// rejection or of the refused release would have come first; a
		// duplicate (at least once) is the same announcement again.
		for _, e := range events() {
			if e.AppID != appid || e.Version != 2 || e.DeveloperID != devID || e.ReleasedAt.Before(before) || e.ReleasedAt.After(time.Now()) {
				t.Fatalf("announcement %+v, want only appid %s version 2 by %s released just now", e, appid, devID)
			}
		}
	})
}

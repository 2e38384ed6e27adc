package trust_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/trust"
)

// TestImportOnOneNodeScreensOnTheOther: a list imported on node one is
// what node two screens against, at once (over the bus: the backstop
// reload is an hour), and a replacement reaches it whole.
func TestImportOnOneNodeScreensOnTheOther(t *testing.T) {
	t.Parallel()
	nodes := twoNodes(t)
	ctx := context.Background()
	one, two := nodes[0].trust, nodes[1].trust
	ivan := trust.Party{Type: trust.PartyUser, ID: "usr_ivan", Name: "Ivan Sidorov"}
	if m, _ := two.Screen(ctx, ivan); m != nil {
		t.Fatalf("before any list: %+v", m)
	}
	v1, err := one.ImportCSV(ctx, "usr_admin", "", bigList(500, "FIRST"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitFor(t, 10*time.Second, func() bool {
		m, _ := two.Screen(ctx, ivan)
		return m != nil && m.ListHash == v1.ListHash
	})
	t.Logf("node two screened against the import after %v", time.Since(start))
	v2, err := one.ImportCSV(ctx, "usr_admin", "", bigList(800, "SECOND"))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, func() bool {
		m, _ := two.Screen(ctx, ivan)
		if m == nil {
			t.Fatal("node two screened against no list during the replacement")
		}
		return m.ListHash == v2.ListHash && m.Program == "SECOND"
	})
	if page, _ := two.SearchWatchlist(trust.WatchSearch{Limit: 1}); page.Total != 801 {
		t.Fatalf("node two has %d entries, want 801", page.Total)
	}
	// An allow recorded on one node holds on the other.
	if _, err := one.Allow(ctx, "usr_admin", trust.PartyUser, "usr_bob", "", "M"); err != nil {
		t.Fatal(err)
	}
	if m, _ := two.Screen(ctx, trust.Party{Type: trust.PartyUser, ID: "usr_bob", Name: "Ivan Sidorov"}); m != nil {
		t.Fatalf("node two after the allow: %+v", m)
	}
}

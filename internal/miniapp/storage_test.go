package miniapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/plaza-dev/plaza/internal/miniapp"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// storageUsed is what a user's values and keys of an app take.
func storageUsed(t *testing.T, n *node.Node, userID, appid string) int64 {
	t.Helper()
	var used int64
	if err := n.DB.QueryRow(context.Background(), `SELECT COALESCE(SUM(LENGTH(key) + LENGTH(value)), 0) FROM miniapp_storage WHERE user_id = ? AND appid = ?`, userID, appid).Scan(&used); err != nil {
		t.Fatal(err)
	}
	return used
}

// The 10 MiB an app may store per user counts keys too: many keys with tiny
// values do not get past it.
func TestStorageQuotaCountsKeys(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		appid, _ := released(t, n, dev, admin(t, n))
		ann := nodetest.Signup(t, n.URL(), "ann")
		annID := ann.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		ctx := context.Background()
		big := json.RawMessage(`"` + strings.Repeat("a", miniapp.MaxStorageValue-2-300) + `"`)
		for i := 0; i < 10; i++ {
			if err := n.MiniApps.SetItem(ctx, annID, appid, "", fmt.Sprintf("b%d", i), big); err != nil {
				t.Fatalf("value %d: %v", i, err)
			}
		}
		refused := false
		for i := 0; i < 200 && !refused; i++ {
			key := fmt.Sprintf("%0128d", i)
			refused = n.MiniApps.SetItem(ctx, annID, appid, "", key, json.RawMessage(`1`)) != nil
		}
		if used := storageUsed(t, n, annID, appid); !refused || used > miniapp.MaxStorageApp {
			t.Fatalf("many long keys: refused %v, %d bytes stored (at most %d)", refused, used, miniapp.MaxStorageApp)
		}
	})
}

// Writes of different keys in parallel cannot all pass the quota check
// before any of them commits.
func TestStorageQuotaInParallel(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		appid, _ := released(t, n, dev, admin(t, n))
		ann := nodetest.Signup(t, n.URL(), "ann")
		annID := ann.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		big := json.RawMessage(`"` + strings.Repeat("a", miniapp.MaxStorageValue-100) + `"`)
		var wg sync.WaitGroup
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n.MiniApps.SetItem(context.Background(), annID, appid, "", fmt.Sprintf("k%d", i), big)
			}()
		}
		wg.Wait()
		if used := storageUsed(t, n, annID, appid); used > miniapp.MaxStorageApp {
			t.Fatalf("%d bytes stored in parallel (at most %d)", used, miniapp.MaxStorageApp)
		}
	})
}

package node

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/export"
)

// exporters are the parts of GET /me/export after the account's own, in
// the order the export lists them.
func (n *Node) exporters() []export.Exporter {
	return []export.Exporter{n.Chat, n.Pay, n.Merchant, n.MiniApps}
}

// erasureHooks lets account erasure ask pay what it holds for the user and
// run the other components' steps (account.ErasureHooks); account imports
// none of them. It reads the node's services at call time (mini-apps are
// made after accounts).
type erasureHooks struct{ n *Node }

func (h erasureHooks) MoneyHeld(ctx context.Context, userID string) (string, error) {
	return h.n.Pay.HeldFor(ctx, userID)
}

// ErasureSteps: chat (tombstones, groups, media), mini-apps (storage,
// consents), merchants (closed). Append only: account_erasures counts
// the steps done.
func (h erasureHooks) ErasureSteps() []account.ErasureStep {
	return []account.ErasureStep{
		{Name: "chat", Run: h.n.Chat.EraseUser},
		{Name: "miniapp", Run: h.n.MiniApps.EraseUser},
		{Name: "merchant", Run: h.n.Merchant.CloseMerchantsOf},
	}
}

// erasureSettings adds the test-only knobs of the erasure from the
// environment, for tests that run the real binary and kill it mid-way:
// PLAZA_TEST_ERASURE_PAUSE names a point (account.Settings.ErasurePause)
// where an erasure stops for good, as if the machine had frozen there;
// PLAZA_TEST_ERASURE_LEASE shortens the lease. Neither is set in
// production. On pausing it writes the file erasure-paused-<point> in
// the data folder, so that the test knows when to kill.
func erasureSettings(s account.Settings, log *slog.Logger, dataDir string) account.Settings {
	if d, err := time.ParseDuration(os.Getenv("PLAZA_TEST_ERASURE_LEASE")); err == nil && d > 0 {
		s.ErasureLease = d
	}
	if point := os.Getenv("PLAZA_TEST_ERASURE_PAUSE"); point != "" {
		s.ErasurePause = func(at string) {
			if at == point {
				log.Warn("erasure paused for a test", "point", at)
				_ = os.WriteFile(filepath.Join(dataDir, "erasure-paused-"+strings.ReplaceAll(at, ":", "-")), nil, 0o600)
				select {} // until the process is killed
			}
		}
	}
	return s
}

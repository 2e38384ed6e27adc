package merchant

import (
	"context"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sched"
)

// Run does the merchant component's scheduled work until ctx ends:
// delivering due notifications from the outbox (every Config.NotifyEvery,
// a second) and pruning expired request nonces (every minute). Every node
// runs it; each notification attempt is claimed by one node. Deliver
// starts attempts on a bounded pool and returns, so one poll never waits
// on a merchant's slow server; Close waits for those in flight.
func (s *Service) Run(ctx context.Context) error {
	return sched.Run(ctx, s.log,
		sched.Job{Name: "delivering notifications", Every: s.notifyEvery, Do: func(ctx context.Context) error {
			_, err := s.Deliver(ctx)
			return err
		}},
		sched.Job{Name: "pruning nonces", Every: time.Minute, Do: s.PruneNonces},
	)
}

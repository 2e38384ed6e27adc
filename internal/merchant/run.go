package merchant

import (
	"context"

	"github.com/plaza-dev/plaza/internal/platform/sched"
)

// Run does the merchant component's scheduled work until ctx ends:
// delivering due notifications from the outbox (every Config.NotifyEvery,
// a second), and Config.Jobs: the wire adapter's pruning of expired
// request nonces (every minute, wxv3.PruneNoncesJob). Every node
// runs it; each notification attempt is claimed by one node. Deliver
// starts attempts on a bounded pool and returns, so one poll never waits
// on a merchant's slow server; each finished attempt polls again at once
// (a merchant's backlog drains at the pace its server answers, not at
// perMerchant a period); Close waits for those in flight.
func (s *Service) Run(ctx context.Context) error {
	jobs := append([]sched.Job{{Name: "delivering notifications", Every: s.notifyEvery, Wake: s.deliveries.freed, Do: func(ctx context.Context) error {
		_, err := s.Deliver(ctx)
		return err
	}}}, s.jobs...)
	return sched.Run(ctx, s.log, jobs...)
}

package pay

import (
	"context"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sched"
)

// Run does pay's scheduled work until ctx ends: refunds of expired red
// packets (every Config.JobEvery, a minute) and the settling of top-ups
// and withdrawals whose rail call was interrupted (hourly). The state is
// in the database, so every node may run it and nothing moves twice.
func (s *Service) Run(ctx context.Context) error {
	return sched.Run(ctx, s.log,
		sched.Job{Name: "refunding expired red packets", Every: s.jobEvery, Now: true, Do: func(ctx context.Context) error {
			k, err := s.RefundExpired(ctx)
			if k > 0 {
				s.log.Info("refunded expired red packets", "count", k)
			}
			return err
		}},
		sched.Job{Name: "returning unaccepted transfers", Every: s.jobEvery, Now: true, Do: func(ctx context.Context) error {
			k, err := s.ReturnUnaccepted(ctx)
			if k > 0 {
				s.log.Info("returned unaccepted transfers", "count", k)
			}
			return err
		}},
		sched.Job{Name: "settling stale withdrawals and top-ups", Every: time.Hour, Now: true, Do: func(ctx context.Context) error {
			_, err := s.SettleStale(ctx, 2*time.Minute)
			return err
		}},
	)
}

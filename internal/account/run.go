package account

import (
	"context"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sched"
)

// Run does the account component's scheduled work until ctx ends: it
// deletes expired sessions hourly.
func (s *Service) Run(ctx context.Context) error {
	return sched.Run(ctx, s.log, sched.Job{Name: "pruning sessions", Every: time.Hour, Now: true, Do: func(ctx context.Context) error {
		_, err := s.PruneSessions(ctx)
		return err
	}})
}

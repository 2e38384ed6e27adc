package account

import (
	"context"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sched"
)

// Run does the account component's scheduled work until ctx ends: it
// deletes expired sessions hourly, and resumes erasures left unfinished
// (at start, then every half lease).
func (s *Service) Run(ctx context.Context) error {
	return sched.Run(ctx, s.log,
		sched.Job{Name: "pruning sessions", Every: time.Hour, Now: true, Do: func(ctx context.Context) error {
			_, err := s.PruneSessions(ctx)
			return err
		}},
		sched.Job{Name: "resuming erasures", Every: max(s.set.ErasureLease/2, 100*time.Millisecond), Now: true, Do: func(ctx context.Context) error {
			_, err := s.ResumeErasures(ctx)
			return err
		}})
}

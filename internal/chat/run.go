package chat

import (
	"context"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sched"
)

// Run does the chat component's scheduled work until ctx ends: it deletes
// uploads that were never sent, hourly.
func (s *Service) Run(ctx context.Context) error {
	return sched.Run(ctx, s.log, sched.Job{Name: "deleting unsent media", Every: time.Hour, Now: true, Do: func(ctx context.Context) error {
		if _, err := s.PruneUnsentMedia(ctx); err != nil {
			return err
		}
		return s.PruneUploadLeftovers()
	}})
}

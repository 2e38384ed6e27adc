package miniapp

import (
	"context"

	"github.com/plaza-dev/plaza/internal/platform/sched"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Run does the mini-program platform's scheduled work until ctx ends: it
// deletes expired login codes (every Config.PruneEvery, an hour). An
// expired code is refused as invalid whether its row is there or not, so
// pruning changes no answer; every node may run it.
func (s *Service) Run(ctx context.Context) error {
	return sched.Run(ctx, s.log, sched.Job{Name: "pruning expired login codes", Every: s.pruneEvery, Now: true, Do: func(ctx context.Context) error {
		_, err := s.PruneCodes(ctx)
		return err
	}})
}

// PruneCodes deletes the login codes that have expired and returns how
// many.
func (s *Service) PruneCodes(ctx context.Context) (int64, error) {
	res, err := s.db.Exec(ctx, deleteExpiredLoginCodes, sqldb.Micro(s.now()))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

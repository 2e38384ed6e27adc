package chat

import (
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// BatcherOf is the service's message writer (to fill its queue in tests).
func BatcherOf(s *Service) *sqldb.Batcher { return s.batch }

// SetSendPace makes the service believe a job takes d on its writer.
func SetSendPace(s *Service, d time.Duration) { s.load.perJob.Store(int64(d)) }

// LateFrame tells the service's load that a message frame published at
// at has just been handed to the sockets.
func LateFrame(s *Service, at time.Time) { s.load.sampleLag(at.UnixNano()) }

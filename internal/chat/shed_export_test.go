package chat

import "github.com/plaza-dev/plaza/internal/platform/sqldb"

// BatcherOf is the service's message writer (to fill its queue in tests).
func BatcherOf(s *Service) *sqldb.Batcher { return s.batch }

// OnlineHere is whether the hub's node sees user online anywhere.
func OnlineHere(h *Hub, user string) bool { return h.live != nil && h.live.p.online(user) }

package chat

import (
	"context"
	"encoding/json"
)

// LastSeqs is the last_seq of every conversation userID is in (Resyncer).
func (s *Service) LastSeqs(ctx context.Context, userID string) (map[string]int64, error) {
	return userLastSeqs(ctx, s.db, userID)
}

// Missing is the message frames of convID with seq in (after, through], in
// seq order, each to the members who may see it (joined at or before it)
// (Resyncer).
func (s *Service) Missing(ctx context.Context, convID string, after, through int64) ([]Delivery, error) {
	if through <= after {
		return nil, nil
	}
	ms, err := queryMessages(ctx, s.db, selectAfter, convID, after, through-after)
	if err != nil {
		return nil, err
	}
	filled, err := s.fill(ctx, ms)
	if err != nil {
		return nil, err
	}
	members, err := memberJoins(ctx, s.db, convID)
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, 0, len(filled))
	for i := range filled {
		m := &filled[i]
		var to []string
		for _, mj := range members {
			if mj.joined <= m.Seq {
				to = append(to, mj.user)
			}
		}
		raw, err := json.Marshal(frame{Type: "message", Message: m})
		if err != nil {
			return nil, err
		}
		out = append(out, Delivery{Seq: m.Seq, To: to, Frame: raw})
	}
	return out, nil
}

// ForgetUser drops a user's cached profile (after erasure, so that members
// stop seeing the old name at once).
func (s *Service) ForgetUser(userID string) {
	s.users.mu.Lock()
	delete(s.users.m, userID)
	s.users.mu.Unlock()
}

package trust

import (
	"context"
	"encoding/json"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/sched"
)

// Run keeps this node's index current until ctx ends: it reloads a policy
// whenever any node announces a change (PolicyChangedSubject), reloads
// everything every ReloadEvery as a backstop, and announces each policy
// that takes effect or expires (PolicyFlippedSubject) at that instant. It
// also records in the audit log the facts other components publish that
// an operator must be able to prove (auditfeed.go).
func (s *Service) Run(ctx context.Context) error {
	if s.bus != nil {
		sub, err := s.bus.Subscribe(PolicyChangedSubject, s.onPolicyChanged)
		if err != nil {
			return err
		}
		defer sub.Unsubscribe()
		wsub, err := s.bus.Subscribe(WatchlistChangedSubject, s.onWatchlistChanged)
		if err != nil {
			return err
		}
		defer wsub.Unsubscribe()
		stop, err := s.consumeAuditFeed(ctx)
		if err != nil {
			return err
		}
		defer stop()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.announceFlips(ctx)
	}()
	// Now: a change announced before the subscription is not missed.
	err := sched.Run(ctx, s.log, sched.Job{Name: "reloading trust policies", Every: s.reloadEvery, Now: true, Do: s.Reload},
		sched.Job{Name: "reloading watch lists", Every: s.reloadEvery, Now: true, Do: s.reloadWatchlists})
	<-done
	return err
}

func (s *Service) onPolicyChanged(m *bus.Message) {
	var ev PolicyChanged
	if err := json.Unmarshal(m.Data, &ev); err != nil || ev.PolicyID == "" {
		s.log.Warn("bad policy_changed event", "data", string(m.Data))
		return
	}
	if err := s.reloadPolicy(context.Background(), ev.PolicyID); err != nil {
		s.log.Warn("reloading policy", "policy", ev.PolicyID, "err", err)
	}
}

// onWatchlistChanged loads the list a node imported, off the bus's
// delivery goroutine (a large list takes a second).
func (s *Service) onWatchlistChanged(m *bus.Message) {
	var ev WatchlistChanged
	if err := json.Unmarshal(m.Data, &ev); err != nil || ev.List == "" {
		s.log.Warn("bad watchlist_changed event", "data", string(m.Data))
		return
	}
	go func() {
		if err := s.reloadWatchlist(context.Background(), ev.List); err != nil {
			s.log.Warn("reloading watch list", "list", ev.List, "err", err)
		}
	}()
}

// announceFlips sleeps until the next effective_at or expires_at in the
// index and publishes a PolicyFlipped for each policy that flipped since
// it last looked. Check does not need it (it evaluates as of the instant
// asked); clients and caches do.
func (s *Service) announceFlips(ctx context.Context) {
	last := s.now()
	for {
		wait := time.Hour
		if next, ok := s.index.nextFlip(last); ok {
			wait = max(next.Sub(s.now()), 0)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.kick:
			t.Stop()
			continue
		case <-t.C:
		}
		now := s.now()
		for _, p := range s.index.all() {
			for _, f := range []struct {
				at    *time.Time
				state State
			}{{&p.EffectiveAt, StateActive}, {p.ExpiresAt, StateExpired}} {
				if f.at != nil && f.at.After(last) && !f.at.After(now) {
					s.publishFlip(PolicyFlipped{PolicyID: p.ID, State: f.state, At: *f.at})
				}
			}
		}
		last = now
	}
}

func (s *Service) publishFlip(f PolicyFlipped) {
	s.log.Info("policy flipped", "policy", f.PolicyID, "state", f.State)
	if s.bus == nil {
		return
	}
	data, _ := json.Marshal(f)
	if err := s.bus.Publish(PolicyFlippedSubject, data); err != nil {
		s.log.Warn("publishing policy flip", "policy", f.PolicyID, "err", err)
	}
}

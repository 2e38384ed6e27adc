package pay

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// railTimeout bounds one rail call, far below the age at which recovery
// (SettleStale) takes over a pending item, so that a call still running is
// never settled behind its back.
const railTimeout = 30 * time.Second

// Sandbox is the built-in rail: money appears and leaves at once. A
// FailureRate between 0 and 1 makes that share of calls fail, to exercise
// the error paths. It remembers the references it answered (in memory,
// the last 100,000 or so: a restarted process knows none, and Status
// answers unknown for them).
type Sandbox struct {
	mu          sync.Mutex
	FailureRate float64
	seen, older map[string]sandboxResult
}

const sandboxMemory = 50_000 // references per generation (two are kept)

func (s *Sandbox) lookup(reference string) (sandboxResult, bool) {
	if r, ok := s.seen[reference]; ok {
		return r, true
	}
	r, ok := s.older[reference]
	return r, ok
}

type sandboxResult struct {
	ref string
	err error
}

// Name is "sandbox".
func (*Sandbox) Name() string { return "sandbox" }

// SetFailureRate changes the share of calls that fail.
func (s *Sandbox) SetFailureRate(r float64) {
	s.mu.Lock()
	s.FailureRate = r
	s.mu.Unlock()
}

// call answers a reference once: a repeat gets the first outcome.
func (s *Sandbox) call(reference string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.lookup(reference); ok {
		return r.ref, r.err
	}
	if s.seen == nil || len(s.seen) >= sandboxMemory {
		s.older, s.seen = s.seen, map[string]sandboxResult{}
	}
	r := sandboxResult{ref: ids.New("sbx")}
	if s.FailureRate > 0 && rand.Float64() < s.FailureRate {
		r = sandboxResult{err: ErrRailDeclined}
	}
	s.seen[reference] = r
	return r.ref, r.err
}

// TopUp always succeeds unless the failure rate says otherwise.
func (s *Sandbox) TopUp(_ context.Context, _ string, _ Money, reference string) (string, error) {
	return s.call(reference)
}

// Payout always succeeds unless the failure rate says otherwise.
func (s *Sandbox) Payout(_ context.Context, _ string, _ Money, reference string) (string, error) {
	return s.call(reference)
}

// Status is what this process answered for reference.
func (s *Sandbox) Status(_ context.Context, reference string) (RailStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.lookup(reference)
	switch {
	case !ok:
		return RailStatusUnknown, nil
	case r.err != nil:
		return RailStatusFailed, nil
	}
	return RailStatusSucceeded, nil
}

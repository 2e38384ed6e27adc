package pay

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"

	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// Rail moves money between Plaza and the world outside: a bank, a card
// network. TopUp pulls money in, Payout sends it out; each answers with the
// rail's own reference, or an error when the rail refused.
type Rail interface {
	Name() string
	TopUp(ctx context.Context, userID string, m Money, reference string) (string, error)
	Payout(ctx context.Context, userID string, m Money, reference string) (string, error)
}

// ErrRailDeclined is a rail's refusal.
var ErrRailDeclined = errors.New("the rail declined")

// Sandbox is the built-in rail: money appears and leaves at once. A
// FailureRate between 0 and 1 makes that share of calls fail, to exercise
// the error paths.
type Sandbox struct {
	mu          sync.Mutex
	FailureRate float64
}

// Name is "sandbox".
func (*Sandbox) Name() string { return "sandbox" }

func (s *Sandbox) fail() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.FailureRate > 0 && rand.Float64() < s.FailureRate
}

// SetFailureRate changes the share of calls that fail.
func (s *Sandbox) SetFailureRate(r float64) {
	s.mu.Lock()
	s.FailureRate = r
	s.mu.Unlock()
}

// TopUp always succeeds unless the failure rate says otherwise.
func (s *Sandbox) TopUp(context.Context, string, Money, string) (string, error) {
	if s.fail() {
		return "", ErrRailDeclined
	}
	return ids.New("sbx"), nil
}

// Payout always succeeds unless the failure rate says otherwise.
func (s *Sandbox) Payout(context.Context, string, Money, string) (string, error) {
	if s.fail() {
		return "", ErrRailDeclined
	}
	return ids.New("sbx"), nil
}

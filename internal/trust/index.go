package trust

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// index holds the live policies (neither cancelled nor expired when last
// loaded) by target, so that Check reads only the few that name the
// targets it is asked about. Each policy is evaluated as of the instant
// asked, so the index needs no change when a policy takes effect.
//
// Policies in the index are never modified, only replaced: Check may read
// one after releasing mu.
type index struct {
	mu       sync.RWMutex // guards byTarget, byID and dirty
	byTarget map[Target][]*Policy
	byID     map[string]*Policy
	// dirty, while a full reload reads the database, holds the ids put or
	// removed meanwhile: their entries are newer than what it read.
	dirty map[string]bool
}

func newIndex() *index {
	return &index{byTarget: map[Target][]*Policy{}, byID: map[string]*Policy{}}
}

// put adds p, or replaces the policy with its id.
func (x *index) put(p *Policy) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeLocked(p.ID)
	x.markLocked(p.ID)
	t := Target{p.TargetType, p.TargetID}
	x.byTarget[t] = append(x.byTarget[t], p)
	x.byID[p.ID] = p
}

func (x *index) remove(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeLocked(id)
	x.markLocked(id)
}

func (x *index) markLocked(id string) {
	if x.dirty != nil {
		x.dirty[id] = true
	}
}

// beginLoad starts a full reload: changes from now on win over what the
// reload reads.
func (x *index) beginLoad() {
	x.mu.Lock()
	x.dirty = map[string]bool{}
	x.mu.Unlock()
}

// removeLocked drops policy id; x.mu must be held for writing.
func (x *index) removeLocked(id string) {
	old, ok := x.byID[id]
	if !ok {
		return
	}
	delete(x.byID, id)
	t := Target{old.TargetType, old.TargetID}
	list := x.byTarget[t]
	kept := make([]*Policy, 0, len(list))
	for _, p := range list {
		if p.ID != id {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		delete(x.byTarget, t)
	} else {
		x.byTarget[t] = kept
	}
}

// replaceAll makes ps the whole index, but for the policies changed since
// beginLoad, which keep their newer entries.
func (x *index) replaceAll(ps []*Policy) {
	x.mu.Lock()
	defer x.mu.Unlock()
	byTarget, byID := map[Target][]*Policy{}, make(map[string]*Policy, len(ps))
	add := func(p *Policy) {
		t := Target{p.TargetType, p.TargetID}
		byTarget[t] = append(byTarget[t], p)
		byID[p.ID] = p
	}
	for _, p := range ps {
		if !x.dirty[p.ID] {
			add(p)
		}
	}
	for id := range x.dirty {
		if p, ok := x.byID[id]; ok {
			add(p)
		}
	}
	x.byTarget, x.byID, x.dirty = byTarget, byID, nil
}

// blocking is the first policy that forbids q, or nil.
func (x *index) blocking(q Question) *Policy {
	keys := [4]Target{q.Target, {TargetDeveloper, q.DeveloperID}, {TargetMerchant, q.MerchantID}, {TargetUser, q.UserID}}
	x.mu.RLock()
	defer x.mu.RUnlock()
	for i, k := range keys {
		if k.ID == "" || (i > 0 && k == q.Target) {
			continue
		}
		for _, p := range x.byTarget[k] {
			if p.StateAt(q.At) == StateActive && p.covers(q.Region, q.Scope) {
				return p
			}
		}
	}
	return nil
}

// all is every policy in the index.
func (x *index) all() []*Policy {
	x.mu.RLock()
	defer x.mu.RUnlock()
	ps := make([]*Policy, 0, len(x.byID))
	for _, p := range x.byID {
		ps = append(ps, p)
	}
	return ps
}

// nextFlip is the first instant after t at which a policy in the index
// takes effect or expires; ok is false when there is none.
func (x *index) nextFlip(t time.Time) (next time.Time, ok bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, p := range x.byID {
		for _, at := range []*time.Time{&p.EffectiveAt, p.ExpiresAt} {
			if at != nil && at.After(t) && (!ok || at.Before(next)) {
				next, ok = *at, true
			}
		}
	}
	return next, ok
}

// Check answers whether q.UserID, in q.Region, may use q.Target for
// q.Scope at q.At (now when zero): nil, or an error with code
// blocked_by_policy whose message says why. It reads memory only.
func (s *Service) Check(ctx context.Context, q Question) error {
	if q.At.IsZero() {
		q.At = s.now()
	}
	if q.Region == "" && q.UserID != "" {
		r, err := s.regions.get(ctx, q.UserID, s.now())
		if err != nil {
			return err
		}
		q.Region = r
	}
	p := s.index.blocking(q)
	if p == nil {
		return nil
	}
	return &errs.Error{Code: BlockedByPolicy, Message: refusal(p)}
}

// Blocking is the policy that forbids q, or nil: for a page that explains
// a refusal.
func (s *Service) Blocking(ctx context.Context, q Question) *Policy {
	if q.At.IsZero() {
		q.At = s.now()
	}
	if q.Region == "" && q.UserID != "" {
		q.Region, _ = s.regions.get(ctx, q.UserID, s.now())
	}
	if p := s.index.blocking(q); p != nil {
		c := *p
		c.State = StateActive
		return &c
	}
	return nil
}

func refusal(p *Policy) string {
	return fmt.Sprintf("%s is not available in your region: %s", displayName(p), p.Reason)
}

func displayName(p *Policy) string {
	if p.TargetName != "" {
		return p.TargetName
	}
	switch p.TargetType {
	case TargetApp:
		return "This mini-program"
	case TargetMerchant:
		return "This merchant"
	case TargetDeveloper:
		return "This developer's mini-program"
	}
	return "This account"
}

// Reload replaces the index with the live policies in the database.
func (s *Service) Reload(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	s.index.beginLoad()
	rows, err := s.db.Query(ctx, selectLivePolicies, sqldb.Micro(s.now()))
	if err != nil {
		s.index.replaceAll(s.index.all()) // ends the load, keeping what is there
		return fmt.Errorf("trust: loading policies: %w", err)
	}
	ps, err := sqldb.ScanAll(rows, func(r *sql.Rows) (*Policy, error) { return scanPolicy(r) })
	if err != nil {
		s.index.replaceAll(s.index.all())
		return fmt.Errorf("trust: loading policies: %w", err)
	}
	s.index.replaceAll(ps)
	s.wakeTimer()
	return nil
}

// reloadPolicy brings policy id in the index up to date with the database.
func (s *Service) reloadPolicy(ctx context.Context, id string) error {
	p, err := getPolicy(ctx, s.db, id)
	switch {
	case errs.Is(err, errs.NotFound):
		s.index.remove(id)
	case err != nil:
		return err
	case p.CancelledAt != nil || (p.ExpiresAt != nil && !s.now().Before(*p.ExpiresAt)):
		s.index.remove(id)
	default:
		s.index.put(p)
	}
	s.wakeTimer()
	return nil
}

func (s *Service) wakeTimer() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// regionCache keeps users' regions a minute, so that a check costs no
// database read on the hot path.
type regionCache struct {
	lookup func(ctx context.Context, userID string) (string, error)
	mu     sync.Mutex
	byUser map[string]cachedRegion
}

type cachedRegion struct {
	region string
	until  time.Time
}

const regionTTL = time.Minute

func (c *regionCache) get(ctx context.Context, userID string, now time.Time) (string, error) {
	if c.lookup == nil {
		return "", nil
	}
	c.mu.Lock()
	r, ok := c.byUser[userID]
	c.mu.Unlock()
	if ok && now.Before(r.until) {
		return r.region, nil
	}
	region, err := c.lookup(ctx, userID)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if len(c.byUser) > 100_000 {
		clear(c.byUser) // bounded: a full cache starts again
	}
	c.byUser[userID] = cachedRegion{region, now.Add(regionTTL)}
	c.mu.Unlock()
	return region, nil
}

package trust

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Notice tells a user that a policy affects them, before and after it
// takes effect.
type Notice struct {
	PolicyID    string     `json:"policy_id"`
	TargetType  TargetType `json:"target_type"`
	TargetID    string     `json:"target_id"`
	TargetName  string     `json:"target_name"`
	Scopes      []Scope    `json:"scopes"`
	EffectiveAt time.Time  `json:"effective_at"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	State       State      `json:"state"`
	Message     string     `json:"message"`
}

// Notices are the scheduled and active policies that affect userID in
// region: those naming the region (or every region) for an app, merchant
// or developer, and those naming the user themself. Soonest first.
func (s *Service) Notices(ctx context.Context, userID, region string) []Notice {
	now := s.now()
	var out []Notice
	for _, p := range s.index.all() {
		st := p.StateAt(now)
		if st != StateScheduled && st != StateActive {
			continue
		}
		if p.TargetType == TargetUser && p.TargetID != userID {
			continue
		}
		if !slices.Contains(p.Regions, AllRegions) && (region == "" || !slices.Contains(p.Regions, region)) {
			continue
		}
		out = append(out, Notice{PolicyID: p.ID, TargetType: p.TargetType, TargetID: p.TargetID, TargetName: p.TargetName,
			Scopes: p.Scopes, EffectiveAt: p.EffectiveAt, ExpiresAt: p.ExpiresAt, State: st, Message: noticeMessage(p, st)})
	}
	slices.SortFunc(out, func(a, b Notice) int {
		return cmp.Or(a.EffectiveAt.Compare(b.EffectiveAt), strings.Compare(a.PolicyID, b.PolicyID))
	})
	return out
}

func noticeMessage(p *Policy, st State) string {
	what := displayName(p)
	when := p.EffectiveAt.UTC().Format("2 January 2006 15:04 UTC")
	var scopes []string
	for _, sc := range p.Scopes {
		scopes = append(scopes, string(sc))
	}
	if st == StateScheduled {
		return fmt.Sprintf("%s will not be available in your region from %s (%s): %s", what, when, strings.Join(scopes, ", "), p.Reason)
	}
	return fmt.Sprintf("%s has not been available in your region since %s (%s): %s", what, when, strings.Join(scopes, ", "), p.Reason)
}

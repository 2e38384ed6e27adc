package pay

import (
	"context"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// allowPayment asks trust whether payer may pay payee (payee "" when
// there is no one person on the other side yet, as for a red packet in a
// group). It is asked before anything else happens (no PIN attempt is
// counted, nothing moves), so a refusal changes no state.
//
// Regions: a user policy names the regions where that person is blocked.
// The first question is asked in the payer's region, with the payee as
// target: it refuses a payer blocked where they are (trust always also
// weighs the asker's own user policies) and a payee blocked for people in
// the payer's region. The second is asked in the payee's region about the
// payee: a payee blocked where they are receives nothing. A policy that
// names neither person, or none of their regions, never refuses.
func (s *Service) allowPayment(ctx context.Context, payer, payee string) error {
	if s.policies == nil {
		return nil
	}
	target := payee
	if target == "" {
		target = payer
	}
	if err := s.policies.Check(ctx, trust.Question{UserID: payer, Target: trust.Target{Type: trust.TargetUser, ID: target}, Scope: trust.ScopePayments}); err != nil {
		return err
	}
	if payee == "" {
		return nil
	}
	return s.policies.Check(ctx, trust.Question{UserID: payee, Target: trust.Target{Type: trust.TargetUser, ID: payee}, Scope: trust.ScopePayments})
}

// unlessAnswered lets a policy refusal stand unless r was answered before
// (a retry of a transfer made before the block began): a retry returns
// the first result, whatever has happened since. The stored answer is
// then replayed by the money job as for any retry.
func (s *Service) unlessAnswered(ctx context.Context, r Request, refusal error) error {
	if refusal == nil || !errs.Is(refusal, trust.BlockedByPolicy) || r.Key == "" {
		return refusal
	}
	answered := false
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		_, found, err := idempotency.Lookup(ctx, tx, r.UserID, r.Key, r.Hash)
		answered = found
		return err
	})
	if err != nil || !answered {
		return refusal // a mismatched key stays refused too
	}
	return nil
}

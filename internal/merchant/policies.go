package merchant

import (
	"context"
	"errors"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/trust"
)

// question is what trust is asked about paying order o: the merchant, and
// when the order was placed for a Plaza mini-program, the app and its
// developer too (one question: trust weighs the target, the developer and
// the merchant together, and the asker's own user policies).
func (s *Service) question(ctx context.Context, userID, mchid, appid string) (trust.Question, error) {
	q := trust.Question{UserID: userID, Target: trust.Target{Type: trust.TargetMerchant, ID: mchid}, MerchantID: mchid, Scope: trust.ScopePayments}
	if appid != "" && s.apps != nil {
		dev, known, err := s.apps.AppOwner(ctx, appid)
		if err != nil {
			return q, err
		}
		if known {
			q.Target, q.DeveloperID = trust.Target{Type: trust.TargetApp, ID: appid}, dev
		}
	}
	return q, nil
}

// allowPayer refuses a payer a payment to mchid (for appid) that a policy
// blocks, in the payer's region: blocked_by_policy (422), before the PIN
// is checked or anything moves.
func (s *Service) allowPayer(ctx context.Context, userID, mchid, appid string) error {
	if s.policies == nil {
		return nil
	}
	q, err := s.question(ctx, userID, mchid, appid)
	if err != nil {
		return err
	}
	return s.policies.Check(ctx, q)
}

// allowOrder refuses a new /v3 order that a policy blocks. An order has no
// payer yet, so only policies for every region ("*") can refuse it here;
// a regional one refuses the payer at confirmation. The refusal is
// WeChat's 403 NO_AUTH (the code WeChat uses for a merchant not allowed
// to trade, which its SDKs surface as a business error, not a retry), with
// the policy's explanation as the message.
func (s *Service) allowOrder(ctx context.Context, mchid, appid string) error {
	if s.policies == nil {
		return nil
	}
	q, err := s.question(ctx, "", mchid, appid)
	if err != nil {
		return err
	}
	err = s.policies.Check(ctx, q)
	var pe *errs.Error
	if errors.As(err, &pe) && pe.Code == trust.BlockedByPolicy {
		return Refusal(403, "NO_AUTH", "blocked_by_policy: %s", pe.Message)
	}
	return err
}

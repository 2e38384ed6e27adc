package node

import (
	"context"
	"encoding/json"

	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/errs"

	"github.com/plaza-dev/plaza/internal/trust"
)

// policies lets pay, merchant and chat ask trust (their Policies
// interfaces); n.Trust is read at call time because it is made after
// them. Before it exists (during New) nothing is blocked.
type policies struct{ n *Node }

func (p policies) Check(ctx context.Context, q trust.Question) error {
	if p.n.Trust == nil {
		return nil
	}
	return p.n.Trust.Check(ctx, q)
}

// screener lets pay screen the parties of a movement (pay.Screener); like
// policies it reads n.Trust at call time. pay gives a user party their
// account region as Country (through account's User); a party that
// arrives without one is looked up here.
type screener struct{ n *Node }

func (sc screener) Screen(ctx context.Context, p trust.Party) (*trust.Match, error) {
	if sc.n.Trust == nil {
		return nil, nil
	}
	if p.Type == trust.PartyUser && p.Country == "" {
		if u, err := sc.n.Accounts.User(ctx, p.ID); err == nil {
			p.Country = u.Region
		}
	}
	return sc.n.screen(ctx, p)
}

// AllowMerchant records a released merchant review's match as a false
// positive (pay.MerchantAllower): trust's allow list for that (merchant,
// entry) pair, audited once however often it is recorded. An entry no
// longer listed needs nothing.
func (sc screener) AllowMerchant(ctx context.Context, adminID, mchid string, m trust.Match) error {
	if sc.n.Trust == nil || m.EntryID == "" {
		return nil
	}
	_, err := sc.n.Trust.Allow(ctx, adminID, trust.PartyMerchant, mchid, m.List, m.EntryID)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	return err
}

// screen is trust's Screen, or the test's (TestOptions.Screen).
func (n *Node) screen(ctx context.Context, p trust.Party) (*trust.Match, error) {
	if n.test.Screen != nil {
		return n.test.Screen(ctx, p)
	}
	return n.Trust.Screen(ctx, p)
}

// merchantScreening is merchant's Screening: trust's engine screens the
// name, pay keeps the review (it is pay's review queue that holds money).
type merchantScreening struct{ n *Node }

func (ms merchantScreening) ScreenMerchant(ctx context.Context, mchid, name, region string) error {
	if ms.n.Trust == nil {
		return nil
	}
	m, err := ms.n.screen(ctx, trust.Party{Type: trust.PartyMerchant, ID: mchid, Name: name, Country: region})
	if err != nil || m == nil {
		return err
	}
	_, err = ms.n.Pay.OpenMerchantReview(ctx, mchid, name, region, *m)
	return err
}

func (ms merchantScreening) MerchantSuspended(ctx context.Context, mchid string) (bool, error) {
	return ms.n.Pay.MerchantSuspended(ctx, mchid)
}

// consumeReviewDecisions feeds pay's review decisions to merchant, which
// completes or closes the orders whose payments were held (durably: a
// decision made while no node ran is delivered to the next).
func (n *Node) consumeReviewDecisions(ctx context.Context) error {
	stop, err := n.Bus.Consume(ctx, "merchant-review-decided", pay.ReviewDecidedSubject, func(ctx context.Context, m *bus.Message) error {
		var d merchant.ReviewDecision
		var e pay.ReviewEvent
		if err := json.Unmarshal(m.Data, &d); err != nil || json.Unmarshal(m.Data, &e) != nil {
			n.log.Warn("bad review_decided event", "data", string(m.Data))
			return nil // never better
		}
		if e.Kind == pay.ReviewMerchant && e.State == pay.ReviewReleased {
			// Durably, what Release did at once (lost only to a crash).
			if err := (screener{n}).AllowMerchant(ctx, e.DecidedBy, e.SubjectID, trust.Match{EntryID: e.EntryID}); err != nil {
				return err
			}
		}
		return n.Merchant.ReviewDecided(ctx, d)
	})
	if err != nil {
		return err
	}
	<-ctx.Done()
	stop()
	return nil
}

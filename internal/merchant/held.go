package merchant

// Screening holds, merchant's side. pay owns the review items (they hold
// money); merchant asks, through Screening, that a new merchant's name be
// screened (a match opens a review and suspends the merchant until it is
// released), and completes or closes an order whose payment was held once
// the review is decided (ReviewDecided, fed from pay's review_decided
// event by the node, durably and at least once).

import (
	"context"
	"errors"
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Screening is what merchant needs of screening (trust's engine and pay's
// review items, through the node).
type Screening interface {
	// ScreenMerchant screens a merchant's name; a match opens a review of
	// the merchant (it is suspended from then on).
	ScreenMerchant(ctx context.Context, mchid, name, region string) error
	// MerchantSuspended reports whether the merchant's latest review is
	// open or rejected.
	MerchantSuspended(ctx context.Context, mchid string) (bool, error)
}

// MerchantUnderReview is paying a merchant suspended by screening (422).
const MerchantUnderReview = "merchant_under_review"

func init() { errs.Register(MerchantUnderReview, http.StatusUnprocessableEntity) }

// suspended reports whether screening keeps m from taking payments.
func (s *Service) suspended(ctx context.Context, mchid string) (bool, error) {
	if s.screening == nil {
		return false, nil
	}
	return s.screening.MerchantSuspended(ctx, mchid)
}

// ReviewDecision is what ReviewDecided needs of pay's review_decided
// event (its JSON names; merchant does not import pay).
type ReviewDecision struct {
	ReviewID   string `json:"review_id"`
	Kind       string `json:"kind"`  // "payment" is an order's; others are not merchant's
	State      string `json:"state"` // released | rejected
	PayerID    string `json:"payer_id"`
	MchID      string `json:"mchid"`
	Amount     int64  `json:"amount"`
	Currency   string `json:"currency"`
	Reference  string `json:"reference"` // the order's transaction_id
	TransferID string `json:"transfer_id"`
}

// ReviewDecided finishes an order whose payment was held for review:
// released, the order is paid (as at Confirm: the order's state, the
// merchant's notification and the payment_succeeded event commit
// together, once, however often the decision is delivered); rejected (the
// money went back to the payer), the order is closed. Released after the
// order was closed meanwhile, the money is refunded to the payer.
func (s *Service) ReviewDecided(ctx context.Context, d ReviewDecision) error {
	if d.Kind != "payment" || d.Reference == "" {
		return nil
	}
	o, err := s.orderBy(ctx, selectOrderByTransactionID, d.Reference)
	if errors.Is(err, errOrderNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.State != "released" {
		_, err := s.db.Exec(ctx, closeOrder, o.TransactionID)
		return err
	}
	m, err := s.Merchant(ctx, o.MchID)
	if err != nil {
		return err
	}
	paid := false
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		openid := s.OpenID(o.AppID, d.PayerID)
		res, err := tx.Exec(ctx, payHeldOrder, d.PayerID, openid, sqldb.Micro(now), d.TransferID, o.TransactionID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		paid = true
		o.TradeState, o.PayerOpenID, o.PayerUserID, o.SuccessTime = StateSuccess, openid, d.PayerID, &now
		if err := s.enqueue(ctx, tx, m, o.NotifyURL, "TRANSACTION.SUCCESS", "transaction", "支付成功", o.TransactionID, s.transaction(o)); err != nil {
			return err
		}
		return addEvent(ctx, tx, PaymentSucceededSubject, PaymentSucceeded{TransactionID: o.TransactionID, PrepayID: o.PrepayID,
			MchID: o.MchID, AppID: o.AppID, OutTradeNo: o.OutTradeNo, TradeType: o.TradeType, Amount: o.Total, Currency: o.Currency,
			PayerUserID: d.PayerID, TransferID: d.TransferID, At: now.UTC()})
	})
	if err != nil || paid {
		return err
	}
	var payer, transfer string
	if err := s.db.QueryRow(ctx, selectOrderPayerByID, o.TransactionID).Scan(&payer, &transfer); err != nil {
		return err
	}
	if transfer == d.TransferID {
		return nil // delivered again: paid before
	}
	// Closed meanwhile (by the merchant, or erased): the released money
	// goes back to the payer, once (the refund's key).
	err = s.ledger.RefundPayment(ctx, o.MchID, d.PayerID, Money{Amount: d.Amount, Currency: d.Currency}, o.TransactionID, "held:"+d.ReviewID,
		func(*sqldb.Tx, string) error { return nil })
	if err != nil && sqldb.IsUniqueViolation(err) {
		return nil
	}
	return err
}

// screenMerchant screens a created or renamed merchant.
func (s *Service) screenMerchant(ctx context.Context, m Merchant) error {
	if s.screening == nil {
		return nil
	}
	return s.screening.ScreenMerchant(ctx, m.MchID, m.Name, m.Region)
}

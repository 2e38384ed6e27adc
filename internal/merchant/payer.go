package merchant

import (
	"context"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Prepay is what a payer is asked to confirm.
type Prepay struct {
	PrepayID    string     `json:"prepay_id"`
	Merchant    prepayMch  `json:"merchant"`
	Description string     `json:"description"`
	Amount      Money      `json:"amount"`
	TradeType   string     `json:"trade_type"`
	TradeState  string     `json:"trade_state"`
	OutTradeNo  string     `json:"out_trade_no"`
	ExpiresAt   time.Time  `json:"expires_at"`
	PaidAt      *time.Time `json:"paid_at,omitempty"`
}

type prepayMch struct {
	MchID string `json:"mchid"`
	Name  string `json:"name"`
}

// PrepayFor shows an order to a would-be payer. A JSAPI order shows only
// to the user whose openid it names. Errors: not_found.
func (s *Service) PrepayFor(ctx context.Context, userID, prepayID string) (Prepay, error) {
	o, err := s.orderBy(ctx, selectOrderByPrepayID, prepayID)
	if err != nil {
		return Prepay{}, errs.E(errs.NotFound, "No such payment request.")
	}
	if o.TradeType == TradeJSAPI && o.PayerOpenID != s.OpenID(o.AppID, userID) {
		return Prepay{}, errs.E(errs.NotFound, "No such payment request.")
	}
	if !livePayerMayView(o, userID) { // a live room's order is its buyer's alone
		return Prepay{}, errs.E(errs.NotFound, "No such payment request.")
	}
	m, err := s.Merchant(ctx, o.MchID)
	if err != nil {
		return Prepay{}, err
	}
	p := Prepay{PrepayID: o.PrepayID, Merchant: prepayMch{m.MchID, m.Name}, Description: o.Description,
		Amount: Money{Amount: o.Total, Currency: o.Currency}, TradeType: o.TradeType, TradeState: s.state(o),
		OutTradeNo: o.OutTradeNo, ExpiresAt: o.ExpiresAt, PaidAt: o.SuccessTime}
	return p, nil
}

// Confirm pays an order from the user's wallet after the PIN: the money,
// the order's state and the merchant's notification commit together.
// Errors: not_found, conflict (paid already), order_closed, and the
// wallet's (wrong_pin, insufficient_funds, …), blocked_by_policy (a trust
// policy blocks this payer from paying the merchant or app; nothing moves
// and the PIN is not checked).
func (s *Service) Confirm(ctx context.Context, userID, prepayID, pin string) (Payment, error) {
	p, err := s.PrepayFor(ctx, userID, prepayID)
	if err != nil {
		return Payment{}, err
	}
	switch p.TradeState {
	case StateSuccess, StateRefund:
		return s.paidAlready(ctx, userID, prepayID)
	case StateClosed:
		return Payment{}, errs.E(OrderClosed, "This order is closed or expired; ask the shop for a new one.")
	}
	o, err := s.orderBy(ctx, selectOrderByPrepayID, prepayID)
	if err != nil {
		return Payment{}, err
	}
	m, err := s.Merchant(ctx, o.MchID)
	if err != nil {
		return Payment{}, err
	}
	if gone, err := s.closed(ctx, m); err != nil || gone {
		if err != nil {
			return Payment{}, err
		}
		return Payment{}, errs.E(MerchantClosed, "This shop has closed and takes no payments.")
	}
	if err := s.allowPayer(ctx, userID, o.MchID, o.AppID); err != nil {
		return Payment{}, err
	}
	if held, err := s.suspended(ctx, o.MchID); err != nil || held {
		if err != nil {
			return Payment{}, err
		}
		return Payment{}, errs.E(MerchantUnderReview, "This shop is under review and takes no payments for now.")
	}
	t, err := s.ledger.Charge(ctx, userID, pin, o.MchID, m.Name, Money{Amount: o.Total, Currency: o.Currency}, o.TransactionID, m.Name+" · "+o.Description,
		func(tx *sqldb.Tx, transferID string) error {
			now := s.now()
			openid := s.OpenID(o.AppID, userID)
			res, err := tx.Exec(ctx, payOrder, userID, openid, sqldb.Micro(now), transferID, o.TransactionID, sqldb.Micro(now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return errs.E(errs.Conflict, "This order was paid or closed meanwhile.")
			}
			o.TradeState, o.PayerOpenID, o.PayerUserID, o.SuccessTime = StateSuccess, openid, userID, &now
			if err := s.enqueue(ctx, tx, m, o.NotifyURL, "TRANSACTION.SUCCESS", "transaction", "支付成功", o.TransactionID, s.transaction(o)); err != nil {
				return err
			}
			return addEvent(ctx, tx, PaymentSucceededSubject, PaymentSucceeded{TransactionID: o.TransactionID, PrepayID: o.PrepayID,
				MchID: o.MchID, AppID: o.AppID, OutTradeNo: o.OutTradeNo, TradeType: o.TradeType, Amount: o.Total, Currency: o.Currency,
				PayerUserID: userID, TransferID: transferID, At: now.UTC()})
		})
	if errs.Is(err, errs.Conflict) {
		// Paid meanwhile — by another payer, or by this one's other
		// request on another node: the same answers as after the fact.
		if now, perr := s.PrepayFor(ctx, userID, prepayID); perr == nil && (now.TradeState == StateSuccess || now.TradeState == StateRefund) {
			return s.paidAlready(ctx, userID, prepayID)
		}
	}
	return t, err
}

// paidAlready answers a confirmation of a paid order: a retry by the payer
// (the first answer was lost) gets the first result; anyone else is told
// it is paid (409 conflict).
func (s *Service) paidAlready(ctx context.Context, userID, prepayID string) (Payment, error) {
	var payerID, transfer string
	if err := s.db.QueryRow(ctx, selectOrderPayer, prepayID).Scan(&payerID, &transfer); err == nil && payerID == userID && transfer != "" {
		return s.ledger.Transaction(ctx, userID, transfer)
	}
	return Payment{}, errs.E(errs.Conflict, "This order is paid already.")
}

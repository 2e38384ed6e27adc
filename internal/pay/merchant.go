package pay

import (
	"context"
	"database/sql"
	"errors"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// Merchant payments: the ledger side of the WeChat Pay v3 merchant API
// (package merchant, through its Ledger interface), which owns orders and
// refunds and calls these.

const (
	KindPayment = "payment"
	KindRefund  = "refund"
)

func merchantAcct(mchid, currency string) acct { return acct{"merchant", mchid, currency} }

// Charge moves an order's amount from the payer's wallet to the merchant's
// settlement account after checking the payer's PIN, and runs within — the
// order's own state change and notification — in the same transaction.
// within's error rolls everything back. Errors: the PIN's,
// insufficient_funds, invalid_argument, conflict (the reference is paid).
//
// Screening: the payer (display name) and the merchant (mchName) are
// screened first; a match holds the amount for review (Status "held",
// within is not run: the order stays unpaid). Released, the money goes to
// the merchant under the payment's own key and the review_decided event
// tells merchant to complete the order; rejected, it returns to the
// payer. A held order cannot be paid again meanwhile (conflict).
func (s *Service) Charge(ctx context.Context, payerID, pin, mchid, mchName string, m Money, reference, note string,
	within func(tx *sqldb.Tx, transferID string) error) (Transaction, error) {
	cur, err := checkMoney("amount", m.Amount, m.Currency)
	if err != nil {
		return Transaction{}, err
	}
	var held *hit
	if s.screener != nil {
		payer, err := s.partyOf(ctx, payerID)
		if err != nil {
			return Transaction{}, err
		}
		mch := trust.Party{Type: trust.PartyMerchant, ID: mchid, Name: mchName}
		if held, err = s.screen(ctx, payer, mch); err != nil {
			return Transaction{}, err
		}
	}
	var t Transaction
	var replayHold string
	// On the merchant's writer: a busy shop's payments batch together.
	key, locks := "mch:"+mchid, []acct{userAcct(payerID, cur), merchantAcct(mchid, cur)}
	if held != nil {
		key = systemKey // the review account
	}
	err = s.runLocked(ctx, key, locks, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		replayHold = ""
		if refusal, err := s.checkPIN(ctx, tx, payerID, pin, "payment"); refusal != nil || err != nil {
			return refusal, err
		}
		// Paid already (by another payer, perhaps on another node a moment
		// ago): the order's refusal, not a unique-key failure. A race
		// lost inside the database comes back here through run's retry.
		var paid int64
		if err := tx.QueryRow(ctx, selectTransferAmount, "pay:"+reference).Scan(&paid); err == nil {
			return errs.E(errs.Conflict, "This order is paid already."), nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		var heldBy, holdTransfer string
		if err := tx.QueryRow(ctx, selectOpenPaymentHold, ReviewPayment, reference).Scan(&heldBy, &holdTransfer); err == nil {
			if heldBy == payerID {
				// The payer's retry: the first answer, still held.
				replayHold = holdTransfer
				return nil, nil
			}
			return errs.E(errs.Conflict, "This order's payment is held for review."), nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if held != nil {
			cp := &ReviewParty{Type: trust.PartyMerchant, ID: mchid, Name: mchName}
			if held.party.Type == trust.PartyMerchant {
				cp = &ReviewParty{Type: trust.PartyUser, ID: payerID}
			}
			_, mv, err := s.openHold(ctx, tx, hold{kind: ReviewPayment, hit: held, from: userAcct(payerID, cur), payerID: payerID,
				mchid: mchid, amount: m.Amount, currency: cur, reference: reference, memo: note, transferKind: KindPayment,
				details: reviewDetails{Counterparty: cp}})
			if errs.Is(err, InsufficientFunds) {
				return err, nil
			}
			if err != nil {
				return nil, err
			}
			t = Transaction{ID: mv.ID, Kind: KindPayment, Amount: m.Amount, Currency: cur, Direction: "out", Note: note,
				Status: StatusHeld, Reference: reference, CreatedAt: s.now().UTC()}
			s.afterBalance(tx, payerID, cur, mv.DebitBalance)
			return nil, nil
		}
		mv, err := move(ctx, tx, userAcct(payerID, cur), merchantAcct(mchid, cur), m.Amount, KindPayment, reference, note, "pay:"+reference, s.now())
		if errs.Is(err, InsufficientFunds) {
			return err, nil
		}
		if err != nil {
			return nil, err
		}
		if err := within(tx, mv.ID); err != nil {
			return nil, err
		}
		t = Transaction{ID: mv.ID, Kind: KindPayment, Amount: m.Amount, Currency: cur, Direction: "out", Note: note,
			Status: "succeeded", Reference: reference, CreatedAt: s.now().UTC()}
		s.afterBalance(tx, payerID, cur, mv.DebitBalance)
		return nil, nil
	})
	if err == nil && replayHold != "" {
		t, err = s.transaction(ctx, payerID, replayHold)
		t.heldFirst = true
	}
	return t, err
}

// RefundPayment moves money back from the merchant's settlement account
// to the payer, once per key, and runs within in the same transaction.
// Errors: insufficient_funds (the merchant's balance is short).
func (s *Service) RefundPayment(ctx context.Context, mchid, payerID string, m Money, reference, key string,
	within func(tx *sqldb.Tx, transferID string) error) error {
	locks := []acct{merchantAcct(mchid, m.Currency), userAcct(payerID, m.Currency)}
	return s.runLocked(ctx, "mch:"+mchid, locks, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		mv, err := move(ctx, tx, merchantAcct(mchid, m.Currency), userAcct(payerID, m.Currency), m.Amount, KindRefund, reference, "", "refund:"+key, s.now())
		if errs.Is(err, InsufficientFunds) {
			return err, nil
		}
		if err != nil {
			return nil, err
		}
		if err := within(tx, mv.ID); err != nil {
			return nil, err
		}
		s.afterBalance(tx, payerID, m.Currency, mv.CreditBalance)
		return nil, nil
	})
}

// MerchantBalance is a merchant's settlement balance in currency: 0 for a
// merchant never paid in it (no account yet); a failed read is an error.
func (s *Service) MerchantBalance(ctx context.Context, mchid, currency string) (int64, error) {
	var b int64
	err := s.db.QueryRow(ctx, selectBalance, merchantAcct(mchid, currency).id()).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return b, nil
}

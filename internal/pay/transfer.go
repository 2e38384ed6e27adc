package pay

import (
	"context"
	"database/sql"
	"errors"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/trust"
	"strings"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Transfer sends money to another user, with a note, after checking the
// PIN; it also shows as a transfer message in their direct conversation.
// Errors: invalid_argument (amount, currency, oneself), not_found (no such
// user), insufficient_funds, wrong_pin, pin_locked, pin_not_set,
// idempotency_mismatch, blocked_by_policy (a trust policy names the payer
// or the payee for payments: checked before the PIN, nothing changes).
// When screening matches the payer or the payee, the PIN is checked and
// the money is held for review instead (Status "held", Reference the
// review's id; Held reports it).
func (s *Service) Transfer(ctx context.Context, r Request, username string, amount int64, currency, note, pin string) (Transaction, bool, error) {
	return s.transfer(ctx, r, username, amount, currency, note, pin, false)
}

// transfer is Transfer, or with accept TransferToAccept (accept.go).
func (s *Service) transfer(ctx context.Context, r Request, username string, amount int64, currency, note, pin string, accept bool) (Transaction, bool, error) {
	cur, err := checkMoney("amount", amount, currency)
	if err != nil {
		return Transaction{}, false, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 100 {
		return Transaction{}, false, errs.Field("note", "A note has at most 100 characters.")
	}
	to, err := s.accounts.UserByUsername(ctx, username)
	if err != nil {
		return Transaction{}, false, err
	}
	if to.ID == r.UserID {
		return Transaction{}, false, errs.Field("username", "You cannot transfer money to yourself.")
	}
	if err := s.unlessAnswered(ctx, r, s.allowPayment(ctx, r.UserID, to.ID)); err != nil {
		return Transaction{}, false, err
	}
	held, err := s.screenTransfer(ctx, r.UserID, to)
	if err != nil {
		return Transaction{}, false, err
	}
	convID := ""
	if s.convs != nil {
		if convID, err = s.convs.DirectID(ctx, r.UserID, to.ID); err != nil {
			return Transaction{}, false, err
		}
	}
	var t Transaction
	var replay bool
	// A plain transfer changes the two wallets only, on the payee's writer
	// (so that many paying one account batch together on one writer rather
	// than queue for its lock on all of them); one held or awaiting
	// acceptance also changes a system account, on the system writer.
	key, locks := "to:"+to.ID, []acct{userAcct(r.UserID, cur), userAcct(to.ID, cur)}
	if held != nil || accept {
		key = systemKey
	}
	var fastMove moved
	var ahead *sqldb.Ahead
	if held == nil && !accept {
		ahead = s.authorizedMove(r, pin, "transfer", userAcct(r.UserID, cur), userAcct(to.ID, cur), amount,
			KindTransfer, note, ids.New("tk"), s.now(), &fastMove)
	}
	err = s.runLockedAhead(ctx, key, locks, ahead, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		var m moved
		fast := false
		if ahead != nil {
			switch err := tx.Ahead(ctx); {
			case err == nil:
				m, fast = fastMove, true
			case !errors.Is(err, sql.ErrNoRows):
				return nil, err
			}
		}
		var stop bool
		var refusal, err error
		if !fast {
			if stop, replay, refusal, err = s.authorize(ctx, tx, r, pin, "transfer", &t); stop {
				return refusal, err
			}
		}
		status := "succeeded"
		reference := ""
		if fast {
			// Authorized and moved in one statement.
		} else if held != nil {
			// Screening matched: the money goes to the review account, the
			// answer is 202 held (PIN checked: the payer authorised it).
			status = StatusHeld
			reference, m, err = s.openHold(ctx, tx, hold{kind: ReviewTransfer, hit: held, from: userAcct(r.UserID, cur),
				payerID: r.UserID, payeeID: to.ID, amount: amount, currency: cur, memo: note, transferKind: KindTransfer,
				details: reviewDetails{Counterparty: counterpartyOf(held, r.UserID, to), AcceptRequired: accept}})
		} else if accept {
			status = StatusPendingAcceptance
			m, err = s.openAcceptance(ctx, tx, pendingTransfer{from: userAcct(r.UserID, cur), payerID: r.UserID, payeeID: to.ID,
				amount: amount, currency: cur, note: note})
		} else {
			m, err = move(ctx, tx, userAcct(r.UserID, cur), userAcct(to.ID, cur), amount, KindTransfer, "", note, ids.New("tk"), s.now())
		}
		if errs.Is(err, InsufficientFunds) {
			return err, nil // nothing moved; the PIN attempt is kept
		}
		if err != nil {
			return nil, err
		}
		t = Transaction{ID: m.ID, Kind: KindTransfer, Amount: amount, Currency: cur, Direction: "out", Note: note, Status: status,
			Reference: reference, Counterparty: &Counterparty{ID: to.ID, Username: to.Username, DisplayName: to.DisplayName}, CreatedAt: s.now().UTC()}
		if accept && held == nil {
			t.Acceptance = &Acceptance{State: AcceptPending, ExpiresAt: t.CreatedAt.Add(s.acceptTTL)}
		}
		if held == nil && !accept {
			if err := transferCompleted(ctx, tx, TransferCompleted{TransferID: m.ID, FromUserID: r.UserID, ToUserID: to.ID,
				Amount: amount, Currency: cur, Kind: KindTransfer, At: t.CreatedAt}); err != nil {
				return nil, err
			}
		}
		if convID != "" {
			text := Format(amount, cur)
			if note != "" {
				text += " · " + note
			}
			if _, err := s.convs.Post(ctx, tx, convID, r.UserID, "transfer", text, m.ID, "transfer:"+m.ID); err != nil {
				return nil, err
			}
		}
		if held != nil {
			crashPoint("hold:moved")
		}
		s.afterBalance(tx, r.UserID, cur, m.DebitBalance)
		if held == nil && !accept {
			s.afterBalance(tx, to.ID, cur, m.CreditBalance)
		}
		return nil, s.save(ctx, tx, r, t)
	})
	return s.answer(ctx, r.UserID, t, replay, err)
}

// screenTransfer screens the payer and the payee of a transfer.
func (s *Service) screenTransfer(ctx context.Context, payerID string, to account.User) (*hit, error) {
	if s.screener == nil {
		return nil, nil
	}
	payer, err := s.partyOf(ctx, payerID)
	if err != nil {
		return nil, err
	}
	return s.screen(ctx, payer, userParty(to.ID, to.Username, to.DisplayName))
}

// counterpartyOf is the other side of a held transfer, as its review shows
// it: the payee when the payer matched, the payer when the payee did.
func counterpartyOf(h *hit, payerID string, to account.User) *ReviewParty {
	if h.party.ID == payerID {
		p := userParty(to.ID, to.Username, to.DisplayName)
		return &ReviewParty{Type: p.Type, ID: p.ID, Name: p.Name}
	}
	return &ReviewParty{Type: trust.PartyUser, ID: payerID}
}

package pay

// Screening holds: a movement whose payer or payee scores at or above the
// review threshold against a watch-list entry (trust's Screen) is not
// paid. Its money moves, in the same transaction as the review row, the
// idempotency answer and the review_opened event, from the payer to the
// review account (review:screening:CUR); an administrator's decision moves
// it on (release) or back to the payer (reject), once: the decision is a
// conditional state change (open → released | rejected) in the same
// transaction as the money it moves.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// Screener is the screening question pay asks trust before money moves:
// p's best match at or above the review threshold, or nil when p is clear.
type Screener interface {
	Screen(ctx context.Context, p trust.Party) (*trust.Match, error)
}

// MerchantAllower is what a Screener may also do: record a released
// merchant review's match as a false positive (trust's allow list), so
// that the merchant's payments are not held again for the entry its
// creation was reviewed and cleared for.
type MerchantAllower interface {
	AllowMerchant(ctx context.Context, adminID, mchid string, m trust.Match) error
}

// Review states.
const (
	ReviewOpen     = "open"
	ReviewReleased = "released"
	ReviewRejected = "rejected"
)

// Review kinds: the movement held.
const (
	ReviewTransfer   = "transfer"
	ReviewRedPacket  = "red_packet"
	ReviewClaim      = "red_packet_claim"
	ReviewWithdrawal = "withdrawal"
	ReviewPayment    = "payment"
	// ReviewMerchant holds no money: a merchant whose name matched takes
	// no payments until it is released.
	ReviewMerchant = "merchant"
)

// KindReviewReturn is the transfer that gives a rejected hold back to its
// payer.
const KindReviewReturn = "review_return"

// StatusHeld is the status of a transaction held for review; released it
// reads "succeeded", rejected "rejected".
const StatusHeld = "held"

// acctReview is the account of money held by screening, one per currency.
const acctReview = "review"

func reviewAcct(currency string) acct { return acct{acctReview, "screening", currency} }

// ReviewParty is one side of a held movement.
type ReviewParty struct {
	Type    string `json:"type"` // user | merchant
	ID      string `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country,omitempty"`
}

// Review is a held movement as administrators see it.
type Review struct {
	ID          string `json:"id"`
	State       string `json:"state"`
	Kind        string `json:"kind"`
	SubjectType string `json:"subject_type"`
	SubjectID   string `json:"subject_id"`
	// Subject is the party that matched, as it was screened.
	Subject ReviewParty `json:"subject"`
	// Counterparty is the other side of the movement (nil for a
	// withdrawal, a red packet sent, a merchant's own review).
	Counterparty *ReviewParty `json:"counterparty"`
	PayerID      string       `json:"payer_id,omitempty"`
	Amount       int64        `json:"amount"`
	Currency     string       `json:"currency"`
	Reference    string       `json:"reference,omitempty"`
	// TransactionID is the hold's ledger transfer (the payer's
	// transaction).
	TransactionID string      `json:"transaction_id,omitempty"`
	Match         trust.Match `json:"match"`
	CreatedAt     time.Time   `json:"created_at"`
	DecidedBy     string      `json:"decided_by"`
	// DecidedByName is the deciding administrator's username, as it is
	// now ("" while open, or for an account since erased).
	DecidedByName string     `json:"decided_by_name,omitempty"`
	DecidedAt     *time.Time `json:"decided_at"`
	Note          string     `json:"note"`
}

// hit is a party that matched, with its match.
type hit struct {
	party trust.Party
	match trust.Match
}

// screen asks the screener about each party (skipping nameless ones) and
// answers the first that matched, or nil. A screener's failure is an
// error: money does not move unscreened.
func (s *Service) screen(ctx context.Context, parties ...trust.Party) (*hit, error) {
	if s.screener == nil {
		return nil, nil
	}
	for _, p := range parties {
		if p.ID == "" || strings.TrimSpace(p.Name) == "" {
			continue
		}
		p = s.withCountry(ctx, p)
		m, err := s.screener.Screen(ctx, p)
		if err != nil {
			return nil, err
		}
		if m != nil {
			return &hit{party: p, match: *m}, nil
		}
	}
	return nil, nil
}

// userLookup is the account service's full view of a user (with the
// region, which pay's Accounts leave out of public profiles).
type userLookup interface {
	User(ctx context.Context, id string) (account.User, error)
}

// withCountry gives a user party their account's region as Country, when
// the accounts can tell (the review keeps it beside the match).
func (s *Service) withCountry(ctx context.Context, p trust.Party) trust.Party {
	if p.Type != trust.PartyUser || p.Country != "" {
		return p
	}
	if ul, ok := s.accounts.(userLookup); ok {
		if u, err := ul.User(ctx, p.ID); err == nil {
			p.Country = u.Region
		}
	}
	return p
}

// userParty is a user as screening sees them: the display name (the
// username when there is none).
func userParty(id, username, displayName string) trust.Party {
	name := displayName
	if strings.TrimSpace(name) == "" {
		name = username
	}
	return trust.Party{Type: trust.PartyUser, ID: id, Name: name}
}

// screenUser screens one user (a withdrawal's payer, a red packet's
// sender or claimer).
func (s *Service) screenUser(ctx context.Context, userID string) (*hit, error) {
	if s.screener == nil {
		return nil, nil
	}
	p, err := s.partyOf(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.screen(ctx, p)
}

// partyOf is a user as screening sees them, with their region when the
// accounts tell it (one read).
func (s *Service) partyOf(ctx context.Context, userID string) (trust.Party, error) {
	if ul, ok := s.accounts.(userLookup); ok {
		u, err := ul.User(ctx, userID)
		if err != nil {
			return trust.Party{}, err
		}
		p := userParty(userID, u.Username, u.DisplayName)
		p.Country = u.Region
		return p, nil
	}
	users, err := s.accounts.UsersByIDs(ctx, []string{userID})
	if err != nil {
		return trust.Party{}, err
	}
	u := users[userID]
	return userParty(userID, u.Username, u.DisplayName), nil
}

// reviewDetails is what a release needs to finish the movement, and the
// counterparty as it was when held.
type reviewDetails struct {
	ConvID       string       `json:"conv_id,omitempty"`
	Count        int          `json:"count,omitempty"`
	Split        string       `json:"split,omitempty"`
	Greeting     string       `json:"greeting,omitempty"`
	RedPacketID  string       `json:"red_packet_id,omitempty"`
	WithdrawalID string       `json:"withdrawal_id,omitempty"`
	Rail         string       `json:"rail,omitempty"`
	Counterparty *ReviewParty `json:"counterparty,omitempty"`
	// AcceptRequired: a transfer that waits for its payee once released
	// (accept.go).
	AcceptRequired bool `json:"accept_required,omitempty"`
}

// hold is one movement to hold.
type hold struct {
	kind             string
	hit              *hit
	from             acct // the payer's wallet, or the escrow a claim takes from
	payerID, payeeID string
	mchid            string
	amount           int64
	currency         string
	reference        string
	memo             string
	transferKind     string
	details          reviewDetails
}

// openHold moves h's money to the review account and opens its review, in
// tx. Errors: insufficient_funds (nothing written).
func (s *Service) openHold(ctx context.Context, tx *sqldb.Tx, h hold) (string, moved, error) {
	id := ids.New("rv")
	now := s.now()
	var m moved
	if h.amount > 0 {
		var err error
		m, err = move(ctx, tx, h.from, reviewAcct(h.currency), h.amount, h.transferKind, id, h.memo, "rvh:"+id, now)
		if err != nil {
			return "", moved{}, err
		}
	}
	details, err := json.Marshal(h.details)
	if err != nil {
		return "", moved{}, err
	}
	p, mt := h.hit.party, h.hit.match
	if _, err := tx.Exec(ctx, insertReview, id, h.kind, p.Type, p.ID, p.Name, p.Country, h.payerID, h.payeeID, h.mchid,
		h.amount, h.currency, h.reference, h.memo, string(details), m.ID, mt.EntryID, mt.Name, mt.Score, mt.Program, mt.List,
		mt.ListHash, sqldb.Micro(now)); err != nil {
		// A unique violation (another node opened this reference's review
		// a moment ago) rolls back; run's retry then finds the open review.
		return "", moved{}, err
	}
	err = reviewEvent(ctx, tx, ReviewOpenedSubject, ReviewEvent{ReviewID: id, Kind: h.kind, State: ReviewOpen,
		SubjectType: p.Type, SubjectID: p.ID, PayerID: h.payerID, PayeeID: h.payeeID, MchID: h.mchid, Amount: h.amount,
		Currency: h.currency, Reference: h.reference, TransferID: m.ID, EntryID: mt.EntryID, EntryName: mt.Name, Score: mt.Score,
		Program: mt.Program, ListHash: mt.ListHash, At: now.UTC()})
	return id, m, err
}

// OpenMerchantReview opens a review of a merchant whose name matched (no
// money is held): merchant calls it when a merchant is created or renamed
// and m is its match. The review's reference is the mchid, so a merchant
// has at most one open review.
func (s *Service) OpenMerchantReview(ctx context.Context, mchid, name, region string, m trust.Match) (string, error) {
	var id string
	err := s.run(ctx, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		var open string
		if err := tx.QueryRow(ctx, selectOpenReviewOf, ReviewMerchant, mchid).Scan(&open); err == nil {
			return errs.E(errs.Conflict, "Merchant %s is under review already.", mchid), nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		var err error
		id, _, err = s.openHold(ctx, tx, hold{kind: ReviewMerchant, mchid: mchid, reference: mchid,
			hit: &hit{party: trust.Party{Type: trust.PartyMerchant, ID: mchid, Name: name, Country: region}, match: m}})
		return nil, err
	})
	return id, err
}

// crashAt is a test seam: the kill -9 tests set it in a child process to
// die at a named point of a hold or a decision (nil in production).
var crashAt func(point string)

func crashPoint(point string) {
	if crashAt != nil {
		crashAt(point)
	}
}

// MaxReviewNote is the longest note an administrator may give a decision.
const MaxReviewNote = 500

// Release pays a held movement on: a transfer or a red packet's share to
// its payee, a red packet into its conversation, a withdrawal to its rail,
// a merchant payment to the merchant (the order completes when merchant
// consumes the review_decided event); a merchant's review lets it take
// payments. Errors: not_found, conflict (decided already, perhaps a moment
// ago on another node), invalid_argument (the note).
func (s *Service) Release(ctx context.Context, adminID, id, note string) (Review, error) {
	return s.decide(ctx, adminID, id, note, ReviewReleased)
}

// Reject returns a held movement's money to its payer (a red packet's
// share to the packet's sender); a merchant's review keeps it suspended.
// Errors: as Release.
func (s *Service) Reject(ctx context.Context, adminID, id, note string) (Review, error) {
	return s.decide(ctx, adminID, id, note, ReviewRejected)
}

// reviewRow is a review as decide reads it back.
type reviewRow struct {
	kind, subjectType, subjectID, payerID, payeeID, mchid string
	amount                                                int64
	currency, reference, memo, details, holdTransfer      string
	entryID, entryName, program, listHash                 string
	score                                                 float64
}

func (s *Service) decide(ctx context.Context, adminID, id, note, state string) (Review, error) {
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > MaxReviewNote {
		return Review{}, errs.Field("note", "A note is at most %d characters of text.", MaxReviewNote)
	}
	var payout *payoutJob
	err := s.run(ctx, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		payout = nil
		now := s.now()
		var r reviewRow
		err := tx.QueryRow(ctx, decideReview, state, adminID, sqldb.Micro(now), note, id).Scan(&r.kind, &r.subjectType, &r.subjectID,
			&r.payerID, &r.payeeID, &r.mchid, &r.amount, &r.currency, &r.reference, &r.memo, &r.details, &r.holdTransfer,
			&r.entryID, &r.entryName, &r.score, &r.program, &r.listHash)
		if errors.Is(err, sql.ErrNoRows) {
			var st string
			if err := tx.QueryRow(ctx, selectReviewState, id).Scan(&st); errors.Is(err, sql.ErrNoRows) {
				return errs.E(errs.NotFound, "No review %q.", id), nil
			} else if err != nil {
				return nil, err
			}
			return errs.E(errs.Conflict, "This review was %s already.", st), nil
		}
		if err != nil {
			return nil, err
		}
		var d reviewDetails
		if err := json.Unmarshal([]byte(r.details), &d); err != nil {
			return nil, err
		}
		transferID := ""
		if state == ReviewReleased {
			transferID, payout, err = s.releaseMoney(ctx, tx, id, r, d, now)
		} else if r.amount > 0 {
			var m moved
			m, err = move(ctx, tx, reviewAcct(r.currency), userAcct(r.payerID, r.currency), r.amount, KindReviewReturn, id, r.memo, "rvx:"+id, now)
			transferID = m.ID
			if err == nil {
				s.afterBalance(tx, r.payerID, r.currency, m.CreditBalance)
			}
		}
		if err != nil {
			return nil, err
		}
		if r.kind == ReviewTransfer && r.holdTransfer != "" && (state == ReviewRejected || !d.AcceptRequired) {
			// The chat's transfer cards of both sides read it again (a
			// released transfer to accept says so as it opens).
			s.transactionFrame(tx, []string{r.payerID, r.payeeID}, r.holdTransfer, map[string]string{ReviewReleased: "succeeded", ReviewRejected: "rejected"}[state])
		}
		crashPoint("decide:moved")
		return nil, reviewEvent(ctx, tx, ReviewDecidedSubject, ReviewEvent{ReviewID: id, Kind: r.kind, State: state,
			SubjectType: r.subjectType, SubjectID: r.subjectID, PayerID: r.payerID, PayeeID: r.payeeID, MchID: r.mchid,
			Amount: r.amount, Currency: r.currency, Reference: r.reference, TransferID: transferID, HoldTransferID: r.holdTransfer,
			EntryID: r.entryID, EntryName: r.entryName, Score: r.score, Program: r.program, ListHash: r.listHash,
			DecidedBy: adminID, Note: note, At: now.UTC()})
	})
	if err != nil {
		return Review{}, err
	}
	crashPoint("decide:committed")
	if payout != nil {
		// Committed: the withdrawal is pending with its hold, as if just
		// asked for; a crash from here on is the withdrawal's recovery's.
		if err := s.payout(context.WithoutCancel(ctx), payout.userID, payout.wdID, payout.amount, payout.currency); err != nil {
			s.log.Warn("released withdrawal", "withdrawal", payout.wdID, "err", err)
		}
	}
	rv, err := s.Review(ctx, id)
	if err != nil {
		return rv, err
	}
	// A merchant cleared at creation is cleared for that entry: without
	// this every payment to it would be held again for the same match.
	// Failing here holds its payments (the safe side); the node's
	// consumer of review_decided records it again, durably.
	if a, ok := s.screener.(MerchantAllower); ok && rv.Kind == ReviewMerchant && rv.State == ReviewReleased {
		if err := a.AllowMerchant(context.WithoutCancel(ctx), adminID, rv.SubjectID, rv.Match); err != nil {
			s.log.Warn("released merchant: recording the false positive", "review", id, "err", err)
		}
	}
	return rv, nil
}

// payoutJob is a released withdrawal to send to the rail after commit.
type payoutJob struct {
	userID, wdID, currency string
	amount                 int64
}

// releaseMoney moves a released review's money on, in tx, and answers the
// transfer that did.
func (s *Service) releaseMoney(ctx context.Context, tx *sqldb.Tx, id string, r reviewRow, d reviewDetails, now time.Time) (string, *payoutJob, error) {
	from := reviewAcct(r.currency)
	switch r.kind {
	case ReviewMerchant:
		return "", nil, nil
	case ReviewTransfer, ReviewClaim:
		if r.kind == ReviewTransfer && d.AcceptRequired {
			// Released, it waits for its payee (the transaction both know
			// stays the hold's).
			m, err := s.openAcceptance(ctx, tx, pendingTransfer{from: from, txID: r.holdTransfer, payerID: r.payerID,
				payeeID: r.payeeID, amount: r.amount, currency: r.currency, note: r.memo, reviewID: id})
			return m.ID, nil, err
		}
		kind := KindTransfer
		if r.kind == ReviewClaim {
			kind = KindRedPacketClaim
		}
		m, err := move(ctx, tx, from, userAcct(r.payeeID, r.currency), r.amount, kind, id, r.memo, "rvr:"+id, now)
		if err != nil {
			return "", nil, err
		}
		s.afterBalance(tx, r.payeeID, r.currency, m.CreditBalance)
		// The payee's transaction is the hold (history shows it to them);
		// the event names it, as consumers know it.
		return m.ID, nil, transferCompleted(ctx, tx, TransferCompleted{TransferID: r.holdTransfer, FromUserID: r.payerID, ToUserID: r.payeeID,
			Amount: r.amount, Currency: r.currency, Kind: kind, Reference: r.reference, At: now.UTC()})
	case ReviewRedPacket:
		rpID := d.RedPacketID
		m, err := move(ctx, tx, from, acct{acctEscrow, "red_packets", r.currency}, r.amount, KindRedPacketSend, rpID, d.Greeting, "rps:"+rpID, now)
		if err != nil {
			return "", nil, err
		}
		if _, err := tx.Exec(ctx, insertRedPacket, rpID, d.ConvID, r.payerID, r.currency, r.amount, d.Count, d.Split, d.Greeting,
			r.amount, d.Count, sqldb.Micro(now.Add(s.rpTTL)), sqldb.Micro(now)); err != nil {
			return "", nil, err
		}
		if s.convs != nil {
			if _, err := s.convs.Post(ctx, tx, d.ConvID, r.payerID, "red_packet", d.Greeting, rpID, "red_packet:"+rpID); err != nil {
				return "", nil, err
			}
		}
		return m.ID, nil, nil
	case ReviewWithdrawal:
		wdID := d.WithdrawalID
		m, err := move(ctx, tx, from, acct{acctHold, d.Rail, r.currency}, r.amount, KindWithdrawal, wdID, "", "wd:"+wdID, now)
		if err != nil {
			return "", nil, err
		}
		if _, err := tx.Exec(ctx, insertWithdrawal, wdID, r.payerID, r.amount, r.currency, d.Rail, sqldb.Micro(now), sqldb.Micro(now)); err != nil {
			return "", nil, err
		}
		var job *payoutJob
		if s.rail != nil && s.rail.Name() == d.Rail {
			job = &payoutJob{userID: r.payerID, wdID: wdID, currency: r.currency, amount: r.amount}
		}
		return m.ID, job, nil
	case ReviewPayment:
		// The payment's own key: the order reads as paid (Charge's check)
		// from this commit on.
		m, err := move(ctx, tx, from, merchantAcct(r.mchid, r.currency), r.amount, KindPayment, r.reference, r.memo, "pay:"+r.reference, now)
		return m.ID, nil, err
	}
	return "", nil, errs.E(errs.Internal, "A review of kind %q cannot be released.", r.kind)
}

// Review is one review. Errors: not_found.
func (s *Service) Review(ctx context.Context, id string) (Review, error) {
	rows, err := s.db.Query(ctx, selectReview, id)
	if err != nil {
		return Review{}, err
	}
	out, err := s.scanReviews(ctx, rows)
	if err != nil {
		return Review{}, err
	}
	if len(out) == 0 {
		return Review{}, errs.E(errs.NotFound, "No review %q.", id)
	}
	return out[0], nil
}

// Reviews lists reviews in state ("" for all), newest first, limit at a
// time before cursor (a review id). Errors: invalid_argument (state).
func (s *Service) Reviews(ctx context.Context, state, cursor string, limit int) ([]Review, string, error) {
	switch state {
	case "", ReviewOpen, ReviewReleased, ReviewRejected:
	default:
		return nil, "", errs.Field("state", "state is open, released or rejected.")
	}
	if cursor == "" {
		cursor = "~"
	}
	rows, err := s.db.Query(ctx, selectReviews, state, state, cursor, limit+1)
	if err != nil {
		return nil, "", err
	}
	out, err := s.scanReviews(ctx, rows)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

func (s *Service) scanReviews(ctx context.Context, rows *sql.Rows) ([]Review, error) {
	out := []Review{}
	err := sqldb.Each(rows, func(rows *sql.Rows) error {
		var r Review
		var details string
		var created, decided int64
		if err := rows.Scan(&r.ID, &r.State, &r.Kind, &r.Subject.Type, &r.Subject.ID, &r.Subject.Name, &r.Subject.Country,
			&r.PayerID, &r.Amount, &r.Currency, &r.Reference, &details, &r.TransactionID, &r.Match.EntryID, &r.Match.Name,
			&r.Match.Score, &r.Match.Program, &r.Match.List, &r.Match.ListHash, &created, &r.DecidedBy, &decided, &r.Note); err != nil {
			return err
		}
		r.SubjectType, r.SubjectID = r.Subject.Type, r.Subject.ID
		r.CreatedAt = sqldb.FromMicro(created)
		if decided != 0 {
			at := sqldb.FromMicro(decided)
			r.DecidedAt = &at
		}
		var d reviewDetails
		if err := json.Unmarshal([]byte(details), &d); err == nil {
			r.Counterparty = d.Counterparty
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// A counterparty kept by id only (a payer), and the administrator who
	// decided, are named as they are now.
	var need []string
	for _, r := range out {
		if c := r.Counterparty; c != nil && c.Type == trust.PartyUser && c.Name == "" {
			need = append(need, c.ID)
		}
		if r.DecidedBy != "" {
			need = append(need, r.DecidedBy)
		}
	}
	if len(need) > 0 && s.accounts != nil {
		users, err := s.accounts.UsersByIDs(ctx, need)
		if err != nil {
			return nil, err
		}
		for i := range out {
			if u, ok := users[out[i].DecidedBy]; ok && out[i].DecidedBy != "" {
				out[i].DecidedByName = u.Username
			}
			if c := out[i].Counterparty; c != nil && c.Type == trust.PartyUser && c.Name == "" {
				if u, ok := users[c.ID]; ok {
					p := userParty(u.ID, u.Username, u.DisplayName)
					c.Name = p.Name
				}
			}
		}
	}
	return out, nil
}

// payout asks the rail to pay a pending withdrawal and settles it as the
// rail answers; with no answer it stays pending for recovery
// (SettleStale).
func (s *Service) payout(ctx context.Context, userID, wdID string, amount int64, cur string) error {
	rctx, cancel := context.WithTimeout(ctx, railTimeout)
	ref, railErr := s.rail.Payout(rctx, userID, Money{amount, cur}, wdID)
	cancel()
	if railErr != nil && !errors.Is(railErr, ErrRailDeclined) {
		return railErr
	}
	if _, err := s.settle(ctx, wdID, railErr == nil, ref); err != nil {
		return err
	}
	return railErr
}

// MerchantSuspended reports whether screening suspended a merchant: its
// latest review is open (not decided yet) or rejected.
func (s *Service) MerchantSuspended(ctx context.Context, mchid string) (bool, error) {
	var state string
	err := s.db.QueryRow(ctx, selectReviewStateOf, ReviewMerchant, mchid).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return state != ReviewReleased, nil
}

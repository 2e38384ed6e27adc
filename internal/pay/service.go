package pay

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Config wires the service.
type Config struct {
	DB            *sqldb.DB
	Accounts      Accounts
	Conversations Conversations
	Notifier      Notifier
	// Rail is the funding rail of top-ups and withdrawals; nil answers
	// them rail_unavailable.
	Rail Rail
	// PINKey is the HMAC key of payment PINs, kept outside the database.
	PINKey []byte
	Log    *slog.Logger
	Now    func() time.Time
	// RedPacketTTL is how long a red packet may be claimed (24 h).
	RedPacketTTL time.Duration
	// JobEvery is how often Run refunds expired red packets (a minute).
	JobEvery time.Duration
}

// Service is the pay component's rules.
type Service struct {
	db       *sqldb.DB
	batch    *sqldb.Batcher
	accounts Accounts
	convs    Conversations
	notify   Notifier
	rail     Rail
	pinKey   []byte
	log      *slog.Logger
	now      func() time.Time
	rpTTL    time.Duration
	jobEvery time.Duration
}

// NewService makes the pay service; Close stops its batcher. Its error is
// a statement that failed to prepare.
func NewService(c Config) (*Service, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.RedPacketTTL == 0 {
		c.RedPacketTTL = 24 * time.Hour
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.JobEvery <= 0 {
		c.JobEvery = time.Minute
	}
	if err := c.DB.Prepare(context.Background(), debitAccount, creditAccount, insertTransfer, selectPIN, insertAttempt, failPIN, okPIN); err != nil {
		return nil, fmt.Errorf("pay: %w", err)
	}
	// One writer shard: a batch holds its accounts' row locks until it
	// commits, so two shards moving money between the same accounts in
	// opposite directions could deadlock on PostgreSQL.
	batch, err := c.DB.NewBatcher(1, 256)
	if err != nil {
		return nil, fmt.Errorf("pay: %w", err)
	}
	return &Service{db: c.DB, batch: batch, accounts: c.Accounts, convs: c.Conversations,
		notify: c.Notifier, rail: c.Rail, pinKey: c.PINKey, log: c.Log, now: c.Now, rpTTL: c.RedPacketTTL, jobEvery: c.JobEvery}, nil
}

// Close finishes queued money jobs.
func (s *Service) Close() { s.batch.Close() }

// Request identifies a money-moving request for idempotency: the caller,
// the Idempotency-Key, and the fingerprint of its parameters.
type Request struct {
	UserID string
	Key    string
	Hash   string
}

// moneyJob is the body of one money transaction. A refusal commits what
// the job wrote (a PIN attempt's record) and is the caller's answer; err
// rolls everything back. ctx is the batcher's: never cancelled, so a
// client that gives up cannot abort the transaction its job shares.
type moneyJob func(ctx context.Context, tx *sqldb.Tx) (refusal error, err error)

func (s *Service) run(ctx context.Context, job moneyJob) error {
	for attempt := 0; ; attempt++ {
		var refusal error
		// Refusals come back as refusal, not as the job's error, so money
		// jobs rarely fail and may share transactions without savepoints.
		err := s.batch.DoChecked(ctx, "pay", func(ctx context.Context, tx *sqldb.Tx) error {
			var err error
			refusal, err = job(ctx, tx)
			return err
		})
		if err != nil && sqldb.IsUniqueViolation(err) && attempt < 2 {
			// Another transaction (another node) wrote the same key first —
			// an Idempotency-Key, a transfer key, a claim — and committed:
			// the job, run again, now sees it and answers as a retry does
			// (the first answer, or the refusal), never a 500. The batcher
			// ran the failing job alone, so only this job runs again.
			continue
		}
		if err != nil {
			return err
		}
		return refusal
	}
}

// Wallet is a user's balances (CNY always listed) and whether a PIN is set.
func (s *Service) Wallet(ctx context.Context, userID string) ([]Money, bool, error) {
	rows, err := s.db.Query(ctx, selectBalances, userID)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := []Money{}
	hasCNY := false
	for rows.Next() {
		var m Money
		if err := rows.Scan(&m.Currency, &m.Amount); err != nil {
			return nil, false, err
		}
		hasCNY = hasCNY || m.Currency == "CNY"
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	if !hasCNY {
		out = append([]Money{{0, "CNY"}}, out...)
	}
	var one int
	pinSet := s.db.QueryRow(ctx, `SELECT 1 FROM wallet_pins WHERE user_id = ?`, userID).Scan(&one) == nil
	return out, pinSet, nil
}

// Transfer sends money to another user, with a note, after checking the
// PIN; it also shows as a transfer message in their direct conversation.
// Errors: invalid_argument (amount, currency, oneself), not_found (no such
// user), insufficient_funds, wrong_pin, pin_locked, pin_not_set,
// idempotency_mismatch.
func (s *Service) Transfer(ctx context.Context, r Request, username string, amount int64, currency, note, pin string) (Transaction, bool, error) {
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
	convID := ""
	if s.convs != nil {
		if convID, err = s.convs.DirectID(ctx, r.UserID, to.ID); err != nil {
			return Transaction{}, false, err
		}
	}
	var t Transaction
	var replay bool
	err = s.run(ctx, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		var stop bool
		var refusal, err error
		if stop, replay, refusal, err = s.authorize(ctx, tx, r, pin, "transfer", &t); stop {
			return refusal, err
		}
		m, err := move(ctx, tx, userAcct(r.UserID, cur), userAcct(to.ID, cur), amount, KindTransfer, "", note, ids.New("tk"), s.now())
		if errs.Is(err, InsufficientFunds) {
			return err, nil // nothing moved; the PIN attempt is kept
		}
		if err != nil {
			return nil, err
		}
		t = Transaction{ID: m.ID, Kind: KindTransfer, Amount: amount, Currency: cur, Direction: "out", Note: note, Status: "succeeded",
			Counterparty: &Counterparty{ID: to.ID, Username: to.Username, DisplayName: to.DisplayName}, CreatedAt: s.now().UTC()}
		if convID != "" {
			text := Format(amount, cur)
			if note != "" {
				text += " · " + note
			}
			if _, err := s.convs.Post(ctx, tx, convID, r.UserID, "transfer", text, m.ID, "transfer:"+m.ID); err != nil {
				return nil, err
			}
		}
		s.afterBalance(tx, r.UserID, cur, m.DebitBalance)
		s.afterBalance(tx, to.ID, cur, m.CreditBalance)
		return nil, s.save(ctx, tx, r, t)
	})
	return s.answer(ctx, r.UserID, t, replay, err)
}

// authorize opens every PIN-protected money job: it checks the PIN
// (recording the attempt) and looks up the request's stored answer. When
// it returns stop, the job ends there with refusal (a wrong PIN, a key
// reused with other parameters) or with the stored answer decoded into
// prior and replay set.
func (s *Service) authorize(ctx context.Context, tx *sqldb.Tx, r Request, pin, purpose string, prior any) (stop, replay bool, refusal, err error) {
	if refusal, err := s.checkPIN(ctx, tx, r.UserID, pin, purpose); refusal != nil || err != nil {
		return true, false, refusal, err
	}
	stored, found, err := idempotency.Lookup(ctx, tx, r.UserID, r.Key, r.Hash)
	if err != nil {
		return true, false, err, nil // idempotency_mismatch: a refusal
	}
	if found {
		return true, true, nil, json.Unmarshal(stored.Body, prior)
	}
	return false, false, nil, nil
}

// answer is a money request's result: on a replay, the stored
// transaction as the ledger shows it now.
func (s *Service) answer(ctx context.Context, userID string, t Transaction, replay bool, err error) (Transaction, bool, error) {
	if err != nil {
		return Transaction{}, false, err
	}
	if replay {
		t, err = s.transaction(ctx, userID, t.ID)
	}
	return t, replay, err
}

func (s *Service) save(ctx context.Context, tx *sqldb.Tx, r Request, t Transaction) error {
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return idempotency.Save(ctx, tx, r.UserID, r.Key, r.Hash, http.StatusCreated, body)
}

// afterBalance pushes a user's new balance to their sockets once tx
// commits.
func (s *Service) afterBalance(tx *sqldb.Tx, userID, currency string, balance int64) {
	if s.notify == nil {
		return
	}
	tx.AfterCommit(func() {
		b, _ := json.Marshal(map[string]any{"type": "wallet", "balance": Money{balance, currency}})
		s.notify.PublishToUsers([]string{userID}, b)
	})
}

package pay

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Account kinds.
const (
	acctUser   = "user"
	acctEscrow = "escrow" // red packets in flight
	acctHold   = "hold"   // withdrawals in flight (one hold transfer each)
	acctRail   = "rail"   // a funding rail's clearing account: money outside Plaza
)

// acct names a ledger account.
type acct struct{ kind, owner, currency string }

func (a acct) id() string { return a.kind + ":" + a.owner + ":" + a.currency }

func userAcct(userID, currency string) acct { return acct{acctUser, userID, currency} }

// moved is one written transfer.
type moved struct {
	ID                          string
	DebitBalance, CreditBalance int64
}

// move writes one balanced transfer of amount from one account to another,
// with both balances, in tx. key makes it apply once: a second move with
// the same key fails on the unique index. Errors: insufficient_funds.
func move(ctx context.Context, tx *sqldb.Tx, from, to acct, amount int64, kind, reference, note, key string, now time.Time) (moved, error) {
	if from.currency != to.currency {
		return moved{}, errs.E(errs.InvalidArgument, "A transfer cannot cross currencies.")
	}
	at := sqldb.Micro(now)
	if from.kind == acctRail {
		if _, err := tx.Exec(ctx, ensureAccount, from.id(), from.kind, from.owner, from.currency, 1, at); err != nil {
			return moved{}, err
		}
	}
	m := moved{ID: ids.New("tx")}
	if tx.Dialect() == sqldb.Postgres && from.id() != to.id() {
		// One statement, one round trip: the debit (which refuses to go
		// below zero), the credit and the transfer row, or nothing.
		err := tx.QueryRow(ctx, moveInOneStatement, amount, from.id(), to.id(), to.kind, to.owner, to.currency, at,
			m.ID, kind, reference, note, key).Scan(&m.DebitBalance, &m.CreditBalance)
		if errors.Is(err, sql.ErrNoRows) {
			return moved{}, errs.E(InsufficientFunds, "Not enough money: this needs %s.", Format(amount, from.currency))
		}
		if err != nil {
			return moved{}, err
		}
		return m, nil
	}
	err := tx.QueryRow(ctx, debitAccount, amount, from.id(), amount).Scan(&m.DebitBalance)
	if errors.Is(err, sql.ErrNoRows) {
		return moved{}, errs.E(InsufficientFunds, "Not enough money: this needs %s.", Format(amount, from.currency))
	}
	if err != nil {
		return moved{}, err
	}
	if err := tx.QueryRow(ctx, creditAccount, to.id(), to.kind, to.owner, to.currency, amount, at).Scan(&m.CreditBalance); err != nil {
		return moved{}, err
	}
	if _, err := tx.Exec(ctx, insertTransfer, m.ID, kind, from.id(), to.id(), amount, from.currency, reference, note,
		key, m.DebitBalance, m.CreditBalance, at); err != nil {
		return moved{}, err
	}
	return m, nil
}

// authorizedMove is authorize and then move in one statement, on
// PostgreSQL, for the common case of a PIN-protected movement between two
// existing wallets: the PIN is right, not locked and has no failures to
// reset, and r's Idempotency-Key is new; the same statement writes the
// PIN attempt row. It is the job's statement ahead (sqldb.Ahead: a batch
// sends those of all its jobs in one round trip), nil when the case
// cannot be the common one (or on SQLite). When the statement finds no
// row nothing was written, and the job takes the long way, which gives
// the answer (a refusal, a replay, insufficient_funds); when it finds one,
// *m is the movement.
func (s *Service) authorizedMove(r Request, pin, purpose string, from, to acct, amount int64,
	kind, note, key string, now time.Time, m *moved) *sqldb.Ahead {
	if s.db.Dialect != sqldb.Postgres || from.id() == to.id() || from.currency != to.currency ||
		from.kind != acctUser || !validPIN(pin) {
		return nil
	}
	at := sqldb.Micro(now)
	m.ID = ids.New("tx")
	return &sqldb.Ahead{
		Query: authorizedMoveInOneStatement,
		Args: []any{r.UserID, s.pinHMAC(r.UserID, pin), at, r.Key, amount,
			from.id(), to.id(), to.kind, to.owner, to.currency, m.ID, kind, "", note, key, ids.New("pa"), purpose},
		Dest: []any{&m.DebitBalance, &m.CreditBalance},
	}
}

// lockAccounts locks the named ledger accounts in id order (a batch's
// first statement on PostgreSQL; see sqldb.Locker). An account that does
// not exist yet locks nothing: its first credit creates it.
func lockAccounts(names []string) (string, []any) {
	return lockAccountsInOrder, []any{names}
}

// LedgerCheck is what an audit of the ledger finds.
type LedgerCheck struct {
	Balanced      bool             `json:"balanced"`
	Sums          map[string]int64 `json:"sums"` // per currency; all zero when balanced
	Transfers     int64            `json:"transfers"`
	DuplicateKeys int64            `json:"duplicate_keys"`
	Negative      int64            `json:"negative_wallets"`
	// Replayed is true when every account's balance equals the replay of
	// its transfers.
	Replayed bool `json:"replayed"`
	// Reconciled is true when every account of money in flight (holds of
	// withdrawals, pending top-ups, red packets' escrow) holds exactly
	// what its open items hold, and no open item lacks its hold.
	Reconciled bool          `json:"reconciled"`
	Holds      []HoldAccount `json:"holds"`
	// Unfunded counts open items (pending withdrawals or top-ups) with no
	// hold transfer of their own.
	Unfunded int64 `json:"unfunded_items"`
}

// HoldAccount is one account of money in flight against its open items.
type HoldAccount struct {
	Account   string `json:"account"`
	Balance   int64  `json:"balance"`
	OpenItems int64  `json:"open_items"`
	OpenTotal int64  `json:"open_total"`
	OK        bool   `json:"ok"`
}

// reconcile checks every in-flight account against its open items.
func (s *Service) reconcile(ctx context.Context, c *LedgerCheck) error {
	byID := map[string]*HoldAccount{}
	var order []string
	get := func(id string) *HoldAccount {
		if h, ok := byID[id]; ok {
			return h
		}
		byID[id] = &HoldAccount{Account: id}
		order = append(order, id)
		return byID[id]
	}
	rows, err := s.db.Query(ctx, selectInFlightAccounts)
	if err != nil {
		return err
	}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var id string
		var b int64
		if err := rows.Scan(&id, &b); err != nil {
			return err
		}
		get(id).Balance = b
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = s.db.Query(ctx, sumOpenItems)
	if err != nil {
		return err
	}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var id string
		var n, sum int64
		if err := rows.Scan(&id, &n, &sum); err != nil {
			return err
		}
		h := get(id)
		h.OpenItems += n
		h.OpenTotal += sum
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.db.QueryRow(ctx, countUnfundedItems).Scan(&c.Unfunded); err != nil {
		return err
	}
	c.Holds = []HoldAccount{}
	c.Reconciled = c.Unfunded == 0
	for _, id := range order {
		h := byID[id]
		h.OK = h.Balance == h.OpenTotal
		c.Reconciled = c.Reconciled && h.OK
		c.Holds = append(c.Holds, *h)
	}
	return nil
}

// NewAuditor is a Service that can only audit: for plaza admin
// check-ledger and plaza bench, which open the database themselves.
func NewAuditor(db *sqldb.DB) *Service { return &Service{db: db} }

// CheckLedger audits the whole ledger: the sum per currency, transfer
// count, duplicate keys, negative wallets, every balance against the
// replay of its transfers, and every account of money in flight against
// its open items (Reconciled).
func (s *Service) CheckLedger(ctx context.Context) (LedgerCheck, error) {
	c := LedgerCheck{Sums: map[string]int64{}, Balanced: true, Replayed: true}
	rows, err := s.db.Query(ctx, sumBalancesPerCurrency)
	if err != nil {
		return c, err
	}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var cur string
		var sum int64
		if err := rows.Scan(&cur, &sum); err != nil {
			return err
		}
		c.Sums[cur] = sum
		c.Balanced = c.Balanced && sum == 0
		return nil
	})
	if err != nil {
		return c, err
	}
	queries := []struct {
		q   string
		out *int64
	}{
		{countTransfers, &c.Transfers},
		{countDuplicateKeys, &c.DuplicateKeys},
		{countNegativeWallets, &c.Negative},
	}
	for _, q := range queries {
		if err := s.db.QueryRow(ctx, q.q).Scan(q.out); err != nil {
			return c, err
		}
	}
	var mismatched int64
	err = s.db.QueryRow(ctx, countUnreplayedAccounts).Scan(&mismatched)
	if err != nil {
		return c, err
	}
	c.Replayed = mismatched == 0
	c.Balanced = c.Balanced && c.Replayed && c.Negative == 0 && c.DuplicateKeys == 0
	return c, s.reconcile(ctx, &c)
}

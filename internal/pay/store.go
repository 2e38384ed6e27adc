package pay

// Every SQL statement of the pay component, named by what it does, beside
// the schema in migrations/shared. The same text serves both dialects:
// sqldb rebinds the ? placeholders for PostgreSQL. No SQL literal lives
// anywhere else in the package (tests excepted).

// The ledger (ledger_accounts, ledger_transfers).
const (
	// ensureAccount opens an account that may go negative (a rail's
	// clearing account) before its first debit.
	ensureAccount = `INSERT INTO ledger_accounts (id, kind, owner_id, currency, balance, allow_negative, created_at)
		VALUES (?, ?, ?, ?, 0, ?, ?) ON CONFLICT (id) DO NOTHING`
	// debitAccount refuses (no row) when it would take a non-negative
	// account below zero: the check and the change are one statement.
	debitAccount = `UPDATE ledger_accounts SET balance = balance - ?
		WHERE id = ? AND (balance >= ? OR allow_negative = 1) RETURNING balance`
	// creditAccount opens the account on its first credit.
	creditAccount = `INSERT INTO ledger_accounts (id, kind, owner_id, currency, balance, allow_negative, created_at)
		VALUES (?, ?, ?, ?, ?, 0, ?)
		ON CONFLICT (id) DO UPDATE SET balance = ledger_accounts.balance + excluded.balance RETURNING balance`
	// insertTransfer fails on the unique transfer_key when the movement
	// was applied before.
	insertTransfer = `INSERT INTO ledger_transfers (id, kind, debit_account, credit_account, amount, currency, reference, note,
		transfer_key, debit_balance, credit_balance, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// lockAccountsInOrder (PostgreSQL only) takes the row locks of a
	// batch's accounts sorted by id: rows are locked as the sort emits them.
	lockAccountsInOrder = `SELECT id FROM ledger_accounts WHERE id = ANY(?) ORDER BY id FOR UPDATE`
	// moveInOneStatement (PostgreSQL) is debitAccount, creditAccount and
	// insertTransfer as one statement: no row when the debit is refused
	// (and then nothing is written), the unique transfer_key's error when
	// the movement was applied before.
	moveInOneStatement = `WITH d AS (
			UPDATE ledger_accounts SET balance = balance - $1::bigint
			WHERE id = $2 AND (balance >= $1::bigint OR allow_negative = 1) RETURNING balance),
		c AS (
			INSERT INTO ledger_accounts (id, kind, owner_id, currency, balance, allow_negative, created_at)
			SELECT $3::text, $4::text, $5::text, $6::text, $1::bigint, 0, $7::bigint FROM d
			ON CONFLICT (id) DO UPDATE SET balance = ledger_accounts.balance + excluded.balance RETURNING balance),
		t AS (
			INSERT INTO ledger_transfers (id, kind, debit_account, credit_account, amount, currency, reference, note,
				transfer_key, debit_balance, credit_balance, created_at)
			SELECT $8::text, $9::text, $2::text, $3::text, $1::bigint, $6::text, $10::text, $11::text, $12::text,
				d.balance, c.balance, $7::bigint FROM d, c RETURNING id)
		SELECT d.balance, c.balance FROM d, c, t`
	// authorizedMoveInOneStatement (PostgreSQL) is a PIN-protected
	// movement's whole common case in one statement: the payer's PIN row,
	// locked (FOR UPDATE), holds the PIN's HMAC ($2), is not locked and has
	// no failures to reset; the Idempotency-Key ($4) is new; then
	// moveInOneStatement and the PIN attempt row ($16, purpose $17). No
	// row when any of that is not so, and then
	// nothing is written or locked but the PIN row: the caller takes the
	// long way (authorize, then move), which says why. The HMAC is compared
	// by the database, not in constant time: both sides are HMACs under the
	// server's PIN key, so timing tells a guesser nothing about a PIN.
	authorizedMoveInOneStatement = `WITH pin AS (
			SELECT user_id FROM wallet_pins
			WHERE user_id = $1 AND pin_hmac = $2 AND failures = 0 AND locked_until <= $3::bigint
			FOR UPDATE),
		prior AS (SELECT 1 FROM idempotency_keys WHERE owner = $1 AND key = $4),
		d AS (
			UPDATE ledger_accounts SET balance = balance - $5::bigint
			WHERE id = $6 AND (balance >= $5::bigint OR allow_negative = 1)
				AND EXISTS (SELECT 1 FROM pin) AND NOT EXISTS (SELECT 1 FROM prior)
			RETURNING balance),
		c AS (
			INSERT INTO ledger_accounts (id, kind, owner_id, currency, balance, allow_negative, created_at)
			SELECT $7::text, $8::text, $9::text, $10::text, $5::bigint, 0, $3::bigint FROM d
			ON CONFLICT (id) DO UPDATE SET balance = ledger_accounts.balance + excluded.balance RETURNING balance),
		t AS (
			INSERT INTO ledger_transfers (id, kind, debit_account, credit_account, amount, currency, reference, note,
				transfer_key, debit_balance, credit_balance, created_at)
			SELECT $11::text, $12::text, $6::text, $7::text, $5::bigint, $10::text, $13::text, $14::text, $15::text,
				d.balance, c.balance, $3::bigint FROM d, c RETURNING id),
		a AS (
			INSERT INTO pin_attempts (id, user_id, ok, purpose, created_at)
			SELECT $16::text, $1::text, 1, $17::text, $3::bigint FROM t)
		SELECT d.balance, c.balance FROM d, c, t`
	selectUserBalances = `SELECT currency, balance FROM ledger_accounts WHERE kind = 'user' AND owner_id = ? ORDER BY currency`
	selectBalance      = `SELECT balance FROM ledger_accounts WHERE id = ?`
	// selectTransferAmount is the amount of the transfer with a key: an
	// item's own hold, or a paid order's payment.
	selectTransferAmount = `SELECT amount FROM ledger_transfers WHERE transfer_key = ?`
)

// The ledger audit (CheckLedger).
const (
	sumBalancesPerCurrency = `SELECT currency, SUM(balance) FROM ledger_accounts GROUP BY currency`
	countTransfers         = `SELECT COUNT(*) FROM ledger_transfers`
	countDuplicateKeys     = `SELECT COUNT(*) - COUNT(DISTINCT transfer_key) FROM ledger_transfers`
	countNegativeWallets   = `SELECT COUNT(*) FROM ledger_accounts WHERE balance < 0 AND allow_negative = 0`
	// countUnreplayedAccounts counts accounts whose balance is not the
	// replay of their transfers.
	countUnreplayedAccounts = `SELECT COUNT(*) FROM ledger_accounts a WHERE a.balance <>
		COALESCE((SELECT SUM(amount) FROM ledger_transfers t WHERE t.credit_account = a.id), 0) -
		COALESCE((SELECT SUM(amount) FROM ledger_transfers t WHERE t.debit_account = a.id), 0)`
	selectInFlightAccounts = `SELECT id, balance FROM ledger_accounts WHERE kind IN ('hold', 'pending', 'escrow', 'review') ORDER BY id`
	// sumOpenItems sums, per in-flight account, what its open items hold:
	// each pending withdrawal's hold transfer (wd:id), each pending
	// top-up's pending transfer (tpp:id), each active red packet's
	// remainder, each open review's hold (rvh:id), each transfer waiting
	// for acceptance's hold (tah:id).
	sumOpenItems = `SELECT 'hold:' || w.rail || ':' || w.currency, COUNT(*), SUM(t.amount)
		FROM withdrawals w JOIN ledger_transfers t ON t.transfer_key = 'wd:' || w.id
		WHERE w.status = 'pending' GROUP BY w.rail, w.currency
	UNION ALL SELECT 'pending:' || p.rail || ':' || p.currency, COUNT(*), SUM(t.amount)
		FROM topups p JOIN ledger_transfers t ON t.transfer_key = 'tpp:' || p.id
		WHERE p.status = 'pending' GROUP BY p.rail, p.currency
	UNION ALL SELECT 'escrow:red_packets:' || currency, COUNT(*), SUM(remaining)
		FROM red_packets WHERE status = 'active' GROUP BY currency
	UNION ALL SELECT 'review:screening:' || r.currency, COUNT(*), SUM(t.amount)
		FROM pay_reviews r JOIN ledger_transfers t ON t.transfer_key = 'rvh:' || r.id
		WHERE r.state = 'open' GROUP BY r.currency
	UNION ALL SELECT 'pending:transfer:' || a.currency, COUNT(*), SUM(t.amount)
		FROM pay_acceptances a JOIN ledger_transfers t ON t.transfer_key = 'tah:' || a.id
		WHERE a.state = 'pending' GROUP BY a.currency`
	// countUnfundedItems counts open items without a hold transfer of
	// their own.
	countUnfundedItems = `SELECT
	(SELECT COUNT(*) FROM withdrawals w WHERE w.status = 'pending'
		AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.transfer_key = 'wd:' || w.id)) +
	(SELECT COUNT(*) FROM topups p WHERE p.status = 'pending'
		AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.transfer_key = 'tpp:' || p.id)) +
	(SELECT COUNT(*) FROM pay_reviews r WHERE r.state = 'open' AND r.amount > 0
		AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.transfer_key = 'rvh:' || r.id)) +
	(SELECT COUNT(*) FROM pay_acceptances a WHERE a.state = 'pending'
		AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.transfer_key = 'tah:' || a.id))`
)

// History (transactions as one user sees them). The wallets of a user are
// its accounts in each of walletCurrencies: the IN lists have one
// placeholder per currency (TestHistoryStatementsFitTheCurrencies).
const (
	transferView = `SELECT t.id, t.kind, t.debit_account, t.credit_account, t.amount, t.currency, t.reference, t.note,
		t.created_at, COALESCE(w.status, ''), COALESCE(rp.sender_id, ''), t.transfer_key,
		COALESCE(rv.state, ''), COALESCE(rv.payer_id, ''), COALESCE(rv.payee_id, ''),
		COALESCE(pa.state, ''), COALESCE(pa.payer_id, pr.payer_id, ''), COALESCE(pa.payee_id, pr.payee_id, ''),
		COALESCE(pa.expires_at, 0), COALESCE(pa.decided_at, 0)
	FROM ledger_transfers t
	LEFT JOIN withdrawals w ON w.id = t.reference AND t.kind = 'withdrawal'
	LEFT JOIN red_packets rp ON rp.id = t.reference AND t.kind = 'red_packet_claim'
	LEFT JOIN pay_reviews rv ON rv.id = t.reference
	LEFT JOIN pay_acceptances pa ON pa.transaction_id = t.id
	LEFT JOIN pay_acceptances pr ON pr.id = t.reference AND t.kind = 'transfer_return'`
	// walletsWhere is the transfers of the user's wallets (twice), a
	// release's transfer to the payee excepted: the payee's transaction is
	// the hold, which heldForWhere adds; so is an accepted transfer's
	// (tar:).
	walletsWhere = `(t.debit_account IN (?,?,?,?) OR t.credit_account IN (?,?,?,?)) AND t.transfer_key NOT LIKE 'rvr:%'
		AND t.transfer_key NOT LIKE 'tar:%'`
	// heldForWhere is the holds of movements held for the user as payee,
	// and the transfers sent to them to accept (the payee twice).
	heldForWhere = `t.id IN (SELECT hold_transfer FROM pay_reviews WHERE payee_id = ? AND hold_transfer <> ''
		UNION SELECT transaction_id FROM pay_acceptances WHERE payee_id = ?)`
	// selectHistoryPage: the wallets, the cursor, the payee (twice), the
	// cursor, the limit. Two halves, so that each keeps its index.
	selectHistoryPage = transferView + ` WHERE ` + walletsWhere + ` AND t.id < ?
	UNION ALL ` + transferView + ` WHERE ` + heldForWhere + ` AND t.id < ? ORDER BY 1 DESC LIMIT ?`
	// selectUserTransaction: the id, the wallets, the payee (twice).
	selectUserTransaction = transferView + ` WHERE t.id = ? AND (` + walletsWhere + ` OR ` + heldForWhere + `)`
)

// Payment PINs (wallet_pins, pin_attempts).
const (
	selectPINExists = `SELECT 1 FROM wallet_pins WHERE user_id = ?`
	insertPIN       = `INSERT INTO wallet_pins (user_id, pin_hmac, failures, locked_until, updated_at) VALUES (?, ?, 0, 0, ?)`
	// changePIN keeps a running lockout: a new PIN does not buy new guesses.
	changePIN = `UPDATE wallet_pins SET pin_hmac = ?, failures = 0, updated_at = ? WHERE user_id = ?`
	selectPIN = `SELECT pin_hmac, locked_until FROM wallet_pins WHERE user_id = ?`
	// selectPINForPayment also reads the failure count; a payment's check
	// takes the row's lock with it on PostgreSQL.
	selectPINForPayment = `SELECT pin_hmac, locked_until, failures FROM wallet_pins WHERE user_id = ?`
	// resetPINFailures: a right PIN resets the count, only while the PIN
	// is not locked (the same row lock the failures take decides); with
	// nothing to reset it writes nothing, and the lock is read again
	// instead.
	resetPINFailures = `UPDATE wallet_pins SET failures = 0, locked_until = 0 WHERE user_id = ? AND locked_until <= ? AND failures > 0 RETURNING failures`
	// countPINFailure: the failure count is kept by the database. Each
	// wrong PIN adds one and the same statement decides the lock (at the
	// limit, its first two parameters), and only while the PIN is not
	// locked, so parallel guesses (on any number of nodes) are counted one
	// by one and no more than the limit are evaluated.
	countPINFailure = `UPDATE wallet_pins SET
		failures = CASE WHEN failures + 1 >= ? THEN 0 ELSE failures + 1 END,
		locked_until = CASE WHEN failures + 1 >= ? THEN CAST(? AS BIGINT) ELSE 0 END, updated_at = ?
		WHERE user_id = ? AND locked_until <= ? RETURNING failures, locked_until`
	insertPINAttempt = `INSERT INTO pin_attempts (id, user_id, ok, purpose, created_at) VALUES (?, ?, ?, ?, ?)`
)

// Red packets (red_packets, red_packet_claims).
const (
	insertRedPacket = `INSERT INTO red_packets (id, conversation_id, sender_id, currency, total, count, split, greeting,
		remaining, remaining_count, status, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`
	selectRedPacket = `SELECT conversation_id, sender_id, currency, total, count, split, greeting, remaining, remaining_count,
		status, expires_at, created_at FROM red_packets WHERE id = ?`
	selectRedPacketConversation = `SELECT conversation_id FROM red_packets WHERE id = ?`
	selectRedPacketSender       = `SELECT sender_id FROM red_packets WHERE id = ?`
	// takeShare is optimistic: the share is taken only if nobody took one
	// meanwhile (another node, another transaction).
	takeShare = `UPDATE red_packets SET remaining = remaining - ?, remaining_count = remaining_count - 1,
		status = CASE WHEN remaining_count = 1 THEN 'empty' ELSE status END
		WHERE id = ? AND remaining = ? AND remaining_count = ? AND status = 'active'`
	insertClaim          = `INSERT INTO red_packet_claims (red_packet_id, user_id, amount, transfer_id, created_at) VALUES (?, ?, ?, ?, ?)`
	selectMyClaim        = `SELECT amount FROM red_packet_claims WHERE red_packet_id = ? AND user_id = ?`
	selectClaims         = `SELECT user_id, amount, created_at FROM red_packet_claims WHERE red_packet_id = ? ORDER BY created_at, user_id`
	selectExpiredPackets = `SELECT id, remaining FROM red_packets WHERE status = 'active' AND expires_at < ? ORDER BY expires_at LIMIT 200`
	// markPacketRefunded empties a packet only if nobody claimed since it
	// was read.
	markPacketRefunded = `UPDATE red_packets SET status = 'refunded', remaining = 0, remaining_count = 0
		WHERE id = ? AND status = 'active' AND remaining = ?`
)

// Top-ups (topups).
const (
	insertTopUp = `INSERT INTO topups (id, user_id, amount, currency, status, rail, idem_key, request_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`
	selectTopUpOfKey = `SELECT id, request_hash, status, transfer_id FROM topups WHERE user_id = ? AND idem_key = ? AND status <> 'failed'`
	// markTopUpSettled ends a pending top-up once: it returns no row when
	// it was settled before.
	markTopUpSettled = `UPDATE topups SET status = ?, rail_ref = ?, updated_at = ? WHERE id = ? AND status = 'pending'
		RETURNING user_id, amount, currency, rail, idem_key, request_hash`
	selectTopUp       = `SELECT user_id, status, transfer_id FROM topups WHERE id = ?`
	selectStaleTopUps = `SELECT id FROM topups WHERE status = 'pending' AND rail = ? AND created_at < ? ORDER BY created_at LIMIT 100`
	markTopUpFailed   = `UPDATE topups SET status = 'failed' WHERE id = ?`
	setTopUpCredit    = `UPDATE topups SET transfer_id = ? WHERE id = ?`
)

// Withdrawals (withdrawals).
const (
	insertWithdrawal = `INSERT INTO withdrawals (id, user_id, amount, currency, status, rail, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`
	// markWithdrawalSettled ends a pending withdrawal once: it returns no
	// row when it was settled before.
	markWithdrawalSettled = `UPDATE withdrawals SET status = ?, rail_ref = ?, updated_at = ? WHERE id = ? AND status = 'pending'
		RETURNING user_id, currency, rail`
	selectStaleWithdrawals = `SELECT id FROM withdrawals WHERE status = 'pending' AND rail = ? AND created_at < ? ORDER BY created_at LIMIT 100`
	markWithdrawalFailed   = `UPDATE withdrawals SET status = 'failed' WHERE id = ?`
)

// Erasure: money still held for a user (HeldFor).
const (
	selectPendingWithdrawal = `SELECT amount, currency FROM withdrawals WHERE user_id = ? AND status = 'pending' LIMIT 1`
	selectPendingTopUp      = `SELECT amount, currency FROM topups WHERE user_id = ? AND status = 'pending' LIMIT 1`
	selectOpenRedPacket     = `SELECT remaining, currency FROM red_packets WHERE sender_id = ? AND status = 'active' AND remaining > 0 LIMIT 1`
)

// Reviews of held movements (pay_reviews).
const (
	insertReview = `INSERT INTO pay_reviews (id, state, kind, subject_type, subject_id, subject_name, subject_country, payer_id,
		payee_id, mchid, amount, currency, reference, memo, details, hold_transfer, match_entry_id, match_name, match_score,
		match_program, match_list, match_list_hash, created_at) VALUES (?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// decideReview decides an open review once: no row when it was
	// decided before (here or on another node; the row lock orders them).
	decideReview = `UPDATE pay_reviews SET state = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ? AND state = 'open'
		RETURNING kind, subject_type, subject_id, payer_id, payee_id, mchid, amount, currency, reference, memo, details, hold_transfer,
		match_entry_id, match_name, match_score, match_program, match_list_hash`
	selectReviewState = `SELECT state FROM pay_reviews WHERE id = ?`
	reviewColumns     = `SELECT id, state, kind, subject_type, subject_id, subject_name, subject_country, payer_id, amount, currency,
		reference, details, hold_transfer, match_entry_id, match_name, match_score, match_program, match_list, match_list_hash,
		created_at, decided_by, decided_at, decision_note FROM pay_reviews`
	selectReview = reviewColumns + ` WHERE id = ?`
	// selectReviews: the state twice ('' for all), the cursor, the limit.
	selectReviews = reviewColumns + ` WHERE (? = '' OR state = ?) AND id < ? ORDER BY id DESC LIMIT ?`
	// selectOpenReviewOf is the open review of a reference (a merchant
	// payment's order, a merchant).
	selectOpenReviewOf = `SELECT id FROM pay_reviews WHERE kind = ? AND reference = ? AND state = 'open'`
	// selectOpenPaymentHold is the payer and hold of an order's open
	// review.
	selectOpenPaymentHold = `SELECT payer_id, hold_transfer FROM pay_reviews WHERE kind = ? AND reference = ? AND state = 'open'`
	// selectReviewStateOf is the latest review's state of a reference.
	selectReviewStateOf    = `SELECT state FROM pay_reviews WHERE kind = ? AND reference = ? ORDER BY id DESC LIMIT 1`
	selectOpenReviewOfUser = `SELECT amount, currency FROM pay_reviews WHERE ? IN (payer_id, payee_id) AND state = 'open' AND amount > 0 LIMIT 1`
)

// preparedStatements are prepared at start: the money hot path.
var preparedStatements = []string{debitAccount, creditAccount, insertTransfer, selectPIN, selectPINForPayment, insertPINAttempt, countPINFailure, resetPINFailures}

// Erasure and export (erasure.go, export.go).
const (
	// selectOwnedNonZero is any ledger account of the user's own — the wallet
	// in any currency, or an account of any other kind kept per user — that
	// is not at zero: generic over kinds, so a new per-user account kind is
	// covered without a change here.
	selectOwnedNonZero = `SELECT kind, balance, currency FROM ledger_accounts WHERE owner_id = ? AND balance <> 0
	ORDER BY CASE WHEN kind = 'user' THEN 0 ELSE 1 END, kind, currency LIMIT 1`
	selectSentRedPacketsPage = `SELECT id, conversation_id, currency, total, count, split, greeting, remaining, remaining_count,
		status, expires_at, created_at FROM red_packets WHERE sender_id = ? AND id > ? ORDER BY id LIMIT ?`
	selectOwnClaimsPage = `SELECT red_packet_id, amount, transfer_id, created_at FROM red_packet_claims
		WHERE user_id = ? AND red_packet_id > ? ORDER BY red_packet_id LIMIT ?`
)

// Transfers waiting for acceptance (pay_acceptances, 00004_accept.sql).
const (
	insertAcceptance = `INSERT INTO pay_acceptances (id, transaction_id, state, payer_id, payee_id, amount, currency, note, review_id,
		created_at, expires_at) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)`
	// decideAcceptance decides a pending transfer once, for its payee, while
	// it may still be accepted: no row when it was decided before (here or
	// on another node, by its payee or the expiry; the row lock orders
	// them), is not the caller's, or is past its time.
	decideAcceptance = `UPDATE pay_acceptances SET state = ?, decided_at = ?
		WHERE transaction_id = ? AND payee_id = ? AND state = 'pending' AND expires_at > ?
		RETURNING id, payer_id, amount, currency, note`
	// expireAcceptance returns a pending transfer past its time, once.
	expireAcceptance = `UPDATE pay_acceptances SET state = 'expired', decided_at = ?
		WHERE transaction_id = ? AND state = 'pending' AND expires_at <= ?
		RETURNING id, payer_id, payee_id, amount, currency, note`
	selectAcceptancePayer = `SELECT payer_id FROM pay_acceptances WHERE transaction_id = ? AND payee_id = ?`
	selectAcceptanceOf    = `SELECT state, payee_id, expires_at FROM pay_acceptances WHERE transaction_id = ?`
	selectDueAcceptances  = `SELECT transaction_id FROM pay_acceptances WHERE state = 'pending' AND expires_at <= ?
		ORDER BY expires_at LIMIT 200`
	selectPendingAcceptanceOfUser = `SELECT amount, currency FROM pay_acceptances WHERE ? IN (payer_id, payee_id) AND state = 'pending' LIMIT 1`
)

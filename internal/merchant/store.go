package merchant

// Every SQL statement of the merchant component, by table. One text serves
// both dialects (sqldb rewrites the placeholders). The nonce store's two
// statements are the wire adapter's (internal/merchant/wxv3/auth.go),
// over this component's request_nonces table.

// merchants and merchant_apps
const (
	insertMerchant  = `INSERT INTO merchants (mchid, name, region, owner_id, created_at) VALUES (?, ?, ?, ?, ?)`
	selectMerchant  = `SELECT mchid, name, region, owner_id, public_key_pem, serial_no, apiv3_key, platform_mode FROM merchants WHERE mchid = ?`
	setCredentials  = `UPDATE merchants SET public_key_pem = ?, serial_no = ?, apiv3_key = ?, platform_mode = ? WHERE mchid = ?`
	selectOwnedMchs = `SELECT mchid FROM merchants WHERE owner_id = ? ORDER BY created_at`
	deleteApp       = `DELETE FROM merchant_apps WHERE appid = ? AND mchid = ?`
	insertApp       = `INSERT INTO merchant_apps (appid, mchid, created_at) VALUES (?, ?, ?)`
	selectAppMchID  = `SELECT mchid FROM merchant_apps WHERE appid = ?`
	selectApps      = `SELECT appid FROM merchant_apps WHERE mchid = ? ORDER BY appid`
)

// orders
const (
	orderColumns = `transaction_id, mchid, appid, out_trade_no, trade_type, description, attach, notify_url, total, currency,
	payer_openid, payer_user_id, request_hash, prepay_id, trade_state, refunded, created_at, expires_at, success_time`

	insertOrder = `INSERT INTO orders (` + orderColumns + `, ledger_transfer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, NULL, '')`
	payOrder    = `UPDATE orders SET trade_state = 'SUCCESS', payer_user_id = ?, payer_openid = ?, success_time = ?, ledger_transfer = ?
		WHERE transaction_id = ? AND trade_state = 'NOTPAY' AND expires_at > ?`
	// payHeldOrder pays an order whose payment was held for review and
	// released: however long the review took, the payer paid in time.
	payHeldOrder = `UPDATE orders SET trade_state = 'SUCCESS', payer_user_id = ?, payer_openid = ?, success_time = ?, ledger_transfer = ?
		WHERE transaction_id = ? AND trade_state = 'NOTPAY'`
	selectOrderPayerByID = `SELECT payer_user_id, ledger_transfer FROM orders WHERE transaction_id = ?`
	closeOrder           = `UPDATE orders SET trade_state = 'CLOSED' WHERE transaction_id = ? AND trade_state = 'NOTPAY'`
	// closeOwnersOrders closes the unpaid orders of every merchant of an
	// erased owner.
	closeOwnersOrders = `UPDATE orders SET trade_state = 'CLOSED'
	WHERE trade_state = 'NOTPAY' AND mchid IN (SELECT mchid FROM merchants WHERE owner_id = ?)`
	selectOrderByTransactionID = `SELECT ` + orderColumns + ` FROM orders WHERE transaction_id = ?`
	selectOrderByPrepayID      = `SELECT ` + orderColumns + ` FROM orders WHERE prepay_id = ?`
	selectOrderByOutTradeNo    = `SELECT ` + orderColumns + ` FROM orders WHERE mchid = ? AND out_trade_no = ?`
	selectOrderPayer           = `SELECT payer_user_id, ledger_transfer FROM orders WHERE prepay_id = ?`
	addRefunded                = `UPDATE orders SET refunded = refunded + ?, trade_state = 'REFUND' WHERE transaction_id = ? AND refunded + ? <= total`
)

// refunds
const (
	refundColumns = `refund_id, mchid, out_refund_no, transaction_id, amount, reason, notify_url, status, request_hash, created_at, success_time`

	insertRefund = `INSERT INTO refunds (` + refundColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	selectRefund = `SELECT ` + refundColumns + ` FROM refunds WHERE mchid = ? AND out_refund_no = ?`
)

// bills
const (
	selectBillOrders  = `SELECT ` + orderColumns + ` FROM orders WHERE mchid = ? AND success_time >= ? AND success_time < ? ORDER BY success_time, transaction_id`
	selectBillRefunds = `SELECT r.refund_id, r.out_refund_no, r.amount, r.created_at, o.transaction_id, o.out_trade_no,
			o.appid, o.payer_openid, o.trade_type, o.currency, o.total, o.description, o.attach
			FROM refunds r JOIN orders o ON o.transaction_id = r.transaction_id
			WHERE r.mchid = ? AND r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at, r.refund_id`
	// selectOpeningBalance is the merchant's basic account before a day:
	// its payments less its refunds since it began.
	selectOpeningBalance = `SELECT
			COALESCE((SELECT SUM(total) FROM orders WHERE mchid = ? AND success_time IS NOT NULL AND success_time < ?), 0) -
			COALESCE((SELECT SUM(amount) FROM refunds WHERE mchid = ? AND created_at < ?), 0)`
	// selectFundFlow is a day of the basic account: payments in, refunds
	// out, in time order.
	selectFundFlow = `SELECT at, txid, flow, amount, dir, voucher FROM (
				SELECT success_time AS at, transaction_id AS txid, transaction_id AS flow, total AS amount, 'in' AS dir, out_trade_no AS voucher
					FROM orders WHERE mchid = ? AND success_time >= ? AND success_time < ?
				UNION ALL
				SELECT created_at, transaction_id, refund_id, amount, 'out', out_refund_no
					FROM refunds WHERE mchid = ? AND created_at >= ? AND created_at < ?
			) f ORDER BY at, flow`
)

// notifications: the outbox and its delivery
const (
	insertNotification = `INSERT INTO notifications (id, mchid, url, event_type, resource_id, body, status, attempts, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`
	merchantNotifications = `SELECT id, event_type, resource_id, url, status, attempts, last_status, last_error, created_at, delivered_at
		FROM notifications WHERE mchid = ? ORDER BY created_at DESC LIMIT ?`
	// dueNotifications takes the oldest few due notifications of each
	// merchant, round-robin across merchants (rn first), so that one
	// merchant's backlog cannot fill the page.
	dueNotifications = `SELECT id, mchid, url, body, attempts FROM (
			SELECT id, mchid, url, body, attempts, next_at, ROW_NUMBER() OVER (PARTITION BY mchid ORDER BY next_at, id) AS rn
			FROM notifications WHERE status = 'pending' AND next_at <= ? AND locked_until <= ?) due
		WHERE rn <= ? ORDER BY rn, next_at LIMIT ?`
	// claimNotification leases one attempt to this node: the UPDATE is
	// atomic on both dialects (on PostgreSQL a concurrent claim waits for
	// this one and then finds locked_until moved), so one node wins. A
	// node that dies mid-attempt leaves the lease to expire, and the
	// attempt is retried by any node after claimLease.
	claimNotification = `UPDATE notifications SET locked_until = ? WHERE id = ? AND status = 'pending' AND locked_until <= ?`
	// finishAttempt and releaseClaim act only on the lease this node
	// holds (its locked_until is the claim's token).
	finishAttempt = `UPDATE notifications SET status = ?, attempts = attempts + 1, next_at = ?, locked_until = 0,
		last_status = ?, last_error = ?, delivered_at = ? WHERE id = ? AND locked_until = ?`
	releaseClaim = `UPDATE notifications SET locked_until = 0 WHERE id = ? AND locked_until = ?`
)

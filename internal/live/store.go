package live

// Every SQL statement of the rooms, shelf and orders work (realtime's and
// comments' own are in their files' store sections).

const (
	roomColumns = `id, mchid, merchant_name, owner_id, title, cover_media_id, notify_url, state, scheduled_at, started_at, ended_at,
		showing_sku, likes, rank, sort_key`

	insertRoom = `INSERT INTO live_rooms (id, mchid, merchant_name, owner_id, title, cover_media_id, notify_url, state, rank, sort_key,
		scheduled_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'scheduled', 1, ?, ?, ?)`
	selectRoom = `SELECT ` + roomColumns + ` FROM live_rooms WHERE id = ?`
	// listRooms pages the directory by (rank, sort_key, id) after the cursor.
	listRooms = `SELECT ` + roomColumns + ` FROM live_rooms WHERE rank >= ? AND rank <= ? AND (rank, sort_key, id) > (?, ?, ?)
		ORDER BY rank, sort_key, id LIMIT ?`
	listMerchantRooms = `SELECT ` + roomColumns + ` FROM live_rooms WHERE mchid = ? AND rank >= ? AND rank <= ?
		AND (rank, sort_key, id) > (?, ?, ?) ORDER BY rank, sort_key, id LIMIT ?`

	// startRoom makes the room live with a new publication; started_at
	// is set once.
	startRoom = `UPDATE live_rooms SET state = 'live', rank = 0, started_at = COALESCE(started_at, ?),
		sort_key = -COALESCE(started_at, ?), publish_session = ?, gone_at = NULL WHERE id = ? AND state <> 'ended'`
	// hostGone records that publication session vanished (unless a newer one replaced it).
	hostGone = `UPDATE live_rooms SET gone_at = ? WHERE id = ? AND state = 'live' AND publish_session = ? AND gone_at IS NULL`
	// endAbandoned ends a room whose host has been gone since before ?.
	selectAbandoned = `SELECT id FROM live_rooms WHERE state = 'live' AND gone_at IS NOT NULL AND gone_at <= ?`
	endRoom         = `UPDATE live_rooms SET state = 'ended', rank = 2, ended_at = ?, sort_key = ?, showing_sku = '', gone_at = NULL
		WHERE id = ? AND state <> 'ended'`
	// endRoomIfGone ends the room only if publication session is still the gone one.
	endRoomIfGone = `UPDATE live_rooms SET state = 'ended', rank = 2, ended_at = ?, sort_key = ?, showing_sku = '', gone_at = NULL
		WHERE id = ? AND state = 'live' AND publish_session = ? AND gone_at IS NOT NULL AND gone_at <= ?`
	setShowing = `UPDATE live_rooms SET showing_sku = ? WHERE id = ? AND state <> 'ended'`

	insertReminder  = `INSERT INTO live_reminders (room_id, user_id, created_at) VALUES (?, ?, ?)`
	deleteReminder  = `DELETE FROM live_reminders WHERE room_id = ? AND user_id = ?`
	selectReminded  = `SELECT 1 FROM live_reminders WHERE room_id = ? AND user_id = ?`
	selectReminders = `SELECT user_id FROM live_reminders WHERE room_id = ?`

	shelfColumns   = `sku, name, amount, currency, stock, held, sold, image_media_id`
	selectShelf    = `SELECT ` + shelfColumns + ` FROM live_shelf WHERE room_id = ? AND listed = 1 ORDER BY position, sku`
	selectItem     = `SELECT ` + shelfColumns + ` FROM live_shelf WHERE room_id = ? AND sku = ? AND listed = 1`
	selectAnyItem  = `SELECT ` + shelfColumns + ` FROM live_shelf WHERE room_id = ? AND sku = ?`
	selectAllItems = `SELECT ` + shelfColumns + ` FROM live_shelf WHERE room_id = ? ORDER BY listed DESC, position, sku`
	unlistShelf    = `UPDATE live_shelf SET listed = 0 WHERE room_id = ?`
	updateItem     = `UPDATE live_shelf SET name = ?, amount = ?, currency = ?, stock = ?, image_media_id = ?, position = ?, listed = 1
		WHERE room_id = ? AND sku = ?`
	insertItem = `INSERT INTO live_shelf (room_id, sku, name, amount, currency, stock, image_media_id, position)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

	// holdStock is the one conditional update that takes stock for a
	// purchase: it never takes more than there is.
	holdStock       = `UPDATE live_shelf SET stock = stock - ?, held = held + ? WHERE room_id = ? AND sku = ? AND listed = 1 AND stock >= ?`
	selectStockSold = `SELECT stock, sold FROM live_shelf WHERE room_id = ? AND sku = ?`
	// releaseStock gives held stock back.
	releaseStock = `UPDATE live_shelf SET stock = stock + ?, held = held - ? WHERE room_id = ? AND sku = ?`
	// sellStock moves held stock to sold.
	sellStock = `UPDATE live_shelf SET held = held - ?, sold = sold + ? WHERE room_id = ? AND sku = ?`

	purchaseColumns = `id, room_id, mchid, sku, quantity, buyer_id, amount, currency, prepay_id, state, request_hash, created_at, expires_at`
	insertPurchase  = `INSERT INTO live_purchases (id, room_id, mchid, sku, quantity, buyer_id, amount, currency, state, idem_key,
		request_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)`
	selectPurchaseByKey = `SELECT ` + purchaseColumns + ` FROM live_purchases WHERE buyer_id = ? AND idem_key = ?`
	selectPurchase      = `SELECT ` + purchaseColumns + ` FROM live_purchases WHERE id = ?`
	setPrepay           = `UPDATE live_purchases SET prepay_id = ? WHERE id = ?`
	// settlePurchase moves a pending purchase to paid or released, once.
	settlePurchase = `UPDATE live_purchases SET state = ? WHERE id = ? AND state = 'pending'`
	selectExpired  = `SELECT ` + purchaseColumns + ` FROM live_purchases WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT 200`

	selectStats = `SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'paid' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'paid' THEN amount ELSE 0 END), 0) FROM live_purchases WHERE room_id = ?`
)

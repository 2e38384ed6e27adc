package live

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// Purchase states.
const (
	PurchasePending  = "pending"
	PurchasePaid     = "paid"
	PurchaseReleased = "released"
)

// MaxQuantity is the most of one item one order buys.
const MaxQuantity = 10

// Buy is the body of POST /live/rooms/{id}/orders. The price is the
// shelf's: a price the client sends is ignored.
type Buy struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// BuyRequest is a purchase with its Idempotency-Key and the request's
// fingerprint (idempotency.Hash).
type BuyRequest struct {
	UserID, RoomID, Key, Hash string
	Buy
}

// Order is the answer to a purchase: the merchant order the viewer
// confirms with POST /pay/confirm {prepay_id, pin}.
type Order struct {
	PrepayID string        `json:"prepay_id"`
	Order    PurchaseOrder `json:"order"`
}

// PurchaseOrder is the purchase as its buyer sees it.
type PurchaseOrder struct {
	OutTradeNo string    `json:"out_trade_no"`
	SKU        string    `json:"sku"`
	Quantity   int64     `json:"quantity"`
	Amount     Money     `json:"amount"`
	ExpiresAt  time.Time `json:"expires_at"`
}

type purchase struct {
	ID, RoomID, MchID, SKU    string
	Quantity                  int64
	BuyerID                   string
	Amount                    int64
	Currency, PrepayID, State string
	Hash                      string
	CreatedAt, ExpiresAt      time.Time

	description, notifyURL string // for the merchant order
}

func scanPurchase(row interface{ Scan(...any) error }) (purchase, error) {
	var p purchase
	var created, expires int64
	err := row.Scan(&p.ID, &p.RoomID, &p.MchID, &p.SKU, &p.Quantity, &p.BuyerID, &p.Amount, &p.Currency, &p.PrepayID, &p.State,
		&p.Hash, &created, &expires)
	p.CreatedAt, p.ExpiresAt = sqldb.FromMicro(created), sqldb.FromMicro(expires)
	return p, err
}

func (p purchase) order() Order {
	return Order{PrepayID: p.PrepayID, Order: PurchaseOrder{OutTradeNo: p.ID, SKU: p.SKU, Quantity: p.Quantity,
		Amount: Money{Amount: p.Amount, Currency: p.Currency}, ExpiresAt: p.ExpiresAt}}
}

// PlaceOrder buys from a live room's shelf: one conditional update takes
// the stock (never below zero), a pending purchase records it in the same
// transaction, and then an ordinary merchant order is placed for the
// buyer; if that fails the stock goes back. A repeat of the request's
// Idempotency-Key answers the first order and takes no more stock.
// Errors: not_found (room or sku), not_live, room_ended, out_of_stock,
// blocked_by_policy (422), idempotency_mismatch, invalid_argument.
func (s *Service) PlaceOrder(ctx context.Context, in BuyRequest) (Order, error) {
	if in.Quantity < 1 || in.Quantity > MaxQuantity {
		return Order{}, errs.Field("quantity", "quantity is a whole number from 1 to %d.", MaxQuantity)
	}
	if in.SKU == "" {
		return Order{}, errs.Field("sku", "sku is required.")
	}
	if p, found, err := s.priorPurchase(ctx, in); found || err != nil {
		if err != nil {
			return Order{}, err
		}
		return s.finishOrder(ctx, p)
	}
	r, err := s.visible(ctx, in.UserID, in.RoomID)
	if err != nil {
		return Order{}, err
	}
	switch r.State {
	case StateEnded:
		return Order{}, errs.E(RoomEnded, "This live room has ended; its shelf is closed.")
	case StateScheduled:
		return Order{}, errs.E(NotLive, "This live room has not started yet.")
	}
	if err := s.check(ctx, in.UserID, r.MchID, trust.ScopePayments); err != nil {
		return Order{}, err
	}
	it, err := s.item(ctx, r.ID, in.SKU, false)
	if err != nil {
		return Order{}, err
	}
	now := s.now()
	p := purchase{ID: ids.New("lp"), RoomID: r.ID, MchID: r.MchID, SKU: it.SKU, Quantity: in.Quantity, BuyerID: in.UserID,
		Amount: it.Price.Amount * in.Quantity, Currency: it.Price.Currency, State: PurchasePending, Hash: in.Hash,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.HoldFor).Truncate(time.Microsecond)}
	var left, sold int64
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, holdStock, p.Quantity, p.Quantity, p.RoomID, p.SKU, p.Quantity)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(OutOfStock, "%s is sold out.", it.Name)
		}
		if _, err := tx.Exec(ctx, insertPurchase, p.ID, p.RoomID, p.MchID, p.SKU, p.Quantity, p.BuyerID, p.Amount, p.Currency,
			in.Key, p.Hash, sqldb.Micro(p.CreatedAt), sqldb.Micro(p.ExpiresAt)); err != nil {
			return err
		}
		return tx.QueryRow(ctx, selectStockSold, p.RoomID, p.SKU).Scan(&left, &sold)
	})
	if sqldb.IsUniqueViolation(err) {
		// The same key raced this request and won: its answer.
		prior, found, perr := s.priorPurchase(ctx, in)
		if perr != nil || !found {
			return Order{}, errors.Join(err, perr)
		}
		return s.finishOrder(ctx, prior)
	}
	if err != nil {
		return Order{}, err
	}
	s.broadcast(r.ID, "stock", map[string]any{"sku": it.SKU, "stock": left, "sold": sold}, true)
	p.description = "Live: " + it.Name
	p.notifyURL = r.NotifyURL
	return s.finishOrder(ctx, p)
}

// priorPurchase is the purchase of an earlier request with the same key.
// Errors: idempotency_mismatch (the key was used for another request).
func (s *Service) priorPurchase(ctx context.Context, in BuyRequest) (purchase, bool, error) {
	p, err := scanPurchase(s.db.QueryRow(ctx, selectPurchaseByKey, in.UserID, in.Key))
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, err
	}
	if p.Hash != in.Hash {
		return p, false, errs.E(errs.IdempotencyMismatch,
			"This Idempotency-Key was already used for a different request; use a new key for new parameters.")
	}
	return p, true, nil
}

// finishOrder places (or finds again: the merchant order is idempotent by
// out_trade_no) the merchant order of a pending purchase.
func (s *Service) finishOrder(ctx context.Context, p purchase) (Order, error) {
	if p.PrepayID != "" {
		return p.order(), nil
	}
	if p.State != PurchasePending {
		return Order{}, errs.E(errs.Conflict, "This order was given up; buy again with a new Idempotency-Key.")
	}
	if p.description == "" {
		it, err := s.item(ctx, p.RoomID, p.SKU, true)
		if err != nil {
			return Order{}, err
		}
		p.description = "Live: " + it.Name
		if r, err := s.room(ctx, p.RoomID); err == nil {
			p.notifyURL = r.NotifyURL
		}
	}
	prepay, err := s.merchants.CreateLiveOrder(ctx, LiveOrder{MchID: p.MchID, PayerID: p.BuyerID, OutTradeNo: p.ID,
		Description: truncate(p.description, 127), NotifyURL: p.notifyURL, Attach: p.RoomID, Total: p.Amount, Currency: p.Currency,
		ExpiresAt: p.ExpiresAt})
	if err != nil {
		// The order may exist even so (a timeout after its commit): close
		// it first, and give the stock back only once nothing can pay it;
		// otherwise the expiry job settles it.
		bg := context.WithoutCancel(ctx)
		if closed, cerr := s.merchants.CloseLiveOrder(bg, p.MchID, p.ID); cerr == nil && closed {
			s.release(bg, p)
		}
		return Order{}, err
	}
	if _, err := s.db.Exec(ctx, setPrepay, prepay, p.ID); err != nil {
		return Order{}, err
	}
	p.PrepayID = prepay
	return p.order(), nil
}

func truncate(v string, n int) string {
	r := []rune(v)
	if len(r) > n {
		return string(r[:n])
	}
	return v
}

// release gives a pending purchase's stock back, once; true when this
// call released it.
func (s *Service) release(ctx context.Context, p purchase) bool {
	released := false
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, settlePurchase, PurchaseReleased, p.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		released = true
		_, err = tx.Exec(ctx, releaseStock, p.Quantity, p.Quantity, p.RoomID, p.SKU)
		return err
	})
	if err != nil {
		s.log.Error("live: releasing held stock", "purchase", p.ID, "err", err)
		return false
	}
	if released {
		s.stockFrame(ctx, p.RoomID, p.SKU)
	}
	return released
}

func (s *Service) stockFrame(ctx context.Context, roomID, sku string) {
	if it, err := s.item(ctx, roomID, sku, true); err == nil {
		s.broadcast(roomID, "stock", map[string]any{"sku": it.SKU, "stock": it.Stock, "sold": it.Sold}, true)
	}
}

// Paid is merchant order outTradeNo of mchid paid (the merchant's
// payment event, at least once): its purchase is sold, the host hears
// "sale" and everyone "stock". Other orders, and repeats, do nothing.
func (s *Service) Paid(ctx context.Context, mchid, outTradeNo string) error {
	p, err := scanPurchase(s.db.QueryRow(ctx, selectPurchase, outTradeNo))
	if errors.Is(err, sql.ErrNoRows) {
		return nil // not a live order
	}
	if err != nil {
		return err
	}
	if p.MchID != mchid {
		return nil
	}
	return s.markPaid(ctx, p)
}

func (s *Service) markPaid(ctx context.Context, p purchase) error {
	sold := false
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, settlePurchase, PurchasePaid, p.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if p.State == PurchaseReleased {
				s.log.Error("live: a released purchase was paid", "purchase", p.ID)
			}
			return nil
		}
		sold = true
		_, err = tx.Exec(ctx, sellStock, p.Quantity, p.Quantity, p.RoomID, p.SKU)
		return err
	})
	if err != nil || !sold {
		return err
	}
	if r, err := s.room(ctx, p.RoomID); err == nil {
		buyer := map[string]any{"id": p.BuyerID}
		if s.accounts != nil {
			if u, err := s.accounts.User(ctx, p.BuyerID); err == nil {
				buyer["display_name"] = u.DisplayName
			}
		}
		s.toUsers(p.RoomID, "sale", map[string]any{"sku": p.SKU, "quantity": p.Quantity,
			"amount": Money{Amount: p.Amount, Currency: p.Currency}, "buyer": buyer}, r.OwnerID)
	}
	s.stockFrame(ctx, p.RoomID, p.SKU)
	return nil
}

// paymentEvent is what live reads of merchant's PaymentSucceeded.
type paymentEvent struct {
	MchID      string `json:"mchid"`
	OutTradeNo string `json:"out_trade_no"`
}

// PaymentEvent handles the payload of merchant.PaymentSucceededSubject.
func (s *Service) PaymentEvent(ctx context.Context, data []byte) error {
	var e paymentEvent
	if err := json.Unmarshal(data, &e); err != nil || e.OutTradeNo == "" {
		s.log.Warn("live: bad payment event", "data", string(data))
		return nil
	}
	return s.Paid(ctx, e.MchID, e.OutTradeNo)
}

// Expire closes the merchant orders of purchases unpaid past their hold
// and only then gives their stock back; an order that turns out paid is
// sold instead. It answers how many were released.
func (s *Service) Expire(ctx context.Context) (int, error) {
	rows, err := s.db.Query(ctx, selectExpired, sqldb.Micro(s.now()))
	if err != nil {
		return 0, err
	}
	due, err := sqldb.ScanAll(rows, func(r *sql.Rows) (purchase, error) { return scanPurchase(r) })
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range due {
		closed, err := s.merchants.CloseLiveOrder(ctx, p.MchID, p.ID)
		if err != nil {
			s.log.Warn("live: closing an expired order", "purchase", p.ID, "err", err)
			continue
		}
		if !closed {
			if err := s.markPaid(ctx, p); err != nil {
				return n, err
			}
			continue
		}
		if s.release(ctx, p) {
			n++
		}
	}
	return n, nil
}

// Stats is the host's view of a room's selling.
type Stats struct {
	Viewers     int64       `json:"viewers"`
	PeakViewers int64       `json:"peak_viewers"`
	Likes       int64       `json:"likes"`
	Comments    int64       `json:"comments"`
	Orders      int64       `json:"orders"`
	PaidOrders  int64       `json:"paid_orders"`
	Sales       Money       `json:"sales"`
	Items       []ItemStats `json:"items"`
}

// ItemStats is one item's selling.
type ItemStats struct {
	SKU   string `json:"sku"`
	Name  string `json:"name"`
	Stock int64  `json:"stock"`
	Held  int64  `json:"held"`
	Sold  int64  `json:"sold"`
}

// Stats is room id's selling for its host. Errors: not_found, forbidden.
func (s *Service) Stats(ctx context.Context, userID, id string) (Stats, error) {
	r, err := s.hosted(ctx, userID, id)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Viewers: s.rt.viewers(id), Likes: r.Likes, Sales: Money{Currency: "CNY"}, Items: []ItemStats{}}
	if cs, err := s.chatStats(ctx, id); err == nil {
		st.PeakViewers, st.Comments, st.Likes = cs.PeakViewers, cs.Comments, max(st.Likes, cs.Likes)
	}
	if err := s.db.QueryRow(ctx, selectStats, id).Scan(&st.Orders, &st.PaidOrders, &st.Sales.Amount); err != nil {
		return Stats{}, err
	}
	rows, err := s.db.Query(ctx, selectAllItems, id)
	if err != nil {
		return Stats{}, err
	}
	err = sqldb.Each(rows, func(r *sql.Rows) error {
		it, held, err := scanItem(r)
		if err != nil {
			return err
		}
		st.Sales.Currency = it.Price.Currency
		st.Items = append(st.Items, ItemStats{SKU: it.SKU, Name: it.Name, Stock: it.Stock, Held: held, Sold: it.Sold})
		return nil
	})
	return st, err
}

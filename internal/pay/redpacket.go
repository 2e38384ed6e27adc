package pay

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// Red packet limits.
const (
	MaxRedPacketShares = 100
	MaxShareAmount     = 20_000 // 200.00 a share at most, as WeChat has it
	SplitLucky         = "lucky"
	SplitEqual         = "equal"
)

// RedPacket is a red packet with its claims.
type RedPacket struct {
	ID             string       `json:"id"`
	ConversationID string       `json:"conversation_id"`
	Sender         Counterparty `json:"sender"`
	Total          int64        `json:"total"`
	Count          int          `json:"count"`
	Currency       string       `json:"currency"`
	Greeting       string       `json:"greeting"`
	Split          string       `json:"split"`
	ClaimedCount   int          `json:"claimed_count"`
	ClaimedTotal   int64        `json:"claimed_total"`
	Status         string       `json:"status"` // active | empty | expired | refunded | held
	ExpiresAt      time.Time    `json:"expires_at"`
	CreatedAt      time.Time    `json:"created_at"`
	Claims         []Claim      `json:"claims"`
	MyClaim        *int64       `json:"my_claim"`
	held           bool
}

// Held reports whether rp is a send's answer that was held for review
// (202): then Status is "held" and there is no packet to open until the
// review is released.
func (rp RedPacket) Held() bool { return rp.held }

// heldPacket is the answer to a send held for review.
func heldPacket(rpID, convID, senderID, cur, greeting string, in RedPacketInput, now time.Time) RedPacket {
	return RedPacket{ID: rpID, ConversationID: convID, Sender: Counterparty{ID: senderID}, Total: in.Total, Count: in.Count,
		Currency: cur, Greeting: greeting, Split: in.Split, Status: StatusHeld, CreatedAt: now.UTC(), Claims: []Claim{}}
}

// Claim is one person's share.
type Claim struct {
	User      Counterparty `json:"user"`
	Amount    int64        `json:"amount"`
	CreatedAt time.Time    `json:"created_at"`
}

// RedPacketInput is what a sender gives.
type RedPacketInput struct {
	Total    int64  `json:"total"`
	Count    int    `json:"count"`
	Currency string `json:"currency"`
	Greeting string `json:"greeting"`
	PIN      string `json:"pin"`
	Split    string `json:"split"`
}

// SendRedPacket moves total from the sender to escrow and posts the red
// packet in the conversation, in one transaction. Errors: invalid_argument,
// not_found (not a member), the PIN's, insufficient_funds,
// idempotency_mismatch, blocked_by_policy (the sender is blocked for
// payments; checked before the PIN, nothing changes).
func (s *Service) SendRedPacket(ctx context.Context, r Request, convID string, in RedPacketInput) (RedPacket, any, bool, error) {
	cur, err := checkMoney("total", in.Total, in.Currency)
	if err != nil {
		return RedPacket{}, nil, false, err
	}
	if in.Split == "" {
		in.Split = SplitLucky
	}
	switch {
	case in.Split != SplitLucky && in.Split != SplitEqual:
		return RedPacket{}, nil, false, errs.Field("split", "split is lucky or equal.")
	case in.Count < 1 || in.Count > MaxRedPacketShares:
		return RedPacket{}, nil, false, errs.Field("count", "A red packet has 1 to %d shares.", MaxRedPacketShares)
	case in.Total < int64(in.Count):
		return RedPacket{}, nil, false, errs.Field("total", "Every share needs at least %s.", Format(1, cur))
	case in.Split == SplitEqual && in.Total%int64(in.Count) != 0:
		return RedPacket{}, nil, false, errs.Field("total", "An equal split needs a total that divides into %d equal shares.", in.Count)
	case in.Total > MaxShareAmount*int64(in.Count):
		return RedPacket{}, nil, false, errs.Field("total", "A share is at most %s.", Format(MaxShareAmount, cur))
	}
	greeting := strings.TrimSpace(in.Greeting)
	if greeting == "" {
		greeting = "Best wishes"
	}
	if utf8.RuneCountInString(greeting) > 60 {
		return RedPacket{}, nil, false, errs.Field("greeting", "A greeting has at most 60 characters.")
	}
	if _, err := s.convs.MemberCount(ctx, convID, r.UserID); err != nil {
		return RedPacket{}, nil, false, err
	}
	if err := s.unlessAnswered(ctx, r, s.allowPayment(ctx, r.UserID, "")); err != nil {
		return RedPacket{}, nil, false, err
	}
	held, err := s.screenUser(ctx, r.UserID)
	if err != nil {
		return RedPacket{}, nil, false, err
	}
	rpID := ids.New("rp")
	var msg any
	var replayID string
	var replayHeld *RedPacket
	err = s.runLocked(ctx, systemKey, []acct{userAcct(r.UserID, cur)}, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
		var prior struct {
			RedPacket RedPacket `json:"red_packet"`
		}
		if stop, replay, refusal, err := s.authorize(ctx, tx, r, in.PIN, "red_packet", &prior); stop {
			if replay {
				replayID = prior.RedPacket.ID
				if prior.RedPacket.Status == StatusHeld {
					replayHeld = &prior.RedPacket
				}
			}
			return refusal, err
		}
		now := s.now()
		if held != nil {
			// Screening matched the sender: the total is held for review;
			// released, the packet is made and posted then.
			_, m, err := s.openHold(ctx, tx, hold{kind: ReviewRedPacket, hit: held, from: userAcct(r.UserID, cur), payerID: r.UserID,
				amount: in.Total, currency: cur, reference: rpID, memo: greeting, transferKind: KindRedPacketSend,
				details: reviewDetails{ConvID: convID, Count: in.Count, Split: in.Split, Greeting: greeting, RedPacketID: rpID}})
			if errs.Is(err, InsufficientFunds) {
				return err, nil
			}
			if err != nil {
				return nil, err
			}
			s.afterBalance(tx, r.UserID, cur, m.DebitBalance)
			stub := heldPacket(rpID, convID, r.UserID, cur, greeting, in, now)
			replayHeld = &stub
			body, _ := json.Marshal(map[string]any{"red_packet": stub})
			return nil, idempotency.Save(ctx, tx, r.UserID, r.Key, r.Hash, 202, body)
		}
		m, err := move(ctx, tx, userAcct(r.UserID, cur), acct{acctEscrow, "red_packets", cur}, in.Total, KindRedPacketSend, rpID, greeting, "rps:"+rpID, now)
		if errs.Is(err, InsufficientFunds) {
			return err, nil
		}
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, insertRedPacket, rpID, convID, r.UserID, cur, in.Total, in.Count, in.Split, greeting,
			in.Total, in.Count, sqldb.Micro(now.Add(s.rpTTL)), sqldb.Micro(now)); err != nil {
			return nil, err
		}
		if msg, err = s.convs.Post(ctx, tx, convID, r.UserID, "red_packet", greeting, rpID, "red_packet:"+rpID); err != nil {
			return nil, err
		}
		s.afterBalance(tx, r.UserID, cur, m.DebitBalance)
		body, _ := json.Marshal(map[string]any{"red_packet": RedPacket{ID: rpID}})
		return nil, idempotency.Save(ctx, tx, r.UserID, r.Key, r.Hash, 201, body)
	})
	if err != nil {
		return RedPacket{}, nil, false, err
	}
	if replayID != "" {
		rp, err := s.RedPacket(ctx, r.UserID, replayID)
		if replayHeld != nil && (errs.Is(err, errs.NotFound) || err == nil) {
			// First answered held: still held (no packet yet), or released
			// since — either way the retry is answered 202 as first.
			if err != nil {
				rp = *replayHeld
			}
			rp.held = true
			return rp, nil, true, nil
		}
		return rp, nil, true, err
	}
	if replayHeld != nil {
		replayHeld.held = true
		return *replayHeld, nil, false, nil
	}
	rp, err := s.RedPacket(ctx, r.UserID, rpID)
	return rp, msg, false, err
}

// Claim takes one share of a red packet for a member of its conversation,
// once. Errors: not_found (no such packet, or not a member), conflict
// (already claimed), red_packet_empty, red_packet_expired, blocked_by_policy
// (the claimer is blocked for payments).
func (s *Service) Claim(ctx context.Context, userID, rpID string) (Money, error) {
	m, _, err := s.ClaimHeld(ctx, userID, rpID)
	return m, err
}

// ClaimHeld is Claim that also reports whether the share was held for
// review (screening matched the claimer): the share is taken — the
// claimer cannot claim again — but it waits in the review account until
// released (to the claimer) or rejected (to the sender).
func (s *Service) ClaimHeld(ctx context.Context, userID, rpID string) (Money, bool, error) {
	won, held, err := s.claim(ctx, userID, rpID)
	return won, held, err
}

func (s *Service) claim(ctx context.Context, userID, rpID string) (Money, bool, error) {
	var convID string
	if err := s.db.QueryRow(ctx, selectRedPacketConversation, rpID).Scan(&convID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Money{}, false, errs.E(errs.NotFound, "No such red packet.")
		}
		return Money{}, false, err
	}
	members, err := s.convs.MemberCount(ctx, convID, userID)
	if err != nil {
		return Money{}, false, errs.E(errs.NotFound, "No such red packet.")
	}
	if err := s.seesRedPacket(ctx, convID, userID, rpID); err != nil {
		return Money{}, false, err
	}
	if members == 2 {
		// One to one, the packet is for the other person (as in WeChat).
		var sender string
		if err := s.db.QueryRow(ctx, selectRedPacketSender, rpID).Scan(&sender); err != nil {
			return Money{}, false, err
		}
		if sender == userID {
			return Money{}, false, errs.E(errs.Forbidden, "This red packet is for the other person in the chat.")
		}
	}
	// The claimer is the payee: one blocked for payments takes no share.
	if err := s.allowPayment(ctx, userID, ""); err != nil {
		return Money{}, false, err
	}
	var party *hit
	if s.screener != nil {
		if party, err = s.screenUser(ctx, userID); err != nil {
			return Money{}, false, err
		}
	}
	var won Money
	held := false
	for attempt := 0; ; attempt++ {
		lost := false
		err := s.run(ctx, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
			lost = false
			var mine int64
			if err := tx.QueryRow(ctx, selectMyClaim, rpID, userID).Scan(&mine); err == nil {
				return errs.E(errs.Conflict, "You already opened this red packet."), nil
			} else if !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
			var p rpRow
			if err := p.scan(tx.QueryRow(ctx, selectRedPacket, rpID)); err != nil {
				return nil, err
			}
			now := s.now()
			switch {
			case p.status == "refunded" || p.status == "active" && now.After(sqldb.FromMicro(p.expiresAt)):
				return errs.E(RedPacketExpired, "This red packet has expired; what was left went back to the sender."), nil
			case p.remainingCount == 0 || p.status == "empty":
				return errs.E(RedPacketEmpty, "Too late: every share of this red packet has been taken."), nil
			}
			share := nextShare(p.split, p.remaining, p.remainingCount)
			res, err := tx.Exec(ctx, takeShare, share, rpID, p.remaining, p.remainingCount)
			if err != nil {
				return nil, err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				lost = true // someone else took a share first: read again
				return nil, nil
			}
			if party != nil {
				_, m, err := s.openHold(ctx, tx, hold{kind: ReviewClaim, hit: party, from: acct{acctEscrow, "red_packets", p.currency},
					payerID: p.senderID, payeeID: userID, amount: share, currency: p.currency, reference: rpID + ":" + userID,
					transferKind: KindRedPacketClaim, details: reviewDetails{RedPacketID: rpID, Counterparty: &ReviewParty{Type: trust.PartyUser, ID: p.senderID}}})
				if err != nil {
					return nil, err
				}
				if _, err := tx.Exec(ctx, insertClaim, rpID, userID, share, m.ID, sqldb.Micro(now)); err != nil {
					if sqldb.IsUniqueViolation(err) {
						return nil, errs.E(errs.Conflict, "You already opened this red packet.")
					}
					return nil, err
				}
				won, held = Money{share, p.currency}, true
				return nil, nil
			}
			m, err := move(ctx, tx, acct{acctEscrow, "red_packets", p.currency}, userAcct(userID, p.currency), share,
				KindRedPacketClaim, rpID, "", "rpc:"+rpID+":"+userID, now)
			if err != nil {
				return nil, err
			}
			if _, err := tx.Exec(ctx, insertClaim, rpID, userID, share, m.ID, sqldb.Micro(now)); err != nil {
				if sqldb.IsUniqueViolation(err) {
					return nil, errs.E(errs.Conflict, "You already opened this red packet.")
				}
				return nil, err
			}
			if err := transferCompleted(ctx, tx, TransferCompleted{TransferID: m.ID, FromUserID: p.senderID, ToUserID: userID,
				Amount: share, Currency: p.currency, Kind: KindRedPacketClaim, Reference: rpID, At: now.UTC()}); err != nil {
				return nil, err
			}
			if err := s.postOpened(ctx, tx, rpID, p, userID); err != nil {
				return nil, err
			}
			won = Money{share, p.currency}
			s.afterBalance(tx, userID, p.currency, m.CreditBalance)
			return nil, nil
		})
		if err != nil || !lost {
			return won, held, err
		}
		if attempt >= 100 {
			// Never answer a lost race as a claim of nothing.
			return Money{}, false, errs.E(errs.Conflict, "Many people are opening this red packet at once; try again.")
		}
	}
}

// nextShare is the next claim's amount: equal shares, or WeChat's "double
// mean" for lucky packets — uniform in [lo, hi], where hi is 2 × remaining
// ÷ count but at most MaxShareAmount and never leaving less than one minor
// unit for each share still to come, and lo leaves no more than
// MaxShareAmount for each of them; the last share takes what is left. A
// packet is accepted only when total ≤ count × MaxShareAmount, so every
// share, the last included, respects the cap.
func nextShare(split string, remaining int64, count int) int64 {
	if count <= 1 {
		return remaining
	}
	if split == SplitEqual {
		return remaining / int64(count)
	}
	rest := int64(count - 1)
	hi := min(2*remaining/int64(count), remaining-rest, MaxShareAmount)
	lo := max(1, remaining-rest*MaxShareAmount)
	if hi <= lo {
		return lo
	}
	return lo + rand.Int64N(hi-lo+1)
}

type rpRow struct {
	convID, senderID, currency, split, greeting, status string
	total, remaining, expiresAt, createdAt              int64
	count, remainingCount                               int
}

func (p *rpRow) scan(row *sql.Row) error {
	err := row.Scan(&p.convID, &p.senderID, &p.currency, &p.total, &p.count, &p.split, &p.greeting, &p.remaining,
		&p.remainingCount, &p.status, &p.expiresAt, &p.createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "No such red packet.")
	}
	return err
}

// RedPacket shows a red packet to a member of its conversation. Errors:
// not_found.
func (s *Service) RedPacket(ctx context.Context, userID, rpID string) (RedPacket, error) {
	var p rpRow
	if err := p.scan(s.db.QueryRow(ctx, selectRedPacket, rpID)); err != nil {
		return RedPacket{}, err
	}
	if _, err := s.convs.MemberCount(ctx, p.convID, userID); err != nil {
		return RedPacket{}, errs.E(errs.NotFound, "No such red packet.")
	}
	if err := s.seesRedPacket(ctx, p.convID, userID, rpID); err != nil {
		return RedPacket{}, err
	}
	rp := RedPacket{ID: rpID, ConversationID: p.convID, Total: p.total, Count: p.count, Currency: p.currency, Greeting: p.greeting,
		Split: p.split, Status: p.status, ExpiresAt: sqldb.FromMicro(p.expiresAt), CreatedAt: sqldb.FromMicro(p.createdAt), Claims: []Claim{}}
	if rp.Status == "active" && s.now().After(rp.ExpiresAt) {
		rp.Status = "expired"
	}
	rows, err := s.db.Query(ctx, selectClaims, rpID)
	if err != nil {
		return RedPacket{}, err
	}
	userIDs := []string{p.senderID}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var c Claim
		var created int64
		if err := rows.Scan(&c.User.ID, &c.Amount, &created); err != nil {
			return err
		}
		c.CreatedAt = sqldb.FromMicro(created)
		rp.Claims = append(rp.Claims, c)
		rp.ClaimedCount++
		rp.ClaimedTotal += c.Amount
		userIDs = append(userIDs, c.User.ID)
		if c.User.ID == userID {
			amt := c.Amount
			rp.MyClaim = &amt
		}
		return nil
	})
	if err != nil {
		return RedPacket{}, err
	}
	users, err := s.accounts.UsersByIDs(ctx, userIDs)
	if err != nil {
		return RedPacket{}, err
	}
	who := func(id string) Counterparty {
		u := users[id]
		return Counterparty{ID: id, Username: u.Username, DisplayName: u.DisplayName}
	}
	rp.Sender = who(p.senderID)
	for i := range rp.Claims {
		rp.Claims[i].User = who(rp.Claims[i].User.ID)
	}
	return rp, nil
}

// RefundExpired returns what is left of red packets past their time to
// their senders. State lives in the database, so the job survives
// restarts and any node may run it; running it twice refunds nothing twice.
func (s *Service) RefundExpired(ctx context.Context) (int, error) {
	rows, err := s.db.Query(ctx, selectExpiredPackets, sqldb.Micro(s.now()))
	if err != nil {
		return 0, err
	}
	due, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
		var id string
		var left int64
		err := rows.Scan(&id, &left)
		return id, err
	})
	if err != nil {
		return 0, err
	}
	refunded := 0
	for _, id := range due {
		err := s.run(ctx, func(ctx context.Context, tx *sqldb.Tx) (error, error) {
			var p rpRow
			if err := p.scan(tx.QueryRow(ctx, selectRedPacket, id)); err != nil {
				return nil, err
			}
			if p.status != "active" {
				return nil, nil
			}
			res, err := tx.Exec(ctx, markPacketRefunded, id, p.remaining)
			if err != nil {
				return nil, err
			}
			if n, _ := res.RowsAffected(); n != 1 || p.remaining == 0 {
				return nil, nil
			}
			m, err := move(ctx, tx, acct{acctEscrow, "red_packets", p.currency}, userAcct(p.senderID, p.currency), p.remaining,
				KindRedPacketRefund, id, "", "rpr:"+id, s.now())
			if err != nil {
				return nil, err
			}
			refunded++
			s.afterBalance(tx, p.senderID, p.currency, m.CreditBalance)
			return nil, nil
		})
		if err != nil {
			return refunded, err
		}
	}
	return refunded, nil
}

// seesRedPacket refuses a member who does not see the packet's message
// (they joined the group after it was sent), as not_found: to them there
// is no such packet.
func (s *Service) seesRedPacket(ctx context.Context, convID, userID, rpID string) error {
	seer, ok := s.convs.(redPacketSeer)
	if !ok {
		return nil
	}
	sees, err := seer.SeesRedPacket(ctx, convID, userID, rpID)
	if err != nil {
		return err
	}
	if !sees {
		return errs.E(errs.NotFound, "No such red packet.")
	}
	return nil
}

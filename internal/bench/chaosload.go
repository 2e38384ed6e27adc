package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// The load of plaza bench chaos. Every client keeps what it was
// acknowledged, retries what got no answer with the same client_id,
// Idempotency-Key, out_trade_no or out_refund_no, on the next node, until
// an answer comes: so "acknowledged" is well defined whatever dies.

// chaosRetryable reports whether err leaves the outcome unknown (no
// answer, the node or a part behind it failing, or a twin request still in
// flight), so that the same request must be sent again.
func chaosRetryable(err error) bool {
	var e *apiError
	if errors.As(err, &e) {
		return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.Status == http.StatusConflict && e.Code == "conflict"
	}
	var pe *plazapay.APIError
	if errors.As(err, &pe) {
		return pe.StatusCode >= 500 || pe.StatusCode == http.StatusTooManyRequests
	}
	return err != nil // the network: no answer at all
}

// chaosLoad is the clients and what each was acknowledged.
type chaosLoad struct {
	apis     []*api
	hard     context.Context // the end of every retry
	stopping atomic.Bool     // no new work once set
	mu       sync.Mutex      // guards the records below
	failures map[string]int  // definitive refusals nobody expected, by code
	retries  atomic.Int64

	transferUsers, groupUsers, payers []user
	group                             string // the red packets' group
	seed                              int64  // every money user's first top-up
	shops                             []chaosShop

	chatters  []*chatter
	transfers []ackedTransfer
	packets   []*ackedPacket
	orders    []ackedOrder
	refunds   []ackedRefund
	notes     *notifyReceiver
}

func (l *chaosLoad) fail(what string, err error) {
	code := "network"
	var e *apiError
	var pe *plazapay.APIError
	switch {
	case errors.As(err, &e):
		code = fmt.Sprint(e.Status, " ", e.Code)
	case errors.As(err, &pe):
		code = fmt.Sprint(pe.StatusCode, " ", pe.Code)
	}
	l.mu.Lock()
	l.failures[what+": "+code]++
	l.mu.Unlock()
}

// retry calls f(node) on node after node until its outcome is known.
func (l *chaosLoad) retry(node int, f func(node int) error) error {
	for {
		err := f(node % len(l.apis))
		if !chaosRetryable(err) {
			return err
		}
		l.retries.Add(1)
		node++
		select {
		case <-l.hard.Done():
			return fmt.Errorf("gave up: %w", err)
		case <-time.After(time.Duration(30+rand.IntN(70)) * time.Millisecond):
		}
	}
}

// --- chat ---

type chatter struct {
	l        *chaosLoad
	u        user
	conv     string
	node     int
	interval time.Duration
	mu       sync.Mutex // guards the fields below
	seen     map[int64]bool
	contig   int64                // every seq up to this one seen
	pending  map[string]time.Time // client_id → last sent, not acknowledged yet
	acked    map[string]int64     // client_id → seq
	lastAck  int64                // the highest seq acknowledged to this chatter
	peers    []*chatter           // every chatter of conv, this one too; set before run
	doubled  int                  // an acked client_id answered with another seq
	nextID   int
	conns    int // sockets opened (the first and every reconnect)
	resyncs  int // messages fetched after a reconnect or a gap
	lastMsg  time.Time
}

func (c *chatter) see(seq int64) {
	c.seen[seq] = true
	for c.seen[c.contig+1] {
		c.contig++
	}
	c.lastMsg = time.Now()
}

// resync fetches what the socket may have missed: every message after the
// last contiguous one, as a client does on reconnecting or seeing a gap.
func (c *chatter) resync(ctx context.Context, a *api) error {
	for {
		c.mu.Lock()
		after := c.contig
		c.mu.Unlock()
		var page struct {
			Items []struct {
				Seq int64 `json:"seq"`
			} `json:"items"`
		}
		if err := a.callOnce(ctx, "GET", fmt.Sprintf("/api/v1/conversations/%s/messages?after_seq=%d&limit=200", c.conv, after), c.u.Token, nil, &page); err != nil {
			return err
		}
		c.mu.Lock()
		for _, it := range page.Items {
			if !c.seen[it.Seq] {
				c.resyncs++
			}
			c.see(it.Seq)
		}
		moved := c.contig > after
		c.mu.Unlock()
		if len(page.Items) < 200 || !moved {
			return nil
		}
	}
}

type chatFrame struct {
	Type     string `json:"type"`
	ClientID string `json:"client_id"`
	Message  struct {
		Seq            int64  `json:"seq"`
		ConversationID string `json:"conversation_id"`
		ClientID       string `json:"client_id"`
	} `json:"message"`
}

// run holds the chatter's socket, reconnecting to the next node whenever
// it closes, until the load stops and everything it sent is acknowledged.
func (c *chatter) run(ctx context.Context) {
	for ctx.Err() == nil {
		if c.finished() {
			return
		}
		a := c.l.apis[c.node%len(c.l.apis)]
		if err := c.session(ctx, a); err != nil {
			c.node++
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// finished is true once the load is stopping, every chatter of the
// conversation has had each of its sends acknowledged, and this one has
// seen every seq acknowledged to any of them. A chatter that left when
// only its own sends were answered would close its socket on its peer's
// last messages and count them unseen; one that waits for them keeps its
// socket open as a real client does, and a frame that never comes is
// still counted unseen when the settle time runs out.
func (c *chatter) finished() bool {
	if !c.l.stopping.Load() {
		return false
	}
	var last int64
	for _, p := range c.peers {
		p.mu.Lock()
		waiting := len(p.pending)
		last = max(last, p.lastAck)
		p.mu.Unlock()
		if waiting > 0 {
			return false
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.contig >= last
}

func (c *chatter) session(ctx context.Context, a *api) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dctx, dcancel := context.WithTimeout(sctx, 5*time.Second)
	conn, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(a.base, "http")+"/api/v1/ws", &websocket.DialOptions{
		HTTPClient: a.http, HTTPHeader: http.Header{"Authorization": {"Bearer " + c.u.Token}}})
	dcancel()
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	c.mu.Lock()
	c.conns++
	c.mu.Unlock()
	// What was sent while the socket was away comes by resync, after the
	// socket is open so that nothing falls between the two.
	rctx, rcancel := context.WithTimeout(sctx, 5*time.Second)
	err = c.resync(rctx, a)
	rcancel()
	if err != nil {
		return err
	}
	gaps := make(chan struct{}, 1)
	readErr := make(chan error, 1)
	go func() {
		for {
			_, data, err := conn.Read(sctx)
			if err != nil {
				readErr <- err
				return
			}
			var f chatFrame
			if json.Unmarshal(data, &f) != nil {
				continue
			}
			switch f.Type {
			case "message":
				if f.Message.ConversationID != c.conv {
					continue
				}
				c.mu.Lock()
				c.see(f.Message.Seq)
				gap := f.Message.Seq > c.contig+1
				c.mu.Unlock()
				if gap {
					select {
					case gaps <- struct{}{}:
					default:
					}
				}
			case "ack":
				c.mu.Lock()
				if prev, ok := c.acked[f.ClientID]; ok && prev != f.Message.Seq {
					c.doubled++
				}
				c.acked[f.ClientID] = f.Message.Seq
				c.lastAck = max(c.lastAck, f.Message.Seq)
				delete(c.pending, f.ClientID)
				c.see(f.Message.Seq)
				c.mu.Unlock()
			}
		}
	}()
	tick := time.NewTicker(c.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			return err
		case <-gaps:
			// A seq arrived past one not seen: fetch the gap after a
			// moment (it may be a frame still on its way).
			time.Sleep(200 * time.Millisecond)
			gctx, gcancel := context.WithTimeout(sctx, 5*time.Second)
			err := c.resync(gctx, a)
			gcancel()
			if err != nil {
				return err
			}
		case <-tick.C:
			if c.finished() {
				return nil
			}
			if err := c.sendDue(sctx, conn); err != nil {
				return err
			}
		}
	}
}

// sendDue sends a new message (unless the load is stopping) and again
// every one not acknowledged within a second, with its client_id.
func (c *chatter) sendDue(ctx context.Context, conn *websocket.Conn) error {
	now := time.Now()
	c.mu.Lock()
	if !c.l.stopping.Load() {
		c.nextID++
		c.pending[fmt.Sprintf("%s-%d", c.u.Username, c.nextID)] = time.Time{}
	}
	var due []string
	for id, last := range c.pending {
		if now.Sub(last) > time.Second {
			due = append(due, id)
			c.pending[id] = now
		}
	}
	c.mu.Unlock()
	for _, id := range due {
		msg := fmt.Sprintf(`{"type":"send","conversation_id":%q,"client_id":%q,"kind":"text","text":"chaos %s"}`, c.conv, id, id)
		wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := conn.Write(wctx, websocket.MessageText, []byte(msg))
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// --- transfers ---

type ackedTransfer struct {
	Key, TxID, From, To string
	Amount              int64
}

func (l *chaosLoad) transferWorker(us []user, i int) {
	me := us[i]
	for k := 0; !l.stopping.Load(); k++ {
		to := us[(i+1+rand.IntN(len(us)-1))%len(us)]
		amount := int64(1 + rand.IntN(100))
		key := fmt.Sprintf("%s-t%d", me.Username, k)
		var out struct {
			Transaction struct{ ID string } `json:"transaction"`
		}
		err := l.retry(i+k, func(n int) error {
			return l.apis[n].callOnce(l.hard, "POST", "/api/v1/wallet/transfers", me.Token,
				map[string]any{"username": to.Username, "amount": amount, "currency": "CNY", "pin": benchPIN}, &out, "Idempotency-Key", key)
		})
		if err != nil {
			l.fail("transfer", err)
			continue
		}
		l.mu.Lock()
		l.transfers = append(l.transfers, ackedTransfer{Key: key, TxID: out.Transaction.ID, From: me.Username, To: to.Username, Amount: amount})
		l.mu.Unlock()
		time.Sleep(time.Duration(50+rand.IntN(100)) * time.Millisecond)
	}
}

// --- red packets ---

type ackedPacket struct {
	ID, Sender string
	Total      int64
	Claims     map[string]int64 // username → amount acknowledged
}

func (l *chaosLoad) redPacketWorker(group string, us []user) {
	for k := 0; !l.stopping.Load(); k++ {
		sender := us[k%len(us)]
		total := int64(300)
		var out struct {
			RedPacket struct{ ID string } `json:"red_packet"`
		}
		err := l.retry(k, func(n int) error {
			return l.apis[n].callOnce(l.hard, "POST", "/api/v1/conversations/"+group+"/red-packets", sender.Token,
				map[string]any{"total": total, "count": len(us) - 2, "currency": "CNY", "greeting": "chaos", "pin": benchPIN},
				&out, "Idempotency-Key", fmt.Sprintf("%s-rp%d", sender.Username, k))
		})
		if err != nil {
			l.fail("red packet", err)
			continue
		}
		rp := &ackedPacket{ID: out.RedPacket.ID, Sender: sender.Username, Total: total, Claims: map[string]int64{}}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for j, u := range us {
			if u.Username == sender.Username {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				amount, ok := l.claim(rp.ID, u, k+j)
				if ok {
					mu.Lock()
					rp.Claims[u.Username] = amount
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		l.mu.Lock()
		l.packets = append(l.packets, rp)
		l.mu.Unlock()
		time.Sleep(time.Duration(200+rand.IntN(200)) * time.Millisecond)
	}
}

// claim opens a red packet until the outcome is known. A retry whose
// first attempt was applied is told "already opened"; the client then
// reads its share, as the app shows it.
func (l *chaosLoad) claim(id string, u user, node int) (int64, bool) {
	var out struct{ Amount int64 }
	tries := 0
	err := l.retry(node, func(n int) error {
		tries++
		err := l.apis[n].callOnce(l.hard, "POST", "/api/v1/red-packets/"+id+"/claim", u.Token, nil, &out)
		var e *apiError
		if errors.As(err, &e) && e.Status == http.StatusConflict && tries > 1 {
			var rp struct {
				RedPacket struct {
					MyClaim *int64 `json:"my_claim"`
				} `json:"red_packet"`
			}
			if err := l.apis[n].callOnce(l.hard, "GET", "/api/v1/red-packets/"+id, u.Token, nil, &rp); err != nil {
				return err
			}
			if rp.RedPacket.MyClaim != nil {
				out.Amount = *rp.RedPacket.MyClaim
				return nil
			}
		}
		return err
	})
	var e *apiError
	if errors.As(err, &e) && e.Code == "red_packet_empty" {
		return 0, false
	}
	if err != nil {
		l.fail("claim", err)
		return 0, false
	}
	return out.Amount, true
}

// --- merchant orders, refunds and notifications ---

type ackedOrder struct {
	MchID, OutTradeNo, Payer, TxID string
	Amount                         int64
}

type ackedRefund struct {
	MchID, OutRefundNo, OutTradeNo, Payer string
	Amount                                int64
}

type chaosShop struct {
	mchid   string
	appid   string
	clients []*plazapay.Client // one per node
}

func (l *chaosLoad) merchantWorker(shop chaosShop, ix int, payers []user, notifyURL string) {
	for k := 0; !l.stopping.Load(); k++ {
		payer := payers[(ix+k)%len(payers)]
		no := fmt.Sprintf("CH%d%s%06d", ix, shop.mchid[len(shop.mchid)-4:], k)
		amount := int64(100 + rand.IntN(100))
		var code string
		err := l.retry(k, func(n int) (err error) {
			code, err = shop.clients[n].PrepayNative(l.hard, plazapay.NativeRequest{AppID: shop.appid, Description: "Chaos tea", OutTradeNo: no,
				NotifyURL: notifyURL, Amount: plazapay.Amount{Total: amount}})
			return err
		})
		if err != nil {
			l.fail("prepay", err)
			continue
		}
		u, _ := url.Parse(code)
		var paid struct {
			Transaction struct{ ID string } `json:"transaction"`
		}
		err = l.retry(k+1, func(n int) error {
			return l.apis[n].callOnce(l.hard, "POST", "/api/v1/pay/confirm", payer.Token,
				map[string]string{"prepay_id": u.Query().Get("pr"), "pin": benchPIN}, &paid)
		})
		if err != nil {
			l.fail("confirm", err)
			continue
		}
		l.mu.Lock()
		l.orders = append(l.orders, ackedOrder{MchID: shop.mchid, OutTradeNo: no, Payer: payer.Username, TxID: paid.Transaction.ID, Amount: amount})
		l.mu.Unlock()
		if k%3 == 0 {
			refund := amount / 2
			err := l.retry(k+2, func(n int) error {
				_, err := shop.clients[n].Refund(l.hard, plazapay.RefundRequest{OutTradeNo: no, OutRefundNo: "R" + no, Reason: "chaos",
					Amount: plazapay.RefundRequestAmount{Refund: refund, Total: amount}})
				return err
			})
			if err != nil {
				l.fail("refund", err)
			} else {
				l.mu.Lock()
				l.refunds = append(l.refunds, ackedRefund{MchID: shop.mchid, OutRefundNo: "R" + no, OutTradeNo: no, Payer: payer.Username, Amount: refund})
				l.mu.Unlock()
			}
		}
		time.Sleep(time.Duration(100+rand.IntN(100)) * time.Millisecond)
	}
}

// notifyReceiver is the shops' notify_url: it checks each notification's
// signature, decrypts it, and processes it once by its id, as the WeChat
// Pay documentation asks of a merchant. One first delivery in ten is
// processed and then answered 500, as a shop that crashed before
// answering: the retry must carry the same id.
type notifyReceiver struct {
	shops map[string]*plazapay.Client // by the path's shop key
	mu    sync.Mutex                  // guards the fields below
	byID  map[string]*chaosNotice
	bad   int // notifications that did not verify or decrypt
}

type chaosNotice struct {
	ID, Event, Key, MchID string // Key: out_trade_no, or out_refund_no for a refund
	Deliveries, Processed int
}

func (r *notifyReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	client := r.shops[strings.TrimPrefix(req.URL.Path, "/notify/")]
	if client == nil {
		http.NotFound(w, req)
		return
	}
	n, plain, err := client.ParseNotification(req)
	if err != nil {
		r.mu.Lock()
		r.bad++
		r.mu.Unlock()
		http.Error(w, `{"code":"FAIL","message":"bad notification"}`, http.StatusBadRequest)
		return
	}
	var res struct {
		MchID       string `json:"mchid"`
		OutTradeNo  string `json:"out_trade_no"`
		OutRefundNo string `json:"out_refund_no"`
	}
	json.Unmarshal(plain, &res)
	key := res.OutTradeNo
	if res.OutRefundNo != "" {
		key = res.OutRefundNo
	}
	r.mu.Lock()
	rec := r.byID[n.ID]
	first := rec == nil
	if first {
		rec = &chaosNotice{ID: n.ID, Event: n.EventType, Key: key, MchID: res.MchID}
		r.byID[n.ID] = rec
		rec.Processed++ // processing: once per id, whatever the deliveries
	}
	rec.Deliveries++
	r.mu.Unlock()
	if first && rand.IntN(10) == 0 {
		http.Error(w, `{"code":"FAIL","message":"crashed before answering"}`, http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// LiveConfig is plaza bench live's flags.
type LiveConfig struct {
	Addr     string
	Duration time.Duration
	// Buyers rush Items items of one each (the issue: 1,000 buyers on
	// ten items); 0 skips the rush.
	Buyers, Items int
	// Viewers sockets watch the room while CommentRate comments a second
	// are posted (0 skips the fan-out).
	Viewers     int
	CommentRate float64
	Log         func(format string, args ...any)
}

// LiveResult is what plaza bench live prints.
type LiveResult struct {
	Rush   *RushResult   `json:"rush,omitempty"`
	Fanout *FanoutResult `json:"fanout,omitempty"`
	RoomID string        `json:"room_id"`
}

// RushResult is the buyers' rush on the last items.
type RushResult struct {
	Buyers      int            `json:"buyers"`
	Items       int            `json:"items"`
	Ordered     int64          `json:"ordered"`
	Paid        int64          `json:"paid"`
	OutOfStock  int64          `json:"out_of_stock"`
	Errors      map[string]int `json:"errors"`
	Seconds     float64        `json:"seconds"`
	RequestsSec float64        `json:"order_requests_per_sec"`
	P50         float64        `json:"p50_ms"`
	P99         float64        `json:"p99_ms"`
	StockLeft   int64          `json:"stock_left"`
	Sold        int64          `json:"sold"`
	Oversold    bool           `json:"oversold"`
}

// FanoutResult is comment delivery to everyone watching.
type FanoutResult struct {
	Sockets         int     `json:"sockets"`
	Comments        int64   `json:"comments"`
	Delivered       int64   `json:"delivered"`
	Expected        int64   `json:"expected"`
	DeliveredPerSec float64 `json:"delivered_per_sec"`
	P50             float64 `json:"p50_ms"`
	P99             float64 `json:"p99_ms"`
	Shed            int64   `json:"shed"` // comments a socket went without (slow readers drop comments)
	ClosedSockets   int64   `json:"closed_sockets"`
}

type liveRun struct {
	cfg  LiveConfig
	api  *api
	host user
	room string
	mch  string
}

// Live runs a room with a synthetic host's video and measures a buyers'
// rush on the last items and comment fan-out to many viewers.
func Live(ctx context.Context, cfg LiveConfig) (LiveResult, error) {
	if cfg.Log == nil {
		cfg.Log = func(string, ...any) {}
	}
	r := &liveRun{cfg: cfg, api: newAPI(cfg.Addr)}
	prefix := "l" + ids.Token(4)
	hosts, err := r.api.signupMany(ctx, prefix+"_host", 1, 1)
	if err != nil {
		return LiveResult{}, err
	}
	r.host = hosts[0]
	var m struct {
		Merchant struct{ MchID string } `json:"merchant"`
	}
	if err := r.api.call(ctx, "POST", "/api/v1/merchants", r.host.Token, map[string]string{"name": "Bench live shop", "region": "CN"}, &m); err != nil {
		return LiveResult{}, err
	}
	r.mch = m.Merchant.MchID
	var room struct {
		Room struct{ ID string } `json:"room"`
	}
	if err := r.api.call(ctx, "POST", "/api/v1/live/rooms", r.host.Token, map[string]any{"mchid": r.mch, "title": "Bench live"}, &room); err != nil {
		return LiveResult{}, err
	}
	r.room = room.Room.ID
	pub, err := r.api.publish(ctx, r.host.Token, r.room, 1500)
	if err != nil {
		return LiveResult{}, fmt.Errorf("going live: %w", err)
	}
	defer pub.close()
	res := LiveResult{RoomID: r.room}
	if cfg.Buyers > 0 {
		rr, err := r.rush(ctx, prefix)
		if err != nil {
			return res, err
		}
		res.Rush = &rr
	}
	if cfg.Viewers > 0 {
		fr, err := r.fanout(ctx, prefix)
		if err != nil {
			return res, err
		}
		res.Fanout = &fr
	}
	return res, nil
}

type shelfItem struct {
	SKU   string `json:"sku"`
	Name  string `json:"name"`
	Price struct {
		Amount   int64  `json:"amount"`
		Currency string `json:"currency"`
	} `json:"price"`
	Stock int64 `json:"stock"`
	Sold  int64 `json:"sold"`
}

func (r *liveRun) rush(ctx context.Context, prefix string) (RushResult, error) {
	items := max(r.cfg.Items, 1)
	shelf := make([]map[string]any, items)
	for i := range shelf {
		shelf[i] = map[string]any{"sku": fmt.Sprintf("item%d", i), "name": fmt.Sprintf("Last one #%d", i),
			"price": map[string]any{"amount": 100, "currency": "CNY"}, "stock": 1}
	}
	if err := r.api.call(ctx, "PUT", "/api/v1/live/rooms/"+r.room+"/shelf", r.host.Token, map[string]any{"items": shelf}, nil); err != nil {
		return RushResult{}, err
	}
	r.cfg.Log("creating %d buyers with PINs and money…", r.cfg.Buyers)
	buyers, err := r.api.signupMany(ctx, prefix+"_b", r.cfg.Buyers, 16)
	if err != nil {
		return RushResult{}, err
	}
	err = parallelDo(len(buyers), 16, func(i int) error {
		u := buyers[i]
		if err := r.api.call(ctx, "PUT", "/api/v1/wallet/pin", u.Token, map[string]string{"pin": benchPIN, "password": "bench-password"}, nil); err != nil {
			return err
		}
		return r.api.call(ctx, "POST", "/api/v1/wallet/topups", u.Token, map[string]any{"amount": 10_000, "currency": "CNY"}, nil, "Idempotency-Key", "bench-seed")
	})
	if err != nil {
		return RushResult{}, err
	}
	res := RushResult{Buyers: len(buyers), Items: items, Errors: map[string]int{}}
	var mu sync.Mutex
	var lat []time.Duration
	var ordered, paid, out atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, u := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			t0 := time.Now()
			var o struct {
				PrepayID string `json:"prepay_id"`
			}
			err := r.api.callOnce(ctx, "POST", "/api/v1/live/rooms/"+r.room+"/orders", u.Token,
				map[string]any{"sku": fmt.Sprintf("item%d", i%items), "quantity": 1}, &o, "Idempotency-Key", "rush-"+u.ID)
			d := time.Since(t0)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
			var e *apiError
			switch {
			case err == nil:
				ordered.Add(1)
				if r.api.call(ctx, "POST", "/api/v1/pay/confirm", u.Token, map[string]string{"prepay_id": o.PrepayID, "pin": benchPIN}, nil) == nil {
					paid.Add(1)
				}
			case errors.As(err, &e) && e.Code == "out_of_stock":
				out.Add(1)
			default:
				code := "transport"
				if errors.As(err, &e) {
					code = e.Code
				}
				mu.Lock()
				res.Errors[code]++
				mu.Unlock()
			}
		}()
	}
	r.cfg.Log("%d buyers rushing %d items…", len(buyers), items)
	began := time.Now()
	close(start)
	wg.Wait()
	res.Seconds = round2(time.Since(began).Seconds())
	res.Ordered, res.Paid, res.OutOfStock = ordered.Load(), paid.Load(), out.Load()
	res.RequestsSec = round2(float64(len(buyers)) / max(res.Seconds, 0.001))
	ps := percentiles(lat, 0.5, 0.99)
	res.P50, res.P99 = ps[0], ps[1]
	// Sales settle from the payment events: wait for them a little.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got struct {
			Items []shelfItem `json:"items"`
		}
		if err := r.api.call(ctx, "GET", "/api/v1/live/rooms/"+r.room+"/shelf", r.host.Token, nil, &got); err != nil {
			return res, err
		}
		res.StockLeft, res.Sold, res.Oversold = 0, 0, false
		for _, it := range got.Items {
			res.StockLeft += it.Stock
			res.Sold += it.Sold
			if it.Stock < 0 || it.Sold > 1 {
				res.Oversold = true
			}
		}
		if res.Sold >= res.Paid || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	res.Oversold = res.Oversold || res.Ordered > int64(items) || res.Sold > int64(items)
	return res, nil
}

type liveFrame struct {
	Type    string `json:"type"`
	Event   string `json:"event"`
	Comment struct {
		Text string `json:"text"`
	} `json:"comment"`
}

func (r *liveRun) fanout(ctx context.Context, prefix string) (FanoutResult, error) {
	const perUser = 10 // chat.MaxSocketsPerUser
	nUsers := (r.cfg.Viewers + perUser - 1) / perUser
	r.cfg.Log("creating %d viewers for %d sockets…", nUsers, r.cfg.Viewers)
	users, err := r.api.signupMany(ctx, prefix+"_v", nUsers, 16)
	if err != nil {
		return FanoutResult{}, err
	}
	res := FanoutResult{Sockets: r.cfg.Viewers}
	var delivered, closed atomic.Int64
	var latMu sync.Mutex
	var lat []time.Duration
	wsURL := "ws" + strings.TrimPrefix(r.api.base, "http") + "/api/v1/ws"
	clients := make([]*http.Client, 250)
	for i := range clients {
		d := loopbackDialer(i)
		clients[i] = &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	}
	rctx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	var joined atomic.Int64
	conns := make([]*websocket.Conn, r.cfg.Viewers)
	err = parallelDo(r.cfg.Viewers, 64, func(i int) error {
		conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: clients[i%len(clients)],
			HTTPHeader: http.Header{"Authorization": {"Bearer " + users[i/perUser].Token}}})
		if err != nil {
			return fmt.Errorf("socket %d: %w", i, err)
		}
		conn.SetReadLimit(1 << 20)
		conns[i] = conn
		join, _ := json.Marshal(map[string]string{"type": "live_join", "room_id": r.room})
		if err := conn.Write(ctx, websocket.MessageText, join); err != nil {
			return err
		}
		go func() {
			counted := false
			for {
				_, data, err := conn.Read(rctx)
				if err != nil {
					if rctx.Err() == nil {
						closed.Add(1)
					}
					return
				}
				var f liveFrame
				if json.Unmarshal(data, &f) != nil || f.Type != "live" {
					continue
				}
				switch f.Event {
				case "joined":
					if !counted {
						counted = true
						joined.Add(1)
					}
				case "comment":
					if ns, err := strconv.ParseInt(strings.TrimPrefix(f.Comment.Text, "bench "), 10, 64); err == nil {
						delivered.Add(1)
						d := time.Duration(time.Now().UnixNano() - ns)
						latMu.Lock()
						lat = append(lat, d)
						latMu.Unlock()
					}
				}
			}
		}()
		return nil
	})
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close(websocket.StatusNormalClosure, "")
			}
		}
	}()
	if err != nil {
		return res, err
	}
	for deadline := time.Now().Add(30 * time.Second); joined.Load() < int64(r.cfg.Viewers) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	r.cfg.Log("%d of %d sockets joined; commenting at %.0f/s for %v…", joined.Load(), r.cfg.Viewers, r.cfg.CommentRate, r.cfg.Duration)
	// Commenters take turns so that each stays under the per-viewer
	// comment limit (one a second).
	rate := max(r.cfg.CommentRate, 1)
	commenters := min(len(users), max(2*int(rate), 1))
	var sent atomic.Int64
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	end := time.Now().Add(r.cfg.Duration)
	began := time.Now()
	var wg sync.WaitGroup
	for i := 0; time.Now().Before(end); i++ {
		<-tick.C
		u := users[i%commenters]
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := "bench " + strconv.FormatInt(time.Now().UnixNano(), 10)
			if r.api.callOnce(ctx, "POST", "/api/v1/live/rooms/"+r.room+"/comments", u.Token,
				map[string]any{"client_id": ids.Token(8), "text": text}, nil) == nil {
				sent.Add(1)
			}
		}()
	}
	tick.Stop()
	wg.Wait()
	time.Sleep(2 * time.Second) // the last comments' deliveries
	elapsed := time.Since(began)
	res.Comments, res.Delivered, res.ClosedSockets = sent.Load(), delivered.Load(), closed.Load()
	res.Expected = res.Comments * joined.Load()
	res.Shed = max(res.Expected-res.Delivered, 0)
	res.DeliveredPerSec = round2(float64(res.Delivered) / elapsed.Seconds())
	latMu.Lock()
	ps := percentiles(lat, 0.5, 0.99)
	latMu.Unlock()
	res.P50, res.P99 = ps[0], ps[1]
	return res, nil
}

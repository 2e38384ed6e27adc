package store

// Gadget Store's own server: it signs users in with jscode2session, places
// JSAPI orders for their openid with pkg/plazapay, hands the mini-program
// the requestPayment parameters, and marks orders paid only from verified
// notifications.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/examples/internal/loopback"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// Config is the backend configuration, written by plaza serve --demo.
type Config struct {
	Plaza          string `json:"plaza"`
	AppID          string `json:"appid"`
	Secret         string `json:"secret"`
	MchID          string `json:"mchid"`
	SerialNo       string `json:"serial_no"`
	PrivateKeyFile string `json:"private_key_file"`
	PlatformKey    string `json:"platform_key"`
	PlatformKeyID  string `json:"platform_key_id"`
	APIv3Key       string `json:"apiv3_key"`
	Addr           string `json:"addr"`
}

type order struct {
	OutTradeNo string `json:"out_trade_no"`
	OpenID     string `json:"-"`
	Summary    string `json:"summary"`
	Total      int64  `json:"total"`
	Status     string `json:"status"` // unpaid | paid
	Verified   bool   `json:"verified_notification"`
}

// Server is the store backend.
type Server struct {
	cfg    Config
	http   *http.Client // to Plaza (jscode2session), *.localhost on loopback
	client *plazapay.Client
	log    *slog.Logger
	mu     sync.Mutex        // guards sessions and orders
	tokens map[string]string // session token → openid
	orders []*order
}

// Load reads the backend configuration that plaza serve --demo writes.
func Load(path string, log *slog.Logger) (*Server, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w — run `plaza serve --demo` first; it writes this file", err)
	}
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(filepath.Join(filepath.Dir(path), c.PrivateKeyFile))
	if err != nil {
		return nil, err
	}
	key, err := plazapay.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	platform, err := plazapay.ParsePublicKeyPEM([]byte(c.PlatformKey))
	if err != nil {
		return nil, err
	}
	client, err := plazapay.NewClient(plazapay.Config{BaseURL: c.Plaza, MchID: c.MchID, SerialNo: c.SerialNo, PrivateKey: key,
		PlatformKey: platform, PlatformKeyID: c.PlatformKeyID, APIv3Key: c.APIv3Key, HTTP: loopback.Client()})
	if err != nil {
		return nil, err
	}
	return New(c, client, log), nil
}

// New makes the backend (tests build one in-process).
func New(c Config, client *plazapay.Client, log *slog.Logger) *Server {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8082"
	}
	return &Server{cfg: c, client: client, http: loopback.Client(), log: log, tokens: map[string]string{}}
}

// Handler serves the backend.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/login", s.login)
	mux.HandleFunc("POST /api/checkout", s.checkout)
	mux.HandleFunc("GET /api/orders", s.listOrders)
	mux.HandleFunc("POST /notify", s.notify)
	// The mini-program runs in a sandboxed frame (origin "null") and sends
	// no cookies: a bearer token in a header, so any origin may call.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		h.Set("Access-Control-Allow-Methods", "GET, POST")
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Code string }
	json.NewDecoder(r.Body).Decode(&in)
	q := url.Values{"appid": {s.cfg.AppID}, "secret": {s.cfg.Secret}, "js_code": {in.Code}, "grant_type": {"authorization_code"}}
	resp, err := s.http.Get(s.cfg.Plaza + "/sns/jscode2session?" + q.Encode())
	if err != nil {
		reply(w, 502, map[string]string{"error": err.Error()})
		return
	}
	defer resp.Body.Close()
	var out struct {
		OpenID  string `json:"openid"`
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	if out.OpenID == "" {
		reply(w, 401, map[string]string{"error": fmt.Sprintf("login refused (%d %s)", out.ErrCode, out.ErrMsg)})
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[token] = out.OpenID
	s.mu.Unlock()
	reply(w, 200, map[string]string{"token": token})
}

func (s *Server) openid(r *http.Request) string {
	t := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[t]
}

func (s *Server) checkout(w http.ResponseWriter, r *http.Request) {
	openid := s.openid(r)
	if openid == "" {
		reply(w, 401, map[string]string{"error": "sign in first"})
		return
	}
	var in struct {
		Items []struct {
			ID  string `json:"id"`
			Qty int64  `json:"qty"`
		} `json:"items"`
	}
	json.NewDecoder(r.Body).Decode(&in)
	var total int64
	var parts []string
	for _, it := range in.Items {
		p, ok := Catalog[it.ID]
		if !ok || it.Qty < 1 || it.Qty > 10 {
			reply(w, 400, map[string]string{"error": "bad cart line " + it.ID})
			return
		}
		total += p.Price * it.Qty
		parts = append(parts, fmt.Sprintf("%s × %d", p.Name, it.Qty))
	}
	if total == 0 {
		reply(w, 400, map[string]string{"error": "the cart is empty"})
		return
	}
	sort.Strings(parts)
	o := &order{OutTradeNo: fmt.Sprintf("GS%s%04d", time.Now().Format("0102150405"), len(s.orders)+1), OpenID: openid,
		Summary: strings.Join(parts, ", "), Total: total, Status: "unpaid"}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	prepay, err := s.client.PrepayJSAPI(ctx, plazapay.JSAPIRequest{AppID: s.cfg.AppID, Description: "Gadget Store: " + o.Summary,
		OutTradeNo: o.OutTradeNo, NotifyURL: "http://" + s.cfg.Addr + "/notify", Amount: plazapay.Amount{Total: total},
		Payer: plazapay.Payer{OpenID: openid}})
	if err != nil {
		reply(w, 502, map[string]string{"error": err.Error()})
		return
	}
	params, err := s.client.RequestPayment(s.cfg.AppID, prepay)
	if err != nil {
		reply(w, 500, map[string]string{"error": err.Error()})
		return
	}
	s.mu.Lock()
	s.orders = append(s.orders, o)
	s.mu.Unlock()
	reply(w, 200, map[string]any{"order": o, "payment": params})
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	openid := s.openid(r)
	s.mu.Lock()
	out := []*order{}
	for i := len(s.orders) - 1; i >= 0; i-- {
		if s.orders[i].OpenID == openid {
			cp := *s.orders[i]
			out = append(out, &cp)
		}
	}
	s.mu.Unlock()
	reply(w, 200, map[string]any{"orders": out})
}

// notify marks an order paid from a verified, decrypted notification.
func (s *Server) notify(w http.ResponseWriter, r *http.Request) {
	env, plain, err := s.client.ParseNotification(r)
	if err != nil {
		s.log.Warn("refused a notification", "err", err)
		reply(w, 401, map[string]string{"code": "FAIL", "message": "verification failed"})
		return
	}
	var tx struct {
		OutTradeNo  string `json:"out_trade_no"`
		TradeState  string `json:"trade_state"`
		Description string `json:"description"`
		Amount      struct {
			Total int64 `json:"total"`
		} `json:"amount"`
	}
	json.Unmarshal(plain, &tx)
	if env.EventType == "TRANSACTION.SUCCESS" && tx.TradeState == "SUCCESS" {
		s.mu.Lock()
		known := false
		for _, o := range s.orders {
			if o.OutTradeNo == tx.OutTradeNo {
				o.Status, o.Verified, known = "paid", true, true
			}
		}
		if !known {
			// An order Plaza placed for the store: a purchase in its live
			// room. The shop learns of it here, as of any paid order.
			s.orders = append(s.orders, &order{OutTradeNo: tx.OutTradeNo, Summary: tx.Description, Total: tx.Amount.Total, Status: "paid", Verified: true})
			s.log.Info("live room order paid", "out_trade_no", tx.OutTradeNo, "total", tx.Amount.Total)
		}
		s.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

// PaidCount is how many orders a verified notification said were paid.
func (s *Server) PaidCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, o := range s.orders {
		if o.Status == "paid" && o.Verified {
			n++
		}
	}
	return n
}

// Addr is where the backend listens (its notify_url is there too).
func (s *Server) Addr() string { return s.cfg.Addr }

// SetAddr moves the backend (tests listen on a free port).
func (s *Server) SetAddr(addr string) { s.cfg.Addr = addr }

// AppID is the mini-program the backend serves.
func (s *Server) AppID() string { return s.cfg.AppID }

// AllOrders is every order the backend holds (for tests and operators).
func (s *Server) AllOrders() []order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]order, len(s.orders))
	for i, o := range s.orders {
		out[i] = *o
	}
	return out
}

// Package shop is an outside web shop that takes Plaza Pay through the
// WeChat Pay v3-compatible merchant API with pkg/plazapay: a Native QR code
// on desktop, H5 on phones. It marks an order paid only from a verified,
// decrypted notification (or, when one is late, from a signed query), and
// refunds from its own admin button.
package shop

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"rsc.io/qr"

	"github.com/plaza-dev/plaza/pkg/plazapay"
)

//go:embed page.html
var pages embed.FS

var tmpl = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"divide": func(fen int64) float64 { return float64(fen) / 100 },
}).ParseFS(pages, "page.html"))

// Product is something the shop sells.
type Product struct {
	ID    string
	Name  string
	Blurb string
	Price int64 // fen
}

// Catalog is the shop's small product list.
var Catalog = []Product{
	{"oolong", "Tieguanyin Oolong, 250 g", "Roasted, orchid-sweet, from Anxi.", 3_800},
	{"puer", "Aged Pu'er cake, 357 g", "Seven years in Kunming; earthy and smooth.", 12_800},
	{"teapot", "Yixing clay teapot", "Hand-thrown zisha, 180 ml.", 26_800},
}

// Config is what the shop needs to take Plaza Pay.
type Config struct {
	Client    *plazapay.Client
	AppID     string // bound to the merchant
	PublicURL string // where buyers' browsers reach the shop, e.g. http://shop.localhost:8081
	NotifyURL string // where Plaza reaches /notify (PublicURL + "/notify" when empty)
	Log       *slog.Logger
}

// Order is one order of this shop, as it knows it.
type Order struct {
	OutTradeNo string
	Product    Product
	CodeURL    string
	H5URL      string
	Status     string // unpaid | paid | refunded
	Created    time.Time
}

// Shop serves the shop's pages.
type Shop struct {
	cfg    Config
	mu     sync.Mutex // guards orders
	orders map[string]*Order
	seq    int
}

// New makes a shop.
func New(cfg Config) *Shop {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Shop{cfg: cfg, orders: map[string]*Order{}}
}

// Handler is the shop's HTTP handler.
func (s *Shop) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("POST /buy", s.buy)
	mux.HandleFunc("GET /order/{no}", s.orderPage)
	mux.HandleFunc("GET /order/{no}/status", s.status)
	mux.HandleFunc("POST /order/{no}/refund", s.refund)
	mux.HandleFunc("GET /qr", s.qrCode)
	mux.HandleFunc("POST /notify", s.notify)
	return mux
}

func (s *Shop) home(w http.ResponseWriter, r *http.Request) {
	tmpl.ExecuteTemplate(w, "home", map[string]any{"Products": Catalog})
}

func isPhone(r *http.Request) bool {
	ua := r.UserAgent()
	return strings.Contains(ua, "iPhone") || strings.Contains(ua, "Android") || strings.Contains(ua, "Mobile")
}

func (s *Shop) buy(w http.ResponseWriter, r *http.Request) {
	var p *Product
	for i := range Catalog {
		if Catalog[i].ID == r.FormValue("product") {
			p = &Catalog[i]
		}
	}
	if p == nil {
		http.Error(w, "no such product", http.StatusNotFound)
		return
	}
	s.mu.Lock()
	s.seq++
	no := fmt.Sprintf("SHOP%s%04d", time.Now().Format("150405"), s.seq)
	s.mu.Unlock()
	o := &Order{OutTradeNo: no, Product: *p, Status: "unpaid", Created: time.Now()}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	var err error
	notify := s.cfg.NotifyURL
	if notify == "" {
		notify = s.cfg.PublicURL + "/notify"
	}
	amount := plazapay.Amount{Total: p.Price, Currency: "CNY"}
	if isPhone(r) && r.FormValue("qr") == "" {
		o.H5URL, err = s.cfg.Client.PrepayH5(ctx, plazapay.H5Request{AppID: s.cfg.AppID, Description: p.Name, OutTradeNo: no,
			NotifyURL: notify, Amount: amount, SceneInfo: plazapay.H5SceneInfo{PayerClientIP: clientIP(r), H5Info: plazapay.H5Info{Type: "Wap"}}})
	} else {
		o.CodeURL, err = s.cfg.Client.PrepayNative(ctx, plazapay.NativeRequest{AppID: s.cfg.AppID, Description: p.Name, OutTradeNo: no,
			NotifyURL: notify, Amount: amount})
	}
	if err != nil {
		s.cfg.Log.Error("placing the order", "err", err)
		http.Error(w, "Plaza Pay could not take the order: "+err.Error(), http.StatusBadGateway)
		return
	}
	s.mu.Lock()
	s.orders[no] = o
	s.mu.Unlock()
	if o.H5URL != "" {
		// H5: off to Plaza's pay page, which sends the buyer back here.
		http.Redirect(w, r, o.H5URL+"&redirect_url="+url.QueryEscape(s.cfg.PublicURL+"/order/"+no), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/order/"+no, http.StatusSeeOther)
}

func (s *Shop) order(no string) *Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.orders[no]
}

func (s *Shop) orderPage(w http.ResponseWriter, r *http.Request) {
	o := s.order(r.PathValue("no"))
	if o == nil {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	view := *o
	s.mu.Unlock()
	tmpl.ExecuteTemplate(w, "order", map[string]any{"Order": view, "Price": yuan(view.Product.Price)})
}

// status answers the order page's poll. An order still unpaid a while
// after it was placed is checked with a signed query, in case the
// notification is late.
func (s *Shop) status(w http.ResponseWriter, r *http.Request) {
	o := s.order(r.PathValue("no"))
	if o == nil {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	st, age := o.Status, time.Since(o.Created)
	s.mu.Unlock()
	if st == "unpaid" && age > 15*time.Second {
		if tx, err := s.cfg.Client.QueryByOutTradeNo(r.Context(), o.OutTradeNo); err == nil && tx.TradeState == "SUCCESS" {
			s.setStatus(o.OutTradeNo, "paid")
			st = "paid"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"status": st})
}

func (s *Shop) setStatus(no, st string) {
	s.mu.Lock()
	if o := s.orders[no]; o != nil {
		o.Status = st
	}
	s.mu.Unlock()
}

// notify takes Plaza's notifications: verified and decrypted, or refused.
func (s *Shop) notify(w http.ResponseWriter, r *http.Request) {
	env, plain, err := s.cfg.Client.ParseNotification(r)
	if err != nil {
		s.cfg.Log.Warn("refused a notification", "err", err)
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"code":"FAIL","message":"signature check failed"}`))
		return
	}
	var body struct {
		OutTradeNo   string `json:"out_trade_no"`
		TradeState   string `json:"trade_state"`
		RefundStatus string `json:"refund_status"`
	}
	json.Unmarshal(plain, &body)
	switch {
	case env.EventType == "TRANSACTION.SUCCESS" && body.TradeState == "SUCCESS":
		s.setStatus(body.OutTradeNo, "paid")
	case env.EventType == "REFUND.SUCCESS" && body.RefundStatus == "SUCCESS":
		s.setStatus(body.OutTradeNo, "refunded")
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Shop) refund(w http.ResponseWriter, r *http.Request) {
	o := s.order(r.PathValue("no"))
	if o == nil || o.Status != "paid" {
		http.Error(w, "only a paid order can be refunded", http.StatusConflict)
		return
	}
	_, err := s.cfg.Client.Refund(r.Context(), plazapay.RefundRequest{OutTradeNo: o.OutTradeNo, OutRefundNo: "RF" + o.OutTradeNo,
		Reason: "Refunded by the shop", Amount: plazapay.RefundRequestAmount{Refund: o.Product.Price, Total: o.Product.Price, Currency: "CNY"}})
	if err != nil {
		http.Error(w, "refund failed: "+err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "/order/"+o.OutTradeNo, http.StatusSeeOther)
}

func (s *Shop) qrCode(w http.ResponseWriter, r *http.Request) {
	data := r.URL.Query().Get("data")
	if data == "" || len(data) > 512 {
		http.Error(w, "data required", http.StatusBadRequest)
		return
	}
	code, err := qr.Encode(data, qr.M)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	code.Scale = 8
	w.Header().Set("Content-Type", "image/png")
	w.Write(code.PNG())
}

func yuan(fen int64) string { return fmt.Sprintf("¥%d.%02d", fen/100, fen%100) }

func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndex(host, ":"); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

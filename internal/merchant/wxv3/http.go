// Package wxv3 is the merchant API's wire adapter, WeChat Pay API v3 as
// Plaza serves it under /v3: it checks each request's signature and nonce
// (auth.go), calls the merchant Service's exported methods, signs every
// answer, and writes WeChat's error bodies (errors.go). It holds no
// business rule: those are package merchant's.
//
//	http.go    the /v3 routes, the signed answer, the order, query, close and refund handlers
//	bills.go   the bill, bill download and certificate handlers
//	auth.go    signature verification and the nonce store (and its pruning job)
//	errors.go  WeChat's error bodies
package wxv3

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// Handler serves the merchant API under /v3.
type Handler struct {
	Service *merchant.Service
}

// Register adds the /v3 routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("POST /v3/pay/transactions/jsapi", h.v3(h.order(merchant.TradeJSAPI)))
	mux.Handle("POST /v3/pay/transactions/app", h.v3(h.order(merchant.TradeApp)))
	mux.Handle("POST /v3/pay/transactions/native", h.v3(h.order(merchant.TradeNative)))
	mux.Handle("POST /v3/pay/transactions/h5", h.v3(h.order(merchant.TradeH5)))
	mux.Handle("GET /v3/pay/transactions/id/{id}", h.v3(h.queryByID))
	mux.Handle("GET /v3/pay/transactions/out-trade-no/{no}", h.v3(h.queryByNo))
	mux.Handle("POST /v3/pay/transactions/out-trade-no/{no}/close", h.v3(h.close))
	mux.Handle("POST /v3/refund/domestic/refunds", h.v3(h.refund))
	mux.Handle("GET /v3/refund/domestic/refunds/{no}", h.v3(h.queryRefund))
	mux.Handle("GET /v3/certificates", h.v3(h.certificates))
	mux.Handle("GET /v3/bill/tradebill", h.v3(h.tradeBill))
	mux.Handle("GET /v3/bill/fundflowbill", h.v3(h.fundFlowBill))
	mux.Handle("GET /v3/billdownload/file", http.HandlerFunc(h.billDownload))
	mux.Handle("/v3/", h.v3(func(*http.Request, merchant.Merchant, []byte) (int, any, error) {
		return 0, nil, v3err(404, "RESOURCE_NOT_EXISTS", "No such API.")
	}))
}

// v3Func answers a verified merchant request with a status and a body.
type v3Func func(r *http.Request, m merchant.Merchant, body []byte) (int, any, error)

const maxV3Body = 1 << 20

// v3 verifies the request's WECHATPAY2-SHA256-RSA2048 signature before any
// business field is read, refuses stale timestamps and replayed nonces, and
// signs every answer, errors included.
func (h *Handler) v3(fn v3Func) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxV3Body))
		if err != nil {
			h.respond(w, r, nil, 0, nil, v3err(400, "PARAM_ERROR", "The body is larger than 1 MiB."))
			return
		}
		m, err := verify(r.Context(), h.Service, r, body)
		if err != nil {
			h.respond(w, r, nil, 0, nil, err)
			return
		}
		status, out, err := fn(r, m, body)
		h.respond(w, r, &m, status, out, err)
	})
}

// respond writes a signed answer: out as JSON with status, or err as
// WeChat's error body. m is the verified merchant (nil if the request did
// not verify): its platform mode picks Wechatpay-Serial.
func (h *Handler) respond(w http.ResponseWriter, r *http.Request, m *merchant.Merchant, status int, out any, err error) {
	var body []byte
	if err != nil {
		var internal bool
		status, body, internal = errorOf(err)
		if internal {
			httpx.Logger(r.Context()).Error("v3 request failed", "err", err, "path", r.URL.Path)
		}
	} else if out != nil {
		body, _ = json.Marshal(out)
	}
	s := h.Service
	ts := strconv.FormatInt(s.Now().Unix(), 10)
	nonce := plazapay.NewNonce()
	sig, serr := s.Sign(plazapay.ResponseMessage(ts, nonce, body))
	if serr != nil {
		http.Error(w, "signing failed", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Wechatpay-Timestamp", ts)
	hd.Set("Wechatpay-Nonce", nonce)
	hd.Set("Wechatpay-Signature", sig)
	hd.Set("Wechatpay-Serial", s.SerialFor(m))
	rid := httpx.RequestID(r.Context())
	if rid == "" {
		rid = ids.New("req")
	}
	hd.Set("Request-ID", rid)
	if len(body) > 0 {
		hd.Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	w.Write(body)
}

// The answers to a new order, by trade type.
type (
	prepayAnswer struct {
		PrepayID string `json:"prepay_id"`
	}
	nativeAnswer struct {
		CodeURL string `json:"code_url"`
	}
	h5Answer struct {
		H5URL string `json:"h5_url"`
	}
)

func (h *Handler) order(tradeType string) v3Func {
	return func(r *http.Request, m merchant.Merchant, body []byte) (int, any, error) {
		o, err := h.Service.CreateOrder(r.Context(), m, tradeType, body)
		if err != nil {
			return 0, nil, err
		}
		switch tradeType {
		case merchant.TradeNative:
			return 200, nativeAnswer{CodeURL: httpx.BaseURL(r) + "/pay?pr=" + o.PrepayID}, nil
		case merchant.TradeH5:
			return 200, h5Answer{H5URL: httpx.BaseURL(r) + "/pay?pr=" + o.PrepayID + "&h5=1"}, nil
		}
		return 200, prepayAnswer{PrepayID: o.PrepayID}, nil
	}
}

// mchidParam checks the mchid query parameter of a query.
func mchidParam(r *http.Request, m merchant.Merchant) error {
	if q := r.URL.Query().Get("mchid"); q != m.MchID {
		return merchant.ParamError("/mchid", "The mchid query parameter must be the signing merchant's.")
	}
	return nil
}

func (h *Handler) queryByID(r *http.Request, m merchant.Merchant, _ []byte) (int, any, error) {
	if err := mchidParam(r, m); err != nil {
		return 0, nil, err
	}
	t, err := h.Service.TransactionByID(r.Context(), m, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 200, t, nil
}

func (h *Handler) queryByNo(r *http.Request, m merchant.Merchant, _ []byte) (int, any, error) {
	if err := mchidParam(r, m); err != nil {
		return 0, nil, err
	}
	t, err := h.Service.TransactionByOutTradeNo(r.Context(), m, r.PathValue("no"))
	if err != nil {
		return 0, nil, err
	}
	return 200, t, nil
}

// closeRequest is the body of POST …/out-trade-no/{no}/close.
type closeRequest struct {
	MchID string `json:"mchid"`
}

func (h *Handler) close(r *http.Request, m merchant.Merchant, body []byte) (int, any, error) {
	var in closeRequest
	if err := json.Unmarshal(body, &in); err != nil || in.MchID != m.MchID {
		return 0, nil, merchant.ParamError("/mchid", "The body is {\"mchid\": the signing merchant's}.")
	}
	if err := h.Service.CloseOrder(r.Context(), m, r.PathValue("no")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (h *Handler) refund(r *http.Request, m merchant.Merchant, body []byte) (int, any, error) {
	ref, err := h.Service.CreateRefund(r.Context(), m, body)
	if err != nil {
		return 0, nil, err
	}
	return 200, ref, nil
}

func (h *Handler) queryRefund(r *http.Request, m merchant.Merchant, _ []byte) (int, any, error) {
	ref, err := h.Service.QueryRefund(r.Context(), m, r.PathValue("no"))
	if err != nil {
		return 0, nil, err
	}
	return 200, ref, nil
}

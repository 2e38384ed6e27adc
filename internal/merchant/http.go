package merchant

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// Handler serves the merchant API (/v3), merchant onboarding and the
// payer's side (/api/v1).
type Handler struct {
	Service *Service
	Auth    *httpx.Auth
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	a := h.Auth.Required
	mux.Handle("POST /api/v1/merchants", a(h.createMerchant))
	mux.Handle("GET /api/v1/merchants", a(h.listMerchants))
	mux.Handle("GET /api/v1/merchants/{mchid}", a(h.getMerchant))
	mux.Handle("PUT /api/v1/merchants/{mchid}/credentials", a(h.credentials))
	mux.Handle("GET /api/v1/merchants/{mchid}/platform-key", a(h.platformKey))
	mux.Handle("POST /api/v1/merchants/{mchid}/apps", a(h.bindApp))
	mux.Handle("DELETE /api/v1/merchants/{mchid}/apps/{appid}", a(h.unbindApp))
	mux.Handle("GET /api/v1/merchants/{mchid}/notifications", a(h.notifications))
	mux.Handle("GET /api/v1/pay/prepay/{id}", a(h.prepay))
	mux.Handle("POST /api/v1/pay/confirm", a(h.confirm))
	mux.Handle("POST /api/v1/pay/app-request", a(h.appRequest))

	mux.Handle("POST /v3/pay/transactions/jsapi", h.v3(h.order(TradeJSAPI)))
	mux.Handle("POST /v3/pay/transactions/app", h.v3(h.order(TradeApp)))
	mux.Handle("POST /v3/pay/transactions/native", h.v3(h.order(TradeNative)))
	mux.Handle("POST /v3/pay/transactions/h5", h.v3(h.order(TradeH5)))
	mux.Handle("GET /v3/pay/transactions/id/{id}", h.v3(h.queryByID))
	mux.Handle("GET /v3/pay/transactions/out-trade-no/{no}", h.v3(h.queryByNo))
	mux.Handle("POST /v3/pay/transactions/out-trade-no/{no}/close", h.v3(h.close))
	mux.Handle("POST /v3/refund/domestic/refunds", h.v3(h.refund))
	mux.Handle("GET /v3/refund/domestic/refunds/{no}", h.v3(h.queryRefund))
	mux.Handle("GET /v3/certificates", h.v3(h.certificates))
	mux.Handle("GET /v3/bill/tradebill", h.v3(h.tradeBill))
	mux.Handle("GET /v3/bill/fundflowbill", h.v3(h.fundFlowBill))
	mux.Handle("GET /v3/billdownload/file", http.HandlerFunc(h.billDownload))
	mux.Handle("/v3/", h.v3(func(*http.Request, Merchant, []byte) (int, any, error) {
		return 0, nil, v3err(404, "RESOURCE_NOT_EXISTS", "No such API.")
	}))
}

// v3Func answers a verified merchant request with a status and a body.
type v3Func func(r *http.Request, m Merchant, body []byte) (int, any, error)

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
		m, err := h.Service.verify(r.Context(), r, body)
		if err != nil {
			h.respond(w, r, nil, 0, nil, err)
			return
		}
		status, out, err := fn(r, m, body)
		h.respond(w, r, &m, status, out, err)
	})
}

// errBadSignature is the one answer to a request whose signature does not
// check out for whatever reason tied to the merchant (no such mchid, no
// credentials, another serial, a wrong signature): an unsigned caller
// learns nothing about which mchids exist.
var errBadSignature = errSign("the signature does not match a registered merchant key for this request")

func (s *Service) verify(ctx context.Context, r *http.Request, body []byte) (Merchant, error) {
	auth, err := plazapay.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return Merchant{}, errSign("the Authorization header is missing or malformed")
	}
	ts, err := strconv.ParseInt(auth.Timestamp, 10, 64)
	if err != nil {
		return Merchant{}, errSign("timestamp is not unix seconds")
	}
	if skew := s.now().Unix() - ts; skew > 300 || skew < -300 {
		return Merchant{}, errSign("timestamp is more than 5 minutes from the server's clock")
	}
	if len(auth.NonceStr) == 0 || len(auth.NonceStr) > 64 {
		return Merchant{}, errSign("nonce_str is missing or too long")
	}
	msg := plazapay.RequestMessage(r.Method, r.RequestURI, auth.Timestamp, auth.NonceStr, body)
	m, err := s.verifiedMerchant(ctx, auth.MchID)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return Merchant{}, err
	}
	if err != nil || !m.HasCredentials || !strings.EqualFold(auth.SerialNo, m.SerialNo) {
		// The same work and the same answer as a wrong signature.
		plazapay.Verify(&s.key.PublicKey, msg, auth.Signature)
		return Merchant{}, errBadSignature
	}
	if err := plazapay.Verify(m.publicKey, msg, auth.Signature); err != nil {
		return Merchant{}, errBadSignature
	}
	err = s.exec(ctx, m.MchID, `INSERT INTO request_nonces (mchid, nonce, seen_at) VALUES (?, ?, ?)`, m.MchID, auth.NonceStr, sqldb.Micro(s.now()))
	if sqldb.IsUniqueViolation(err) {
		return Merchant{}, errSign("nonce_str was used before: a replayed request")
	}
	return m, err
}

// PruneNonces forgets nonces older than the timestamp window. A request
// is accepted up to 10 minutes after it is first seen (a timestamp 5
// minutes ahead, then 5 minutes behind); the 5 more minutes cover clock
// skew between the node that prunes and the node that checks.
func (s *Service) PruneNonces(ctx context.Context) error {
	_, err := s.db.Exec(ctx, `DELETE FROM request_nonces WHERE seen_at < ?`, sqldb.Micro(s.now().Add(-15*time.Minute)))
	return err
}

// respond writes a signed answer: out as JSON with status, or err as
// WeChat's error body. m is the verified merchant (nil if the request did
// not verify): its platform mode picks Wechatpay-Serial.
func (h *Handler) respond(w http.ResponseWriter, r *http.Request, m *Merchant, status int, out any, err error) {
	var body []byte
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			var pe *errs.Error
			if errors.As(err, &pe) && pe.Code != errs.Internal {
				ae = v3err(errs.Status(pe.Code), "INVALID_REQUEST", "%s", pe.Message)
			} else {
				httpx.Logger(r.Context()).Error("v3 request failed", "err", err, "path", r.URL.Path)
				ae = errSystem
			}
		}
		status = ae.Status
		body, _ = json.Marshal(ae)
	} else if out != nil {
		body, _ = json.Marshal(out)
	}
	s := h.Service
	ts := strconv.FormatInt(s.now().Unix(), 10)
	nonce := plazapay.NewNonce()
	sig, serr := plazapay.Sign(s.key, plazapay.ResponseMessage(ts, nonce, body))
	if serr != nil {
		http.Error(w, "signing failed", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Wechatpay-Timestamp", ts)
	hd.Set("Wechatpay-Nonce", nonce)
	hd.Set("Wechatpay-Signature", sig)
	hd.Set("Wechatpay-Serial", s.serialFor(m))
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

func (h *Handler) order(tradeType string) v3Func {
	return func(r *http.Request, m Merchant, body []byte) (int, any, error) {
		o, err := h.Service.CreateOrder(r.Context(), m, tradeType, body)
		if err != nil {
			return 0, nil, err
		}
		switch tradeType {
		case TradeNative:
			return 200, map[string]string{"code_url": httpx.BaseURL(r) + "/pay?pr=" + o.PrepayID}, nil
		case TradeH5:
			return 200, map[string]string{"h5_url": httpx.BaseURL(r) + "/pay?pr=" + o.PrepayID + "&h5=1"}, nil
		}
		return 200, map[string]string{"prepay_id": o.PrepayID}, nil
	}
}

func (h *Handler) mchidParam(r *http.Request, m Merchant) error {
	if q := r.URL.Query().Get("mchid"); q != m.MchID {
		return paramError("/mchid", "The mchid query parameter must be the signing merchant's.")
	}
	return nil
}

func (h *Handler) queryByID(r *http.Request, m Merchant, _ []byte) (int, any, error) {
	if err := h.mchidParam(r, m); err != nil {
		return 0, nil, err
	}
	o, err := h.Service.orderBy(r.Context(), h.Service.db, "transaction_id", r.PathValue("id"))
	if err != nil || o.MchID != m.MchID {
		return 0, nil, errOrderNotExist
	}
	return 200, h.Service.transaction(o), nil
}

func (h *Handler) queryByNo(r *http.Request, m Merchant, _ []byte) (int, any, error) {
	if err := h.mchidParam(r, m); err != nil {
		return 0, nil, err
	}
	o, err := h.Service.orderByOutTradeNo(r.Context(), m.MchID, r.PathValue("no"))
	if err != nil {
		return 0, nil, err
	}
	return 200, h.Service.transaction(o), nil
}

func (h *Handler) close(r *http.Request, m Merchant, body []byte) (int, any, error) {
	var in struct {
		MchID string `json:"mchid"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.MchID != m.MchID {
		return 0, nil, paramError("/mchid", "The body is {\"mchid\": the signing merchant's}.")
	}
	if err := h.Service.CloseOrder(r.Context(), m, r.PathValue("no")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (h *Handler) refund(r *http.Request, m Merchant, body []byte) (int, any, error) {
	ref, err := h.Service.CreateRefund(r.Context(), m, body)
	if err != nil {
		return 0, nil, err
	}
	return 200, ref, nil
}

func (h *Handler) queryRefund(r *http.Request, m Merchant, _ []byte) (int, any, error) {
	ref, err := h.Service.QueryRefund(r.Context(), m, r.PathValue("no"))
	if err != nil {
		return 0, nil, err
	}
	return 200, ref, nil
}

// — onboarding and the payer's side, under /api/v1 —

func (h *Handler) createMerchant(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name   string `json:"name"`
		Region string `json:"region"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	m, err := h.Service.CreateMerchant(r.Context(), httpx.Caller(r).UserID, in.Name, in.Region)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"merchant": m})
	return nil
}

func (h *Handler) listMerchants(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Service.MerchantsOf(r.Context(), httpx.Caller(r).UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(list, ""))
	return nil
}

func (h *Handler) getMerchant(w http.ResponseWriter, r *http.Request) error {
	m, err := h.Service.Owned(r.Context(), httpx.Caller(r).UserID, r.PathValue("mchid"))
	if err != nil {
		return err
	}
	bal, err := h.Service.pay.MerchantBalance(r.Context(), m.MchID, "CNY")
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"merchant": m, "balance": map[string]any{"amount": bal, "currency": "CNY"}})
	return nil
}

func (h *Handler) credentials(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PublicKeyPEM string `json:"public_key_pem"`
		SerialNo     string `json:"serial_no"`
		APIv3Key     string `json:"apiv3_key"`
		PlatformMode string `json:"platform_mode"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := h.Service.SetCredentialsMode(r.Context(), httpx.Caller(r).UserID, r.PathValue("mchid"), in.PublicKeyPEM, in.SerialNo, in.APIv3Key, in.PlatformMode); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h *Handler) platformKey(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.Service.Owned(r.Context(), httpx.Caller(r).UserID, r.PathValue("mchid")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"public_key_pem": h.Service.PlatformKeyPEM(), "public_key_id": h.Service.keyID})
	return nil
}

func (h *Handler) bindApp(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		AppID string `json:"appid"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := h.Service.BindApp(r.Context(), httpx.Caller(r).UserID, r.PathValue("mchid"), in.AppID); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"appid": in.AppID, "mchid": r.PathValue("mchid")})
	return nil
}

func (h *Handler) unbindApp(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.UnbindApp(r.Context(), httpx.Caller(r).UserID, r.PathValue("mchid"), r.PathValue("appid")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h *Handler) notifications(w http.ResponseWriter, r *http.Request) error {
	m, err := h.Service.Owned(r.Context(), httpx.Caller(r).UserID, r.PathValue("mchid"))
	if err != nil {
		return err
	}
	limit, err := httpx.Limit(r, 50, 200)
	if err != nil {
		return err
	}
	list, err := h.Service.Notifications(r.Context(), m.MchID, limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(list, ""))
	return nil
}

func (h *Handler) prepay(w http.ResponseWriter, r *http.Request) error {
	p, err := h.Service.PrepayFor(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	// The H5 page's return address, only if it belongs to the order's
	// merchant (see ReturnURL); the page follows this, never its own query.
	httpx.WriteJSON(w, http.StatusOK, struct {
		Prepay
		RedirectURL string `json:"redirect_url,omitempty"`
	}{p, h.Service.ReturnURL(r.Context(), p.PrepayID, r.URL.Query().Get("redirect_url"))})
	return nil
}

// appRequest checks an app's payment parameters (plazapay.AppPayment) and
// shows the order to confirm.
func (h *Handler) appRequest(w http.ResponseWriter, r *http.Request) error {
	var in plazapay.AppPaymentParams
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.Service.AppPaymentRequest(r.Context(), httpx.Caller(r).UserID, in.AppID, in.PartnerID, in.PrepayID, in.Package, in.NonceStr, in.TimeStamp, in.Sign)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PrepayID string `json:"prepay_id"`
		PIN      string `json:"pin"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	t, err := h.Service.Confirm(r.Context(), httpx.Caller(r).UserID, in.PrepayID, in.PIN)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"transaction": t})
	return nil
}

func readAll(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, maxV3Body))
}

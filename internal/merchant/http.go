package merchant

import (
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// Handler serves merchant onboarding and the payer's side (/api/v1);
// the merchant API itself (/v3) is wxv3.Handler's.
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
	bal, err := h.Service.MerchantBalance(r.Context(), m.MchID, "CNY")
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
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"public_key_pem": h.Service.PlatformKeyPEM(), "public_key_id": h.Service.PlatformKeyID()})
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
	status := http.StatusOK
	if t.Status == "held" {
		status = http.StatusAccepted // held for review: the order is not paid yet
	}
	httpx.WriteJSON(w, status, map[string]any{"transaction": t})
	return nil
}

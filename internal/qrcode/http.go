package qrcode

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// Handler serves the QR routes.
type Handler struct {
	Service *Service
	Auth    *httpx.Auth
}

// Register adds the QR routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	a := h.Auth.Required
	mux.Handle("GET /api/v1/me/qrcode", a(h.myCode))
	mux.Handle("GET /api/v1/wallet/receive-code", a(h.receiveCode))
	mux.Handle("GET /api/v1/qr/resolve", a(h.resolve))
	mux.Handle("GET /api/v1/qr.png", a(h.png))
}

func (h *Handler) myCode(w http.ResponseWriter, r *http.Request) error {
	httpx.WriteJSON(w, http.StatusOK, h.Service.ContactCode(httpx.BaseURL(r), httpx.Caller(r).UserID))
	return nil
}

func (h *Handler) receiveCode(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var amount int64
	if s := q.Get("amount"); s != "" {
		a, err := strconv.ParseInt(s, 10, 64)
		if err != nil || a <= 0 {
			return errs.Field("amount", "The amount must be a whole number of minor units above zero (888 is 8.88), or absent for an open code.")
		}
		amount = a
	}
	c, err := h.Service.ReceiveCode(httpx.BaseURL(r), httpx.Caller(r).UserID, amount, q.Get("currency"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) resolve(w http.ResponseWriter, r *http.Request) error {
	res, err := h.Service.Resolve(r.Context(), httpx.Caller(r).UserID, httpx.BaseURL(r), r.URL.Query().Get("payload"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

// png draws a code Plaza makes or reads (any payload resolve would not
// refuse as foreign): not a QR service for any text.
func (h *Handler) png(w http.ResponseWriter, r *http.Request) error {
	payload := strings.TrimSpace(r.URL.Query().Get("payload"))
	if _, err := parse(h.Service.key, httpx.BaseURL(r), payload); err != nil {
		return err
	}
	b, err := PNG(payload)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, err = w.Write(b)
	return err
}

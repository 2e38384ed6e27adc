package pay

import (
	"encoding/json"
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
)

// registerAccept adds the routes of transfers that wait for their payee:
// POST /api/v1/wallet/transfers/{id}/accept and …/decline (the payee;
// others 404) → 200 {transaction}; 409 conflict once decided. An
// Idempotency-Key, when sent, makes a retry answer the first result.
func (h *Handler) registerAccept(mux *http.ServeMux) {
	a := h.Auth.Required
	mux.Handle("POST /api/v1/wallet/transfers/{id}/accept", a(h.decideTransfer(AcceptAccepted)))
	mux.Handle("POST /api/v1/wallet/transfers/{id}/decline", a(h.decideTransfer(AcceptDeclined)))
}

func (h *Handler) decideTransfer(state string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.ContentLength != 0 {
			// No parameters; an empty object (or nothing) is fine.
			var in struct{}
			if err := httpx.Decode(w, r, &in); err != nil {
				return err
			}
		}
		req := Request{UserID: httpx.Caller(r).UserID}
		if r.Header.Get("Idempotency-Key") != "" {
			key, err := idempotency.Key(r)
			if err != nil {
				return err
			}
			body, _ := json.Marshal(state)
			req.Key, req.Hash = key, idempotency.Hash([]byte(r.Method), []byte(r.URL.Path), body)
		}
		decide := h.Service.Accept
		if state == AcceptDeclined {
			decide = h.Service.Decline
		}
		t, replay, err := decide(r.Context(), req, r.PathValue("id"))
		if err != nil {
			return err
		}
		if replay {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"transaction": t})
		return nil
	}
}

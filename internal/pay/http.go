package pay

import (
	"encoding/json"
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
)

// Handler serves the wallet part of the API.
type Handler struct {
	Service *Service
	Auth    *httpx.Auth
}

// Register adds the pay routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	a := h.Auth.Required
	mux.Handle("GET /api/v1/pay/currencies", httpx.HandlerFunc(h.currencies))
	mux.Handle("GET /api/v1/wallet", a(h.wallet))
	mux.Handle("PUT /api/v1/wallet/pin", a(h.setPIN))
	mux.Handle("POST /api/v1/wallet/topups", a(h.topUp))
	mux.Handle("POST /api/v1/wallet/withdrawals", a(h.withdraw))
	mux.Handle("POST /api/v1/wallet/transfers", a(h.transfer))
	mux.Handle("GET /api/v1/wallet/transactions", a(h.history))
	mux.Handle("GET /api/v1/wallet/transactions/{id}", a(h.oneTransaction))
	h.registerAccept(mux)
	mux.Handle("POST /api/v1/conversations/{id}/red-packets", a(h.sendRedPacket))
	mux.Handle("POST /api/v1/red-packets/{id}/claim", a(h.claim))
	mux.Handle("GET /api/v1/red-packets/{id}", a(h.redPacket))
	admin := h.Auth.Admin
	mux.Handle("GET /api/v1/admin/reviews", admin(h.reviews))
	mux.Handle("GET /api/v1/admin/reviews/{id}", admin(h.review))
	mux.Handle("POST /api/v1/admin/reviews/{id}/release", admin(h.decide(ReviewReleased)))
	mux.Handle("POST /api/v1/admin/reviews/{id}/reject", admin(h.decide(ReviewRejected)))
}

// request reads the Idempotency-Key and fingerprints the parameters (never
// the PIN, so that a retry after a mistyped PIN is the same request).
func request(r *http.Request, params any) (Request, error) {
	key, err := idempotency.Key(r)
	if err != nil {
		return Request{}, err
	}
	body, _ := json.Marshal(params)
	return Request{UserID: httpx.Caller(r).UserID, Key: key, Hash: idempotency.Hash([]byte(r.Method), []byte(r.URL.Path), body)}, nil
}

// answer writes a money request's result. A retry with the same key gets
// the first result, status included (CONTRACT: "a retry returns the first
// result"); Idempotent-Replayed tells a client which answer it got.
func answer(w http.ResponseWriter, replay bool, body any) { answerHeld(w, replay, false, body) }

// answerHeld is answer with 202 Accepted for a movement held for review.
func answerHeld(w http.ResponseWriter, replay, held bool, body any) {
	if replay {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	status := http.StatusCreated
	if held {
		status = http.StatusAccepted
	}
	httpx.WriteJSON(w, status, body)
}

// currencies answers, to anyone, the currencies Plaza Pay holds and their
// limits: the one list the client formats, parses and limits money with.
func (h *Handler) currencies(w http.ResponseWriter, r *http.Request) error {
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"currencies": Currencies()})
	return nil
}

func (h *Handler) wallet(w http.ResponseWriter, r *http.Request) error {
	balances, pinSet, err := h.Service.Wallet(r.Context(), httpx.Caller(r).UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"balances": balances, "pin_set": pinSet})
	return nil
}

func (h *Handler) setPIN(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PIN      string `json:"pin"`
		OldPIN   string `json:"old_pin"`
		Password string `json:"password"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := h.Service.SetPIN(r.Context(), httpx.Caller(r).UserID, in.PIN, in.OldPIN, in.Password); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

type moneyIn struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

func (h *Handler) topUp(w http.ResponseWriter, r *http.Request) error {
	var in moneyIn
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	req, err := request(r, in)
	if err != nil {
		return err
	}
	t, replay, err := h.Service.TopUp(r.Context(), req, in.Amount, in.Currency)
	if err != nil {
		return err
	}
	answer(w, replay, map[string]any{"transaction": t})
	return nil
}

func (h *Handler) withdraw(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		moneyIn
		PIN string `json:"pin"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	req, err := request(r, in.moneyIn)
	if err != nil {
		return err
	}
	t, replay, err := h.Service.Withdraw(r.Context(), req, in.Amount, in.Currency, in.PIN)
	if err != nil {
		return err
	}
	answerHeld(w, replay, t.Held(), map[string]any{"transaction": t})
	return nil
}

func (h *Handler) transfer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
		moneyIn
		Note string `json:"note"`
		PIN  string `json:"pin"`
		// AcceptRequired: the payee accepts it (accept.go).
		AcceptRequired bool `json:"accept_required"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	params := []any{in.Username, in.moneyIn, in.Note}
	if in.AcceptRequired {
		params = append(params, "accept_required")
	}
	req, err := request(r, params)
	if err != nil {
		return err
	}
	send := h.Service.Transfer
	if in.AcceptRequired {
		send = h.Service.TransferToAccept
	}
	t, replay, err := send(r.Context(), req, in.Username, in.Amount, in.Currency, in.Note, in.PIN)
	if err != nil {
		return err
	}
	answerHeld(w, replay, t.Held(), map[string]any{"transaction": t})
	return nil
}

func (h *Handler) history(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 50, 200)
	if err != nil {
		return err
	}
	items, next, err := h.Service.History(r.Context(), httpx.Caller(r).UserID, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, next))
	return nil
}

// oneTransaction is one of the caller's transactions (a chat transfer
// bubble asks whether it is held): {transaction}, or 404.
func (h *Handler) oneTransaction(w http.ResponseWriter, r *http.Request) error {
	t, err := h.Service.Transaction(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"transaction": t})
	return nil
}

func (h *Handler) sendRedPacket(w http.ResponseWriter, r *http.Request) error {
	var in RedPacketInput
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	params := in
	params.PIN = ""
	req, err := request(r, params)
	if err != nil {
		return err
	}
	rp, msg, replay, err := h.Service.SendRedPacket(r.Context(), req, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	answerHeld(w, replay, rp.Held(), map[string]any{"red_packet": rp, "message": msg})
	return nil
}

func (h *Handler) claim(w http.ResponseWriter, r *http.Request) error {
	m, held, err := h.Service.ClaimHeld(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if held {
		httpx.WriteJSON(w, http.StatusAccepted, map[string]any{"amount": m.Amount, "currency": m.Currency, "status": StatusHeld})
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, m)
	return nil
}

func (h *Handler) redPacket(w http.ResponseWriter, r *http.Request) error {
	rp, err := h.Service.RedPacket(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"red_packet": rp})
	return nil
}

func (h *Handler) reviews(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 50, 200)
	if err != nil {
		return err
	}
	items, next, err := h.Service.Reviews(r.Context(), r.URL.Query().Get("state"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, next))
	return nil
}

func (h *Handler) review(w http.ResponseWriter, r *http.Request) error {
	rv, err := h.Service.Review(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"review": rv})
	return nil
}

// decide serves release and reject: {note} → {review}; 409 conflict once
// decided.
func (h *Handler) decide(state string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in struct {
			Note string `json:"note"`
		}
		if err := httpx.Decode(w, r, &in); err != nil {
			return err
		}
		admin := httpx.Caller(r).UserID
		var rv Review
		var err error
		if state == ReviewReleased {
			rv, err = h.Service.Release(r.Context(), admin, r.PathValue("id"), in.Note)
		} else {
			rv, err = h.Service.Reject(r.Context(), admin, r.PathValue("id"), in.Note)
		}
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"review": rv})
		return nil
	}
}

package live

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/idempotency"
)

// registerRooms adds the rooms, video, shelf and orders routes (every one
// for signed-in users).
func (h *Handler) registerRooms(mux *http.ServeMux) {
	a := h.Auth.Required
	mux.Handle("POST /api/v1/live/rooms", a(h.createRoom))
	mux.Handle("GET /api/v1/live/rooms", a(h.listRooms))
	mux.Handle("GET /api/v1/live/rooms/{id}", a(h.getRoom))
	mux.Handle("POST /api/v1/live/rooms/{id}/end", a(h.endRoom))
	mux.Handle("POST /api/v1/live/rooms/{id}/remind", a(h.remind(true)))
	mux.Handle("DELETE /api/v1/live/rooms/{id}/remind", a(h.remind(false)))
	mux.Handle("POST /api/v1/live/rooms/{id}/whip", a(h.whip))
	mux.Handle("DELETE /api/v1/live/rooms/{id}/whip/{session}", a(h.stopWHIP))
	mux.Handle("POST /api/v1/live/rooms/{id}/whep", a(h.whep))
	mux.Handle("DELETE /api/v1/live/rooms/{id}/whep/{session}", a(h.stopWHEP))
	mux.Handle("PUT /api/v1/live/rooms/{id}/shelf", a(h.putShelf))
	mux.Handle("GET /api/v1/live/rooms/{id}/shelf", a(h.getShelf))
	mux.Handle("POST /api/v1/live/rooms/{id}/showing", a(h.showing))
	mux.Handle("POST /api/v1/live/rooms/{id}/orders", a(h.order))
	mux.Handle("GET /api/v1/live/rooms/{id}/stats", a(h.stats))
}

func (h *Handler) createRoom(w http.ResponseWriter, r *http.Request) error {
	var in NewRoom
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	room, err := h.Service.CreateRoom(r.Context(), httpx.Caller(r).UserID, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"room": room})
	return nil
}

func (h *Handler) listRooms(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 20, 100)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, next, err := h.Service.Rooms(r.Context(), httpx.Caller(r).UserID,
		RoomFilter{State: q.Get("state"), MchID: q.Get("mchid"), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(list, next))
	return nil
}

func (h *Handler) getRoom(w http.ResponseWriter, r *http.Request) error {
	room, err := h.Service.Room(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"room": room})
	return nil
}

func (h *Handler) endRoom(w http.ResponseWriter, r *http.Request) error {
	room, err := h.Service.EndRoom(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"room": room})
	return nil
}

func (h *Handler) remind(on bool) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := h.Service.Remind(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), on); err != nil {
			return err
		}
		httpx.NoContent(w)
		return nil
	}
}

// readSDP reads a WHIP or WHEP offer: Content-Type application/sdp
// (else 415), at most MaxSDP bytes (else 413), not empty.
func readSDP(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/sdp" {
		return nil, errs.E(errs.UnsupportedMedia, "The body must be an SDP offer with Content-Type: application/sdp.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxSDP))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errs.E(errs.PayloadTooLarge, "An SDP offer has at most %d bytes.", MaxSDP)
		}
		return nil, errs.E(errs.InvalidArgument, "The SDP offer could not be read.")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, errs.E(errs.InvalidArgument, "The body must be an SDP offer; it is empty.")
	}
	return body, nil
}

// writeSDP answers a WHIP or WHEP offer: 201, the answer, and the
// resource's Location.
func writeSDP(w http.ResponseWriter, answer []byte, location string) {
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(answer)
}

func (h *Handler) whip(w http.ResponseWriter, r *http.Request) error {
	offer, err := readSDP(w, r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	answer, session, err := h.Service.Publish(r.Context(), httpx.Caller(r).UserID, id, offer)
	if err != nil {
		return err
	}
	writeSDP(w, answer, "/api/v1/live/rooms/"+id+"/whip/"+session)
	return nil
}

func (h *Handler) stopWHIP(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.Unpublish(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), r.PathValue("session")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h *Handler) whep(w http.ResponseWriter, r *http.Request) error {
	offer, err := readSDP(w, r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	answer, session, err := h.Service.Play(r.Context(), httpx.Caller(r).UserID, id, offer)
	if err != nil {
		return err
	}
	writeSDP(w, answer, "/api/v1/live/rooms/"+id+"/whep/"+session)
	return nil
}

func (h *Handler) stopWHEP(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.StopPlay(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), r.PathValue("session")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h *Handler) putShelf(w http.ResponseWriter, r *http.Request) error {
	var in Shelf
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	items, err := h.Service.SetShelf(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (h *Handler) getShelf(w http.ResponseWriter, r *http.Request) error {
	items, err := h.Service.Shelf(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (h *Handler) showing(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		SKU string `json:"sku"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	it, err := h.Service.Show(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in.SKU)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"item": it})
	return nil
}

// orderBody is the body of POST …/orders. A price or amount a client
// sends is read and ignored: the shelf's price is charged.
type orderBody struct {
	Buy
	Price  json.RawMessage `json:"price,omitempty"`
	Amount json.RawMessage `json:"amount,omitempty"`
}

func (h *Handler) order(w http.ResponseWriter, r *http.Request) error {
	key, err := idempotency.Key(r)
	if err != nil {
		return err
	}
	var in orderBody
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	canon, _ := json.Marshal(in.Buy)
	o, err := h.Service.PlaceOrder(r.Context(), BuyRequest{UserID: httpx.Caller(r).UserID, RoomID: r.PathValue("id"), Key: key,
		Hash: idempotency.Hash([]byte(r.Method), []byte(r.URL.Path), canon), Buy: in.Buy})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, o)
	return nil
}

func (h *Handler) stats(w http.ResponseWriter, r *http.Request) error {
	st, err := h.Service.Stats(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}

package chat

import (
	"net/http"
	"strconv"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// Handler serves the chat part of the API and the socket.
type Handler struct {
	Service *Service
	Hub     *Hub
	Auth    *httpx.Auth
}

// Register adds the chat routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	a := h.Auth.Required
	mux.Handle("POST /api/v1/conversations", a(h.create))
	mux.Handle("GET /api/v1/conversations", a(h.list))
	mux.Handle("GET /api/v1/conversations/{id}", a(h.get))
	mux.Handle("POST /api/v1/conversations/{id}/members", a(h.addMembers))
	mux.Handle("DELETE /api/v1/conversations/{id}/members/me", a(h.leave))
	mux.Handle("POST /api/v1/conversations/{id}/messages", a(h.send))
	mux.Handle("GET /api/v1/conversations/{id}/messages", a(h.messages))
	mux.Handle("POST /api/v1/conversations/{id}/read", a(h.read))
	h.registerVoiceFiles(mux) // POST /api/v1/media, GET /api/v1/media/{id} (files_http.go)
	mux.Handle("GET /api/v1/ws", h.Auth.RequiredWS(h.serveSocket))
	mux.Handle("GET /ws", h.Auth.RequiredWS(h.serveSocket))
	h.registerActions(mux)
	h.registerSearch(mux)
	h.registerPresence(mux)
	h.registerGroups(mux)
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Type      string   `json:"type"`
		Username  string   `json:"username"`
		Title     string   `json:"title"`
		Usernames []string `json:"usernames"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	me := httpx.Caller(r).UserID
	switch in.Type {
	case DirectType:
		c, created, err := h.Service.CreateDirect(r.Context(), me, in.Username)
		if err != nil {
			return err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		httpx.WriteJSON(w, status, map[string]any{"conversation": c})
	case GroupType:
		c, err := h.Service.CreateGroup(r.Context(), me, in.Title, in.Usernames)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusCreated, map[string]any{"conversation": c})
	default:
		return errs.Field("type", "type must be direct or group.")
	}
	return nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, DefaultPage, MaxPage)
	if err != nil {
		return err
	}
	items, next, err := h.Service.List(r.Context(), httpx.Caller(r).UserID, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, next))
	return nil
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Service.Get(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"conversation": c})
	return nil
}

func (h *Handler) addMembers(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Usernames []string `json:"usernames"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.Service.AddMembers(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in.Usernames)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"conversation": c})
	return nil
}

func (h *Handler) leave(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.Leave(r.Context(), httpx.Caller(r).UserID, r.PathValue("id")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h *Handler) send(w http.ResponseWriter, r *http.Request) error {
	var in SendInput
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if in.ConversationID != "" && in.ConversationID != r.PathValue("id") {
		return errs.Field("conversation_id", "conversation_id differs from the one in the path.")
	}
	in.ConversationID = r.PathValue("id")
	m, created, err := h.Service.Send(r.Context(), httpx.Caller(r).UserID, in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, map[string]any{"message": m})
	return nil
}

func (h *Handler) messages(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, DefaultPage, MaxPage)
	if err != nil {
		return err
	}
	after, err := seqParam(r, "after_seq", -1)
	if err != nil {
		return err
	}
	if after < 0 && r.URL.Query().Get("cursor") != "" {
		// Lists page with ?cursor= (CONTRACT); here next_cursor is the
		// after_seq of the next page.
		if after, err = seqParam(r, "cursor", -1); err != nil {
			return err
		}
	}
	before, err := seqParam(r, "before_seq", 0)
	if err != nil {
		return err
	}
	items, next, err := h.Service.Messages(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), after, before, limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, next))
	return nil
}

func seqParam(r *http.Request, name string, def int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Field(name, "%s must be a whole number, 0 or more.", name)
	}
	return n, nil
}

func (h *Handler) read(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Seq int64 `json:"seq"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := h.Service.MarkRead(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in.Seq); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

package chat

import (
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// registerSearch adds the search routes (Register calls it).
func (h *Handler) registerSearch(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/search", h.Auth.Required(h.search))
	mux.Handle("GET /api/v1/search/contacts", h.Auth.Required(h.searchNames))
}

// search: GET /search?q=&conversation_id=&limit=&cursor= →
// {items:[{conversation_id, message, snippet, highlights}], next_cursor}.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, DefaultSearchPage, MaxSearchPage)
	if err != nil {
		return err
	}
	p := r.URL.Query()
	items, next, err := h.Service.Search(r.Context(), httpx.Caller(r).UserID, p.Get("q"), p.Get("conversation_id"), p.Get("cursor"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, next))
	return nil
}

// searchNames: GET /search/contacts?q= → {items:[{type, user |
// conversation, conversation_id}]}.
func (h *Handler) searchNames(w http.ResponseWriter, r *http.Request) error {
	items, err := h.Service.SearchNames(r.Context(), httpx.Caller(r).UserID, r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

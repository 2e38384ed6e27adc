package live

import (
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// Handler serves the live routes under /api/v1/live.
type Handler struct {
	Service *Service
	Auth    *httpx.Auth
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	h.registerRooms(mux)
	h.registerRealtime(mux)
	mux.Handle("GET /api/v1/live/rooms/{id}/cover", h.Auth.Required(h.image))
	mux.Handle("GET /api/v1/live/rooms/{id}/items/{sku}/image", h.Auth.Required(h.image))
}

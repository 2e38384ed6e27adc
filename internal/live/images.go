package live

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// Images reads the host's uploads (chat's media, POST /api/v1/media),
// which chat shows only to their owner and the conversations they were
// sent in: a room's cover and its products' pictures are shown to every
// viewer through the room instead (GET …/cover, …/items/{sku}/image),
// read with the host's own rights.
type Images interface {
	Open(ctx context.Context, userID, mediaID string) (chat.Media, []byte, error)
	// KeepMedia checks that mediaID is userID's own upload and keeps it
	// (never pruned as unsent). Errors: not_found.
	KeepMedia(ctx context.Context, userID, mediaID string) error
}

// keepImage checks and keeps the host's upload named in field.
func (s *Service) keepImage(ctx context.Context, userID, mediaID, field string) error {
	if mediaID == "" || s.cfg.Images == nil {
		return nil
	}
	if err := s.cfg.Images.KeepMedia(ctx, userID, mediaID); err != nil {
		if errs.Is(err, errs.NotFound) {
			return errs.Field(field, "%s names no picture you uploaded (POST /api/v1/media first).", field)
		}
		return err
	}
	return nil
}

// coverURL is where a room's cover is served (the media id in the query
// changes the address when the cover changes, so it may be cached).
func coverURL(roomID, mediaID string) string {
	if mediaID == "" {
		return ""
	}
	return "/api/v1/live/rooms/" + roomID + "/cover?m=" + url.QueryEscape(mediaID)
}

// itemImageURL is where a shelf item's picture is served.
func itemImageURL(roomID, sku, mediaID string) string {
	if mediaID == "" {
		return ""
	}
	return "/api/v1/live/rooms/" + roomID + "/items/" + url.PathEscape(sku) + "/image?m=" + url.QueryEscape(mediaID)
}

// Image is the picture of room id (sku "": its cover) for userID, who
// must be able to see the room. Errors: not_found.
func (s *Service) Image(ctx context.Context, userID, id, sku string) (chat.Media, []byte, error) {
	r, err := s.visible(ctx, userID, id)
	if err != nil {
		return chat.Media{}, nil, err
	}
	mediaID := r.cover
	if sku != "" {
		it, err := s.item(ctx, id, sku, true)
		if err != nil {
			return chat.Media{}, nil, err
		}
		mediaID = it.ImageMediaID
	}
	if mediaID == "" || s.cfg.Images == nil {
		return chat.Media{}, nil, errs.E(errs.NotFound, "No picture.")
	}
	return s.cfg.Images.Open(ctx, r.OwnerID, mediaID)
}

func (h *Handler) image(w http.ResponseWriter, r *http.Request) error {
	m, data, err := h.Service.Image(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), r.PathValue("sku"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", m.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(data)
	return nil
}

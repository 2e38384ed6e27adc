package live

import (
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// registerRealtime adds the room's chat routes: comments, likes and the
// host's moderation.
func (h *Handler) registerRealtime(mux *http.ServeMux) {
	auth := h.Auth.Required
	mux.Handle("POST /api/v1/live/rooms/{id}/comments", auth(h.postComment))
	mux.Handle("GET /api/v1/live/rooms/{id}/comments", auth(h.listComments))
	mux.Handle("DELETE /api/v1/live/rooms/{id}/comments/{comment_id}", auth(h.deleteComment))
	mux.Handle("POST /api/v1/live/rooms/{id}/likes", auth(h.like))
	mux.Handle("POST /api/v1/live/rooms/{id}/pin", auth(h.pin))
	mux.Handle("POST /api/v1/live/rooms/{id}/mutes", auth(h.mute))
	mux.Handle("DELETE /api/v1/live/rooms/{id}/mutes/{user_id}", auth(h.unmute))
}

func (h *Handler) postComment(w http.ResponseWriter, r *http.Request) error {
	var in NewComment
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.Service.PostComment(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"comment": c})
	return nil
}

func (h *Handler) listComments(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 50, 200)
	if err != nil {
		return err
	}
	items, err := h.Service.Comments(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (h *Handler) deleteComment(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.DeleteComment(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), r.PathValue("comment_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) like(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Count int64 `json:"count"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	total, err := h.Service.Like(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in.Count)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]any{"likes": total})
	return nil
}

func (h *Handler) pin(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		CommentID string `json:"comment_id"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.Service.Pin(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in.CommentID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"comment": c})
	return nil
}

func (h *Handler) mute(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UserID string `json:"user_id"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := h.Service.Mute(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in.UserID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) unmute(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.Unmute(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), r.PathValue("user_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

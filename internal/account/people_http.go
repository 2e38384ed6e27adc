package account

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// registerPeople adds the avatar, contact note and block routes.
func (h *Handler) registerPeople(mux *http.ServeMux) {
	mux.Handle("PUT /api/v1/me/avatar", h.Auth.Required(h.setAvatar))
	mux.Handle("DELETE /api/v1/me/avatar", h.Auth.Required(h.removeAvatar))
	mux.Handle("GET /api/v1/users/{id}/avatar", h.Auth.Required(h.avatar))
	mux.Handle("PUT /api/v1/contacts/{user_id}", h.Auth.Required(h.setNote))
	mux.Handle("POST /api/v1/blocks", h.Auth.Required(h.block))
	mux.Handle("DELETE /api/v1/blocks/{user_id}", h.Auth.Required(h.unblock))
	mux.Handle("GET /api/v1/blocks", h.Auth.Required(h.blocks))
}

func (h *Handler) setAvatar(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxAvatarBytes+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return errs.Field("file", "Send the image as multipart/form-data with a part named file.")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return errs.Field("file", "The form has no part named file.")
		}
		if err != nil {
			return avatarUploadError(err)
		}
		if part.FormName() != "file" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, MaxAvatarBytes+1))
		if err != nil {
			return avatarUploadError(err)
		}
		u, err := h.Service.SetAvatar(r.Context(), httpx.Caller(r).UserID, data)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"user": u})
		return nil
	}
}

func avatarUploadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errs.E(errs.PayloadTooLarge, "An avatar is at most %d MiB.", MaxAvatarBytes>>20)
	}
	return errs.Wrap(err, errs.InvalidArgument, "The upload could not be read as multipart/form-data.")
}

func (h *Handler) removeAvatar(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Service.RemoveAvatar(r.Context(), httpx.Caller(r).UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user": u})
	return nil
}

// avatar serves a user's avatar to any signed-in user. Asked for the
// current version (?v= as in avatar_url) it may be cached for good;
// otherwise it is revalidated by its ETag.
func (h *Handler) avatar(w http.ResponseWriter, r *http.Request) error {
	size := r.URL.Query().Get("size")
	a, err := h.Service.AvatarOf(r.Context(), r.PathValue("id"), size)
	if err != nil {
		return err
	}
	if size == "" {
		size = "small"
	}
	hd := w.Header()
	etag := `"` + a.Hash + "-" + size + `"`
	hd.Set("ETag", etag)
	if r.URL.Query().Get("v") == a.Hash {
		hd.Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "private, no-cache")
	}
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	hd.Set("Content-Type", "image/jpeg")
	hd.Set("Content-Length", strconv.Itoa(len(a.Data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.Data)
	return nil
}

func (h *Handler) setNote(w http.ResponseWriter, r *http.Request) error {
	var in ContactNote
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	note, err := h.Service.SetContactNote(r.Context(), httpx.Caller(r).UserID, r.PathValue("user_id"), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"contact": note})
	return nil
}

func (h *Handler) block(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UserID string `json:"user_id"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if in.UserID == "" {
		return errs.Field("user_id", "user_id is required.")
	}
	u, err := h.Service.Block(r.Context(), httpx.Caller(r).UserID, in.UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user": u, "blocked": true})
	return nil
}

func (h *Handler) unblock(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.Unblock(r.Context(), httpx.Caller(r).UserID, r.PathValue("user_id")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h *Handler) blocks(w http.ResponseWriter, r *http.Request) error {
	items, err := h.Service.Blocks(r.Context(), httpx.Caller(r).UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, ""))
	return nil
}

package chat

import (
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// registerGroups adds the routes of groups, settings and invites.
func (h *Handler) registerGroups(mux *http.ServeMux) {
	a := h.Auth.Required
	mux.Handle("PATCH /api/v1/conversations/{id}", a(h.updateGroup))
	mux.Handle("PUT /api/v1/conversations/{id}/members/{user_id}/role", a(h.setRole))
	mux.Handle("DELETE /api/v1/conversations/{id}/members/{user_id}", a(h.removeMember))
	mux.Handle("POST /api/v1/conversations/{id}/owner", a(h.transferOwner))
	mux.Handle("PUT /api/v1/conversations/{id}/settings", a(h.settings))
	mux.Handle("POST /api/v1/conversations/{id}/clear", a(h.clear))
	mux.Handle("POST /api/v1/conversations/{id}/invites", a(h.createInvite))
	mux.Handle("GET /api/v1/group-invites/{code}", a(h.previewInvite))
	mux.Handle("POST /api/v1/group-invites/{code}/join", a(h.joinInvite))
}

func writeConversation(w http.ResponseWriter, status int, c Conversation) {
	httpx.WriteJSON(w, status, map[string]any{"conversation": c})
}

func (h *Handler) updateGroup(w http.ResponseWriter, r *http.Request) error {
	var in GroupUpdate
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.Service.UpdateGroup(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeConversation(w, http.StatusOK, c)
	return nil
}

func (h *Handler) setRole(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Role string `json:"role"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.Service.SetRole(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), r.PathValue("user_id"), in.Role)
	if err != nil {
		return err
	}
	writeConversation(w, http.StatusOK, c)
	return nil
}

func (h *Handler) removeMember(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Service.RemoveMember(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	writeConversation(w, http.StatusOK, c)
	return nil
}

func (h *Handler) transferOwner(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UserID string `json:"user_id"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.Service.TransferOwnership(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in.UserID)
	if err != nil {
		return err
	}
	writeConversation(w, http.StatusOK, c)
	return nil
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request) error {
	var in Settings
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.Service.UpdateSettings(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeConversation(w, http.StatusOK, c)
	return nil
}

func (h *Handler) clear(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Service.ClearHistory(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeConversation(w, http.StatusOK, c)
	return nil
}

func (h *Handler) createInvite(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.Service.CreateInvite(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"invite": inv})
	return nil
}

func (h *Handler) previewInvite(w http.ResponseWriter, r *http.Request) error {
	p, err := h.Service.PreviewInvite(r.Context(), httpx.Caller(r).UserID, r.PathValue("code"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"invite": p})
	return nil
}

func (h *Handler) joinInvite(w http.ResponseWriter, r *http.Request) error {
	c, joined, err := h.Service.JoinByInvite(r.Context(), httpx.Caller(r).UserID, r.PathValue("code"))
	if err != nil {
		return err
	}
	_ = joined // 200 either way: a second join is the same conversation
	writeConversation(w, http.StatusOK, c)
	return nil
}

package account

import (
	"net/http"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/export"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// Handler serves the account part of the API.
type Handler struct {
	Service *Service
	Auth    *httpx.Auth
	// PerIP limits the unauthenticated endpoints (signup, login).
	PerIP *httpx.Limiter
	// Exporters are the other components' parts of GET /me/export, in
	// order, after the account's own.
	Exporters []export.Exporter

	exporting sync.Map // user id → struct{}: one export at a time per user, on this node
}

// Register adds the account routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	public := func(f httpx.HandlerFunc) http.Handler { return h.PerIP.PerIP(httpx.SameOrigin(f)) }
	mux.Handle("POST /api/v1/auth/signup", public(h.signup))
	mux.Handle("POST /api/v1/auth/login", public(h.login))
	mux.Handle("GET /api/v1/regions", httpx.HandlerFunc(h.regions))
	mux.Handle("POST /api/v1/auth/logout", h.Auth.Required(h.logout))
	mux.Handle("POST /api/v1/auth/logout-all", h.Auth.Required(h.logoutAll))
	mux.Handle("GET /api/v1/me", h.Auth.Required(h.me))
	mux.Handle("GET /api/v1/me/export", h.Auth.Required(h.export))
	mux.Handle("DELETE /api/v1/me", h.Auth.Required(h.erase))
	mux.Handle("GET /api/v1/users/{username}", h.Auth.Required(h.user))
	mux.Handle("POST /api/v1/contacts/requests", h.Auth.Required(h.sendRequest))
	mux.Handle("GET /api/v1/contacts/requests", h.Auth.Required(h.listRequests))
	mux.Handle("POST /api/v1/contacts/requests/{id}/accept", h.Auth.Required(h.answer(true)))
	mux.Handle("POST /api/v1/contacts/requests/{id}/decline", h.Auth.Required(h.answer(false)))
	mux.Handle("GET /api/v1/contacts", h.Auth.Required(h.contacts))
	mux.Handle("DELETE /api/v1/contacts/{username}", h.Auth.Required(h.removeContact))
	h.registerSettings(mux)
	h.registerSessions(mux)
	h.registerPeople(mux)
}

type sessionResponse struct {
	User  User   `json:"user"`
	Token string `json:"token"`
}

func clientInfo(r *http.Request) ClientInfo {
	return ClientInfo{UserAgent: r.UserAgent(), IP: httpx.ClientIP(r)}
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, token string, maxAge time.Duration) {
	httpx.SetSessionCookie(w, r, token, maxAge)
}

func (h *Handler) signup(w http.ResponseWriter, r *http.Request) error {
	var in SignupInput
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	u, token, err := h.Service.Signup(r.Context(), in, clientInfo(r))
	if err != nil {
		return err
	}
	h.setCookie(w, r, token, h.Service.SessionTTL())
	httpx.WriteJSON(w, http.StatusCreated, sessionResponse{User: u, Token: token})
	return nil
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	u, token, err := h.Service.Login(r.Context(), in.Username, in.Password, clientInfo(r))
	if err != nil {
		return err
	}
	h.setCookie(w, r, token, h.Service.SessionTTL())
	httpx.WriteJSON(w, http.StatusOK, sessionResponse{User: u, Token: token})
	return nil
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.Logout(r.Context(), httpx.Caller(r).SessionID); err != nil {
		return err
	}
	h.setCookie(w, r, "", -time.Second)
	httpx.NoContent(w)
	return nil
}

func (h *Handler) logoutAll(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.LogoutAll(r.Context(), httpx.Caller(r).UserID); err != nil {
		return err
	}
	h.setCookie(w, r, "", -time.Second)
	httpx.NoContent(w)
	return nil
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Service.User(r.Context(), httpx.Caller(r).UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user": u, "csrf_token": httpx.Caller(r).CSRFToken})
	return nil
}

// export streams the caller's data: a zip by default, one JSON document
// for Accept: application/json or ?format=json (export.Serve).
func (h *Handler) export(w http.ResponseWriter, r *http.Request) error {
	c := httpx.Caller(r)
	if _, busy := h.exporting.LoadOrStore(c.UserID, struct{}{}); busy {
		return errs.E(errs.RateLimited, "Your data is already being exported; wait until that download ends.")
	}
	defer h.exporting.Delete(c.UserID)
	parts := append([]export.Exporter{h.Service}, h.Exporters...)
	return export.Serve(w, r, c.UserID, c.Username, httpx.Logger(r.Context()), parts...)
}

func (h *Handler) erase(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := h.Service.Erase(r.Context(), httpx.Caller(r).UserID, in.Password); err != nil {
		return err
	}
	h.setCookie(w, r, "", -time.Second)
	httpx.NoContent(w)
	return nil
}

func (h *Handler) regions(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=86400")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": Regions()})
	return nil
}

func (h *Handler) user(w http.ResponseWriter, r *http.Request) error {
	// {username} is a user id or a username (Profile).
	p, err := h.Service.Profile(r.Context(), httpx.Caller(r).UserID, r.PathValue("username"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) sendRequest(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
		Message  string `json:"message"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	req, err := h.Service.SendContactRequest(r.Context(), httpx.Caller(r).UserID, in.Username, in.Message)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"request": req})
	return nil
}

func (h *Handler) listRequests(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 50, 200)
	if err != nil {
		return err
	}
	items, next, err := h.Service.ContactRequests(r.Context(), httpx.Caller(r).UserID, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, next))
	return nil
}

func (h *Handler) answer(accept bool) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		req, err := h.Service.AnswerContactRequest(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), accept)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"request": req})
		return nil
	}
}

func (h *Handler) contacts(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 500, 1000)
	if err != nil {
		return err
	}
	items, next, err := h.Service.ContactItems(r.Context(), httpx.Caller(r).UserID, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, next))
	return nil
}

func (h *Handler) removeContact(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.RemoveContact(r.Context(), httpx.Caller(r).UserID, r.PathValue("username")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

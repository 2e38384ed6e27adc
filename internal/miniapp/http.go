package miniapp

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// Handler serves the mini-program API and jscode2session.
type Handler struct {
	Service *Service
	Auth    *httpx.Auth
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	a := h.Auth.Required
	mux.Handle("POST /api/v1/miniapps", a(h.create))
	mux.Handle("GET /api/v1/miniapps", a(h.directory))
	mux.Handle("GET /api/v1/miniapps/{appid}", a(h.get))
	mux.Handle("POST /api/v1/miniapps/{appid}/versions", a(h.upload))
	mux.Handle("POST /api/v1/miniapps/{appid}/versions/{v}/submit", a(h.submit))
	mux.Handle("POST /api/v1/miniapps/{appid}/versions/{v}/release", a(h.release))
	mux.Handle("POST /api/v1/admin/miniapps/{appid}/versions/{v}/approve", h.Auth.Admin(h.review(true)))
	mux.Handle("POST /api/v1/admin/miniapps/{appid}/versions/{v}/reject", h.Auth.Admin(h.review(false)))
	mux.Handle("GET /api/v1/admin/miniapp-reviews", h.Auth.Admin(h.reviews))
	mux.Handle("POST /api/v1/miniapps/{appid}/code", a(h.code))
	mux.Handle("GET /api/v1/miniapps/{appid}/consents", a(h.consents))
	mux.Handle("PUT /api/v1/miniapps/{appid}/consents/{scope}", a(h.consent(true)))
	mux.Handle("DELETE /api/v1/miniapps/{appid}/consents/{scope}", a(h.consent(false)))
	mux.Handle("GET /api/v1/miniapps/{appid}/profile", a(h.profile))
	mux.Handle("GET /api/v1/miniapps/{appid}/storage/{key}", a(h.getItem))
	mux.Handle("PUT /api/v1/miniapps/{appid}/storage/{key}", a(h.setItem))
	mux.Handle("DELETE /api/v1/miniapps/{appid}/storage/{key}", a(h.removeItem))
	mux.Handle("POST /api/v1/miniapps/{appid}/payment-request", a(h.paymentRequest))
	mux.Handle("GET /api/v1/miniapps/mine", a(h.mine))
	mux.Handle("GET /api/v1/miniapps/{appid}/versions", a(h.versions))
	mux.Handle("POST /api/v1/miniapps/{appid}/secret", a(h.rotate))
	mux.Handle("GET /api/v1/me/miniapps/consents", a(h.grants))
	mux.Handle("GET /api/v1/miniapps/{appid}/testers", a(h.testers))
	mux.Handle("POST /api/v1/miniapps/{appid}/testers", a(h.addTester))
	mux.Handle("DELETE /api/v1/miniapps/{appid}/testers/{username}", a(h.removeTester))
	mux.Handle("GET /api/v1/me/miniapps/testing", a(h.testing))
	mux.Handle("DELETE /api/v1/me/miniapps/testing/{appid}", a(h.leaveTesting))
	mux.Handle("GET /api/v1/miniapps/{appid}/versions/{v}/trial", a(h.trial))
	mux.Handle("POST /api/v1/miniapps/{appid}/trial-launch", a(h.trialLaunch))
	mux.HandleFunc("GET /sns/jscode2session", h.jscode2session)
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name           string   `json:"name"`
		Description    string   `json:"description"`
		Category       string   `json:"category"`
		RequestDomains []string `json:"request_domains"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	a, secret, err := h.Service.CreateApp(r.Context(), httpx.Caller(r).UserID, in.Name, in.Description, in.Category, in.RequestDomains)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"appid": a.AppID, "secret": secret, "app": a})
	return nil
}

func (h *Handler) directory(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 50, 200)
	if err != nil {
		return err
	}
	items, err := h.Service.Directory(r.Context(), httpx.Caller(r).UserID, r.URL.Query().Get("q"), r.URL.Query().Get("category"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, ""))
	return nil
}

// trialOf is the trial label a bridge call names (?trial=), or "" for the
// released version.
func trialOf(r *http.Request) string { return r.URL.Query().Get("trial") }

// get is an app to open: the released version, or with ?trial={label} that
// trial (for the app's developer and testers), then with "trial" beside it.
func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	a, t, err := h.Service.Open(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), trialOf(r))
	if err != nil {
		return err
	}
	if t != nil {
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"app": a, "trial": t})
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"app": a})
	return nil
}

func versionParam(r *http.Request) (int64, error) {
	v, ok := canonicalCode(r.PathValue("v"))
	if !ok {
		return 0, errs.Field("v", "The version is manifest.json's version.code.")
	}
	return v, nil
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxPackageBytes+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return errs.Field("package", "Send the zip as multipart/form-data with a part named package.")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return errs.Field("package", "The form has no part named package.")
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errs.E(errs.PayloadTooLarge, "A package is at most %d MiB.", MaxPackageBytes>>20)
		}
		if err != nil {
			return errs.Wrap(err, errs.InvalidArgument, "The upload could not be read.")
		}
		if part.FormName() != "package" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, MaxPackageBytes+1))
		if errors.As(err, &tooLarge) || len(data) > MaxPackageBytes {
			return errs.E(errs.PayloadTooLarge, "A package is at most %d MiB.", MaxPackageBytes>>20)
		}
		if err != nil {
			return errs.Wrap(err, errs.InvalidArgument, "The upload could not be read.")
		}
		v, err := h.Service.Upload(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), data)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusCreated, map[string]any{"version": v})
		return nil
	}
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) error {
	v, err := versionParam(r)
	if err != nil {
		return err
	}
	ver, err := h.Service.Submit(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), v)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"version": ver})
	return nil
}

func (h *Handler) release(w http.ResponseWriter, r *http.Request) error {
	v, err := versionParam(r)
	if err != nil {
		return err
	}
	ver, err := h.Service.Release(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), v)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"version": ver})
	return nil
}

func (h *Handler) review(approve bool) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := versionParam(r)
		if err != nil {
			return err
		}
		var in struct {
			Reason string `json:"reason"`
		}
		if r.ContentLength != 0 {
			if err := httpx.Decode(w, r, &in); err != nil {
				return err
			}
		}
		ver, err := h.Service.ReviewBy(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), v, approve, in.Reason)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"version": ver})
		return nil
	}
}

// reviews is the review queue: GET /api/v1/admin/miniapp-reviews
// ?state=pending|approved|rejected&limit=&cursor=.
func (h *Handler) reviews(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 50, 200)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	items, next, err := h.Service.Reviews(r.Context(), q.Get("state"), q.Get("cursor"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, next))
	return nil
}

func (h *Handler) code(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Service.Code(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), trialOf(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"code": c})
	return nil
}

func (h *Handler) consents(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Service.Consents(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), trialOf(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (h *Handler) consent(grant bool) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := h.Service.SetConsent(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), trialOf(r), r.PathValue("scope"), grant); err != nil {
			return err
		}
		httpx.NoContent(w)
		return nil
	}
}

func (h *Handler) profile(w http.ResponseWriter, r *http.Request) error {
	p, err := h.Service.Profile(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), trialOf(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) getItem(w http.ResponseWriter, r *http.Request) error {
	v, err := h.Service.GetItem(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), trialOf(r), r.PathValue("key"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"key": r.PathValue("key"), "value": v})
	return nil
}

func (h *Handler) setItem(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxStorageValue+4096)
	var in struct {
		Value json.RawMessage `json:"value"`
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&in); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errs.E(errs.PayloadTooLarge, "A stored value is at most 1 MiB.")
		}
		return errs.E(errs.InvalidArgument, "The body is {\"value\": any JSON}.")
	}
	if err := h.Service.SetItem(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), trialOf(r), r.PathValue("key"), in.Value); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h *Handler) removeItem(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.RemoveItem(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), trialOf(r), r.PathValue("key")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h *Handler) paymentRequest(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TimeStamp string `json:"timeStamp"`
		NonceStr  string `json:"nonceStr"`
		Package   string `json:"package"`
		SignType  string `json:"signType"`
		PaySign   string `json:"paySign"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.Service.PaymentRequest(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), trialOf(r), in.TimeStamp, in.NonceStr, in.Package, in.SignType, in.PaySign)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, p)
	return nil
}

// jscode2session answers in WeChat's shape: 200 with {openid, session_key,
// unionid} or {errcode, errmsg}.
func (h *Handler) jscode2session(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if gt := q.Get("grant_type"); gt != "" && gt != "authorization_code" {
		httpx.WriteJSON(w, http.StatusOK, &CodeError{ErrMissingParam, "grant_type must be authorization_code"})
		return
	}
	s, err := h.Service.Exchange(r.Context(), q.Get("appid"), q.Get("secret"), q.Get("js_code"))
	var ce *CodeError
	if errors.As(err, &ce) {
		httpx.WriteJSON(w, http.StatusOK, ce)
		return
	}
	if err != nil {
		httpx.Logger(r.Context()).Error("jscode2session", "err", err)
		httpx.WriteJSON(w, http.StatusOK, &CodeError{-1, "system error"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, s)
}

func (h *Handler) mine(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Service.AppsOf(r.Context(), httpx.Caller(r).UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(list, ""))
	return nil
}

func (h *Handler) versions(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Service.Versions(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(list, ""))
	return nil
}

func (h *Handler) rotate(w http.ResponseWriter, r *http.Request) error {
	secret, err := h.Service.RotateSecret(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"appid": r.PathValue("appid"), "secret": secret})
	return nil
}

func (h *Handler) grants(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Service.Grants(r.Context(), httpx.Caller(r).UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(list, ""))
	return nil
}

func (h *Handler) testers(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Service.Testers(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(list, ""))
	return nil
}

func (h *Handler) addTester(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	t, err := h.Service.AddTester(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), in.Username)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"tester": t})
	return nil
}

func (h *Handler) removeTester(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.RemoveTester(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), r.PathValue("username")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h *Handler) testing(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Service.TestingOf(r.Context(), httpx.Caller(r).UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(list, ""))
	return nil
}

func (h *Handler) leaveTesting(w http.ResponseWriter, r *http.Request) error {
	if err := h.Service.LeaveTesting(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h *Handler) trial(w http.ResponseWriter, r *http.Request) error {
	v, err := versionParam(r)
	if err != nil {
		return err
	}
	label, err := h.Service.TrialLabel(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), v)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"label": label,
		"open_url": "/app/" + r.PathValue("appid") + "?trial=" + label})
	return nil
}

func (h *Handler) trialLaunch(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Label string `json:"label"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	l, err := h.Service.TrialLaunch(r.Context(), httpx.Caller(r).UserID, r.PathValue("appid"), in.Label)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, l)
	return nil
}

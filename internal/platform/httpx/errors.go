package httpx

import (
	"errors"
	"net/http"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// ErrorBody is the contract's error body.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// WriteError answers with err as the contract's error body. An error
// without a code is internal: it is logged with its cause and the user sees
// only "internal error" and the request id.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	rid := RequestID(r.Context())
	var e *errs.Error
	if !errors.As(err, &e) || e.Code == errs.Internal {
		Logger(r.Context()).Error("internal error", "err", err, "method", r.Method, "path", r.URL.Path)
		WriteJSON(w, http.StatusInternalServerError, ErrorBody{ErrorDetail{
			Code: errs.Internal, Message: "Internal error; quote request id " + rid + " when reporting it.", RequestID: rid}})
		return
	}
	if e.Cause != nil {
		Logger(r.Context()).Debug("request refused", "code", e.Code, "cause", e.Cause)
	}
	status := errs.Status(e.Code)
	if e.Status != 0 {
		status = e.Status
	}
	if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "60")
	}
	WriteJSON(w, status, ErrorBody{ErrorDetail{Code: e.Code, Message: e.Message, Field: e.Field, RequestID: rid}})
}

// HandlerFunc is a handler that returns its error instead of writing it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP writes a returned error with WriteError.
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		WriteError(w, r, err)
	}
}

// NotFound answers the contract's 404 for a path no route serves.
func NotFound(w http.ResponseWriter, r *http.Request) {
	WriteError(w, r, errs.E(errs.NotFound, "No such endpoint: %s %s.", r.Method, r.URL.Path))
}

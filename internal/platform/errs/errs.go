// Package errs is Plaza's one small set of error codes and their HTTP statuses.
//
// Services return *Error values built with E or Wrap; the HTTP layer maps the
// code to a status in one table (Status) and writes the contract's body:
//
//	{"error": {"code": "snake_case_code", "message": "human sentence"}}
//
// Anything that is not an *Error is an internal error: it is logged with its
// cause and shown to the user only as "internal error" with the request id.
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// Codes shared by every component. Components add their own domain codes
// (insufficient_funds, wrong_pin, …) with Register.
const (
	InvalidArgument     = "invalid_argument"
	Unauthenticated     = "unauthenticated"
	Forbidden           = "forbidden"
	NotFound            = "not_found"
	Conflict            = "conflict"
	IdempotencyMismatch = "idempotency_mismatch"
	PayloadTooLarge     = "payload_too_large"
	UnsupportedMedia    = "unsupported_media_type"
	MethodNotAllowed    = "method_not_allowed"
	RateLimited         = "rate_limited"
	Internal            = "internal"
	Unavailable         = "unavailable"
)

var statuses = map[string]int{
	InvalidArgument:     http.StatusBadRequest,
	Unauthenticated:     http.StatusUnauthorized,
	Forbidden:           http.StatusForbidden,
	NotFound:            http.StatusNotFound,
	Conflict:            http.StatusConflict,
	IdempotencyMismatch: http.StatusConflict,
	PayloadTooLarge:     http.StatusRequestEntityTooLarge,
	UnsupportedMedia:    http.StatusUnsupportedMediaType,
	MethodNotAllowed:    http.StatusMethodNotAllowed,
	RateLimited:         http.StatusTooManyRequests,
	Internal:            http.StatusInternalServerError,
	Unavailable:         http.StatusServiceUnavailable,
}

// Register adds a component's domain code with its HTTP status. It is meant
// for package init; registering a code twice with different statuses panics.
func Register(code string, status int) {
	if s, ok := statuses[code]; ok && s != status {
		panic(fmt.Sprintf("errs: code %q registered with %d and %d", code, s, status))
	}
	statuses[code] = status
}

// Status is the HTTP status for a code; unknown codes are 422, the status of
// a domain refusal.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusUnprocessableEntity
}

// Error is an error a user may see: a machine-readable code and a sentence.
type Error struct {
	Code    string
	Message string
	// Field names the request field at fault, when there is one.
	Field string
	// Cause is kept for logs; it is never shown to the user.
	Cause error
	// Status, when set, overrides the code's status from the table: one
	// code the contract answers differently by path (blocked_by_policy is
	// 403 when opening an app, 422 on money). Use WithStatus.
	Status int
}

// WithStatus returns a copy of err's *Error answered with status; err
// without a code is returned as it is.
func WithStatus(err error, status int) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Status = status
	return &c
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Code + ": " + e.Message + ": " + e.Cause.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// E builds an *Error with a formatted message.
func E(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field builds an invalid_argument error naming the field at fault.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: InvalidArgument, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap keeps cause for the logs behind a user-facing code and message.
func Wrap(cause error, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Cause: cause}
}

// CodeOf returns the code of err, or Internal when err carries none.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code string) bool {
	return err != nil && CodeOf(err) == code
}

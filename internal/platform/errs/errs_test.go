package errs_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

func TestStatusOfEachCode(t *testing.T) {
	tests := []struct {
		code string
		want int
	}{
		{errs.InvalidArgument, http.StatusBadRequest},
		{errs.Unauthenticated, http.StatusUnauthorized},
		{errs.Forbidden, http.StatusForbidden},
		{errs.NotFound, http.StatusNotFound},
		{errs.Conflict, http.StatusConflict},
		{errs.IdempotencyMismatch, http.StatusConflict},
		{errs.PayloadTooLarge, http.StatusRequestEntityTooLarge},
		{errs.UnsupportedMedia, http.StatusUnsupportedMediaType},
		{errs.MethodNotAllowed, http.StatusMethodNotAllowed},
		{errs.RateLimited, http.StatusTooManyRequests},
		{errs.Internal, http.StatusInternalServerError},
		{errs.Unavailable, http.StatusServiceUnavailable},
		{"never_registered_domain_refusal", http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := errs.Status(tt.code); got != tt.want {
				t.Errorf("Status(%q) = %d, want %d", tt.code, got, tt.want)
			}
		})
	}
}

func TestRegister(t *testing.T) {
	t.Run("new_code_gets_its_status", func(t *testing.T) {
		errs.Register("errs_test_teapot", http.StatusTeapot)
		if got := errs.Status("errs_test_teapot"); got != http.StatusTeapot {
			t.Errorf("Status = %d, want %d", got, http.StatusTeapot)
		}
	})
	t.Run("same_code_same_status_again_is_fine", func(t *testing.T) {
		errs.Register("errs_test_twice", http.StatusPaymentRequired)
		errs.Register("errs_test_twice", http.StatusPaymentRequired)
		if got := errs.Status("errs_test_twice"); got != http.StatusPaymentRequired {
			t.Errorf("Status = %d, want %d", got, http.StatusPaymentRequired)
		}
	})
	t.Run("conflicting_status_panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("registering not_found as 418 did not panic")
			}
			if got := errs.Status(errs.NotFound); got != http.StatusNotFound {
				t.Errorf("after the refused Register, Status(not_found) = %d, want 404", got)
			}
		}()
		errs.Register(errs.NotFound, http.StatusTeapot)
	})
}

func TestCodeOf(t *testing.T) {
	notFound := errs.E(errs.NotFound, "No such %s.", "wallet")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"bare_error", notFound, errs.NotFound},
		{"wrapped_once", fmt.Errorf("load: %w", notFound), errs.NotFound},
		{"wrapped_twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", notFound)), errs.NotFound},
		{"joined", errors.Join(errors.New("other"), notFound), errs.NotFound},
		{"field_error", errs.Field("amount", "must be positive"), errs.InvalidArgument},
		{"wrap_keeps_its_own_code", errs.Wrap(errors.New("disk"), errs.Unavailable, "try later"), errs.Unavailable},
		{"plain_error_is_internal", errors.New("boom"), errs.Internal},
		{"nil_is_internal", nil, errs.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errs.CodeOf(tt.err); got != tt.want {
				t.Errorf("CodeOf(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestIs(t *testing.T) {
	wrapped := fmt.Errorf("ctx: %w", errs.E(errs.Conflict, "taken"))
	if !errs.Is(wrapped, errs.Conflict) {
		t.Error("Is(wrapped conflict, conflict) = false")
	}
	if errs.Is(wrapped, errs.NotFound) {
		t.Error("Is(wrapped conflict, not_found) = true")
	}
	if errs.Is(nil, errs.Internal) {
		t.Error("Is(nil, internal) = true: no error is no internal error")
	}
}

func TestErrorKeepsCauseForLogsAndUnwrap(t *testing.T) {
	cause := errors.New("connection reset")
	e := errs.Wrap(cause, errs.Unavailable, "Try again.")
	if !errors.Is(e, cause) {
		t.Error("errors.Is(wrapped, cause) = false")
	}
	if got, want := e.Error(), "unavailable: Try again.: connection reset"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := errs.E(errs.NotFound, "No %d.", 7).Error(), "not_found: No 7."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	f := errs.Field("amount", "Amount must be %s.", "positive")
	if f.Code != errs.InvalidArgument || f.Field != "amount" || f.Message != "Amount must be positive." {
		t.Errorf("Field built %+v", f)
	}
}

func TestWithStatusOverridesTheTable(t *testing.T) {
	err := errs.E("blocked_by_policy", "Not in your region.")
	got := errs.WithStatus(err, 403)
	var e *errs.Error
	if !errors.As(got, &e) || e.Status != 403 || e.Code != "blocked_by_policy" {
		t.Fatalf("WithStatus: %#v", got)
	}
	if err.Status != 0 {
		t.Fatal("WithStatus changed the original error")
	}
	plain := errors.New("no code")
	if errs.WithStatus(plain, 403) != plain {
		t.Fatal("an error without a code was wrapped")
	}
}

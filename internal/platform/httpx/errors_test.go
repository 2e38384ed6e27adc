package httpx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/prometheus/client_golang/prometheus"
)

// errorBody decodes the contract's error body, failing on any other shape.
func errorBody(t *testing.T, rec *httptest.ResponseRecorder) httpx.ErrorDetail {
	t.Helper()
	var raw map[string]map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatalf("body %q is not {\"error\":{…}}: %v", rec.Body, err)
	}
	e, ok := raw["error"]
	if !ok || len(raw) != 1 {
		t.Fatalf("body %q: want exactly one key, \"error\"", rec.Body)
	}
	if e["code"] == "" || e["message"] == "" {
		t.Fatalf("body %q: error lacks code or message", rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	return httpx.ErrorDetail{Code: e["code"], Message: e["message"], Field: e["field"], RequestID: e["request_id"]}
}

func TestWriteError(t *testing.T) {
	errs.Register("httpx_test_insufficient_funds", http.StatusUnprocessableEntity)
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantMsg    string
		wantField  string
		wantRetry  string
	}{
		{name: "not_found", err: errs.E(errs.NotFound, "No such wallet."),
			wantStatus: 404, wantCode: errs.NotFound, wantMsg: "No such wallet."},
		{name: "field_error_names_the_field", err: errs.Field("amount", "Amount must be positive."),
			wantStatus: 400, wantCode: errs.InvalidArgument, wantMsg: "Amount must be positive.", wantField: "amount"},
		{name: "wrapped_coded_error_keeps_its_code", err: fmt.Errorf("pay: %w", errs.E(errs.Conflict, "Already paid.")),
			wantStatus: 409, wantCode: errs.Conflict, wantMsg: "Already paid."},
		{name: "domain_code_gets_its_registered_status", err: errs.E("httpx_test_insufficient_funds", "Top up first."),
			wantStatus: 422, wantCode: "httpx_test_insufficient_funds", wantMsg: "Top up first."},
		{name: "rate_limited_gets_a_default_retry_after", err: errs.E(errs.RateLimited, "Slow down."),
			wantStatus: 429, wantCode: errs.RateLimited, wantMsg: "Slow down.", wantRetry: "60"},
		{name: "plain_error_is_internal", err: errors.New("pq: password authentication failed for secret_db"),
			wantStatus: 500, wantCode: errs.Internal, wantMsg: "Internal error; quote request id req_fixed"},
		{name: "internal_code_hides_its_message", err: errs.Wrap(errors.New("secret_db down"), errs.Internal, "secret_db down"),
			wantStatus: 500, wantCode: errs.Internal, wantMsg: "Internal error; quote request id req_fixed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			h := httpx.Chain(httpx.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return tt.err }), log, nil)
			r := httptest.NewRequest(http.MethodGet, "/x", nil)
			r.Header.Set("X-Request-Id", "req_fixed")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)

			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			got := errorBody(t, rec)
			if got.Code != tt.wantCode || !strings.HasPrefix(got.Message, tt.wantMsg) || got.Field != tt.wantField {
				t.Errorf("error = %+v, want code %q, message starting %q, field %q", got, tt.wantCode, tt.wantMsg, tt.wantField)
			}
			if got.RequestID != "req_fixed" {
				t.Errorf("request_id = %q, want req_fixed", got.RequestID)
			}
			if ra := rec.Header().Get("Retry-After"); ra != tt.wantRetry {
				t.Errorf("Retry-After = %q, want %q", ra, tt.wantRetry)
			}
			if tt.wantCode == errs.Internal {
				if strings.Contains(rec.Body.String(), "secret_db") {
					t.Errorf("internal cause leaked to the client: %s", rec.Body)
				}
				if !strings.Contains(logs.String(), "secret_db") {
					t.Errorf("internal cause was not logged; logs:\n%s", logs.String())
				}
			}
		})
	}
}

func TestWriteErrorKeepsAnExplicitRetryAfter(t *testing.T) {
	rec := httptest.NewRecorder()
	rec.Header().Set("Retry-After", "3")
	httpx.WriteError(rec, httptest.NewRequest(http.MethodGet, "/", nil), errs.E(errs.RateLimited, "Slow down."))
	if got := rec.Header().Get("Retry-After"); got != "3" {
		t.Fatalf("Retry-After = %q, want the handler's 3", got)
	}
}

func TestChain(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)

	t.Run("panic_becomes_500_error_body", func(t *testing.T) {
		h := httpx.Chain(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("nil map write") }), quiet, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/boom", nil))
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("status = %d, want 500", rec.Code)
		}
		got := errorBody(t, rec)
		rid := rec.Header().Get("X-Request-Id")
		if got.Code != errs.Internal || rid == "" || got.RequestID != rid || !strings.Contains(got.Message, rid) {
			t.Fatalf("error = %+v with X-Request-Id %q: want internal, quoting the header's id", got, rid)
		}
		if strings.Contains(rec.Body.String(), "nil map") {
			t.Fatalf("panic value leaked to the client: %s", rec.Body)
		}
	})

	t.Run("abort_handler_panic_passes_through", func(t *testing.T) {
		h := httpx.Chain(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }), quiet, nil)
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Fatalf("recovered %v, want http.ErrAbortHandler to reach net/http", p)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	})

	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, httpx.RequestID(r.Context()))
	})
	ridTests := []struct {
		name, sent string
		keep       bool
	}{
		{"new_id_when_none_sent", "", false},
		{"client_id_kept", "trace-abc-123", true},
		{"over_64_chars_replaced", strings.Repeat("r", 65), false},
	}
	for _, tt := range ridTests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.sent != "" {
				r.Header.Set("X-Request-Id", tt.sent)
			}
			rec := httptest.NewRecorder()
			httpx.Chain(echo, quiet, nil).ServeHTTP(rec, r)
			rid := rec.Header().Get("X-Request-Id")
			if rid == "" || rec.Body.String() != rid {
				t.Fatalf("header %q, handler saw %q: want the same non-empty id", rid, rec.Body)
			}
			if tt.keep != (rid == tt.sent) {
				t.Fatalf("X-Request-Id = %q for %q sent; keep = %v", rid, tt.sent, tt.keep)
			}
			if !tt.keep && !strings.HasPrefix(rid, "req_") {
				t.Fatalf("generated X-Request-Id = %q, want req_…", rid)
			}
		})
	}

	t.Run("metrics_count_by_route_and_status", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		mux := http.NewServeMux()
		mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
		h := httpx.Chain(mux, quiet, httpx.NewMetrics(reg))
		for range 2 {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/items/7", nil))
		}
		if got := counter(t, reg, "plaza_http_requests_total", map[string]string{"route": "GET /items/{id}", "status": "418"}); got != 2 {
			t.Fatalf("requests{route,418} = %v, want 2", got)
		}
	})
}

func counter(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if v, ok := labels[l.GetName()]; ok && v != l.GetValue() {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/trust"
)

type adminOnly struct{}

func (adminOnly) Authenticate(ctx context.Context, token string) (httpx.Principal, error) {
	if token == "root" {
		return httpx.Principal{UserID: "usr_root", Admin: true}, nil
	}
	return httpx.Principal{}, errs.E(errs.Unauthenticated, "unknown session")
}

// auditLog is a trust Service on a fresh database, signing with key.
func auditLog(t *testing.T, key ed25519.PrivateKey, actions ...string) (*trust.Service, http.Handler) {
	s, err := trust.NewService(context.Background(), trust.Config{DB: dbtest.SQLite(t, outbox.Migrations, trust.Migrations),
		AuditKey: key, AuditOrigin: "plaza.test/audit"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range actions {
		if _, err := s.Append(context.Background(), nil, trust.Entry{Actor: "usr_root", Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	(&trust.Handler{Service: s, Auth: &httpx.Auth{Authn: adminOnly{}}}).Register(mux)
	return s, mux
}

func TestAuditVerifyCatchesRewrittenHistory(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	honest, honestAPI := auditLog(t, key, "admin.made", "policy.created")
	var current atomic.Value
	current.Store(honestAPI)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Load().(http.Handler).ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx := context.Background()

	saved, summary, err := verifyAudit(ctx, srv.Client(), srv.URL, "root", nil)
	if err != nil || !strings.Contains(summary, "2 records") {
		t.Fatalf("first look: %q, %v", summary, err)
	}
	for _, a := range []string{"policy.cancelled", "review.released", "secret.rotated"} {
		if _, err := honest.Append(ctx, nil, trust.Entry{Actor: "usr_root", Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	if _, summary, err := verifyAudit(ctx, srv.Client(), srv.URL, "root", saved); err != nil || !strings.HasPrefix(summary, "ok:") {
		t.Fatalf("after appends: %q, %v", summary, err)
	}
	if _, _, err := verifyAudit(ctx, srv.Client(), srv.URL, "nobody", saved); err == nil {
		t.Fatal("verified without an administrator's token")
	}

	// The operator replaces the log with one whose first record differs,
	// signed with the same key: the saved checkpoint catches it.
	_, forged := auditLog(t, key, "admin.made.quietly", "policy.created", "policy.cancelled", "review.released")
	current.Store(forged)
	_, _, err = verifyAudit(ctx, srv.Client(), srv.URL, "root", saved)
	if err == nil || !strings.Contains(err.Error(), "history was rewritten") {
		t.Fatalf("forged history: %v", err)
	}
	// Or with a shorter one.
	_, short := auditLog(t, key, "admin.made")
	current.Store(short)
	if _, _, err = verifyAudit(ctx, srv.Client(), srv.URL, "root", saved); err == nil || !strings.Contains(err.Error(), "only 1") {
		t.Fatalf("truncated history: %v", err)
	}
	// A log signed with another key does not pass for this one.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	_, otherAPI := auditLog(t, other, "admin.made", "policy.created")
	current.Store(otherAPI)
	if _, _, err = verifyAudit(ctx, srv.Client(), srv.URL, "root", saved); err == nil || !strings.Contains(err.Error(), "saved checkpoint does not verify") {
		t.Fatalf("another key: %v", err)
	}
}

package trust_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/trust"
)

// sessions is a fake Authenticator: bearer token → principal.
type sessions map[string]httpx.Principal

func (s sessions) Authenticate(ctx context.Context, token string) (httpx.Principal, error) {
	if p, ok := s[token]; ok {
		return p, nil
	}
	return httpx.Principal{}, errs.E(errs.Unauthenticated, "unknown session")
}

var people = sessions{
	"admin": {UserID: "usr_admin", Region: "CN", Admin: true},
	"alice": {UserID: "usr_alice", Region: "US"},
	"carol": {UserID: "usr_carol", Region: "CN"},
}

type api struct {
	t   *testing.T
	srv *httptest.Server
}

// do sends a request as token and decodes a JSON answer into out.
func (a api) do(method, path, token, body string, out any) (int, string) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode, string(b)
}

func newAPI(t *testing.T) (api, *trust.Service) {
	s := newService(t, dbtest.SQLite(t, sets...), trust.Config{})
	mux := http.NewServeMux()
	(&trust.Handler{Service: s, Auth: &httpx.Auth{Authn: people}}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return api{t, srv}, s
}

func TestAdminRoutesRefuseOthers(t *testing.T) {
	t.Parallel()
	a, _ := newAPI(t)
	routes := []struct{ method, path string }{
		{"POST", "/api/v1/admin/policies"},
		{"GET", "/api/v1/admin/policies"},
		{"GET", "/api/v1/admin/policies/pol_x"},
		{"POST", "/api/v1/admin/policies/pol_x/cancel"},
		{"DELETE", "/api/v1/admin/policies/pol_x"},
		{"GET", "/api/v1/admin/audit"},
		{"GET", "/api/v1/admin/audit/checkpoint"},
		{"GET", "/api/v1/admin/audit/key"},
		{"GET", "/api/v1/admin/audit/proof?index=0&size=1"},
		{"GET", "/api/v1/admin/audit/consistency?old=1&new=1"},
		{"GET", "/api/v1/admin/audit/verify"},
	}
	for _, r := range routes {
		var e httpx.ErrorBody
		if st, body := a.do(r.method, r.path, "alice", `{}`, &e); st != http.StatusForbidden || e.Error.Code != errs.Forbidden {
			t.Errorf("%s %s as a user: %d %s", r.method, r.path, st, body)
		}
		if st, _ := a.do(r.method, r.path, "", `{}`, nil); st != http.StatusUnauthorized {
			t.Errorf("%s %s signed out: %d", r.method, r.path, st)
		}
	}
	if st, _ := a.do("GET", "/api/v1/notices", "", "", nil); st != http.StatusUnauthorized {
		t.Errorf("notices signed out: %d", st)
	}
}

func TestPolicyAndAuditRoutes(t *testing.T) {
	t.Parallel()
	a, _ := newAPI(t)
	eff := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	good := `{"kind":"block","target_type":"app","target_id":"wx_gadget","regions":["US"],"scopes":["distribution","hosting","payments"],
		"effective_at":"` + eff + `","reason":"Order of 18 September 2020","legal_ref":"EO 13943"}`

	bad := []struct {
		name, body string
		status     int
		code       string
		field      string
	}{
		{"unknown_kind", strings.Replace(good, `"block"`, `"allow"`, 1), 400, errs.InvalidArgument, "kind"},
		{"unknown_region", strings.Replace(good, `["US"]`, `["ZZ"]`, 1), 400, errs.InvalidArgument, "regions"},
		{"unknown_scope", strings.Replace(good, `"payments"`, `"refunds"`, 1), 400, errs.InvalidArgument, "scopes"},
		{"unknown_target_type", strings.Replace(good, `"app"`, `"planet"`, 1), 400, errs.InvalidArgument, "target_type"},
		{"expires_before_effective", strings.Replace(good, `"reason"`, `"expires_at":"2001-01-01T00:00:00Z","reason"`, 1), 400, errs.InvalidArgument, "expires_at"},
		{"missing_target", strings.Replace(good, `wx_gadget`, `wx_nope`, 1), 404, errs.NotFound, ""},
		{"unknown_field", strings.Replace(good, `"kind"`, `"kinds":1,"kind"`, 1), 400, errs.InvalidArgument, ""},
	}
	for _, c := range bad {
		var e httpx.ErrorBody
		st, body := a.do("POST", "/api/v1/admin/policies", "admin", c.body, &e)
		if st != c.status || e.Error.Code != c.code || (c.field != "" && e.Error.Field != c.field) {
			t.Errorf("%s: %d %s", c.name, st, body)
		}
	}
	var list struct {
		Items      []trust.Policy `json:"items"`
		NextCursor string         `json:"next_cursor"`
	}
	if st, body := a.do("GET", "/api/v1/admin/policies", "admin", "", &list); st != 200 || len(list.Items) != 0 {
		t.Fatalf("stored after refusals: %d %s", st, body)
	}

	var created struct{ Policy trust.Policy }
	if st, body := a.do("POST", "/api/v1/admin/policies", "admin", good, &created); st != 201 || created.Policy.State != trust.StateScheduled || created.Policy.ID == "" {
		t.Fatalf("create: %d %s", st, body)
	}
	id := created.Policy.ID
	var notices struct{ Items []trust.Notice }
	if st, body := a.do("GET", "/api/v1/notices", "alice", "", &notices); st != 200 || len(notices.Items) != 1 || notices.Items[0].PolicyID != id || notices.Items[0].TargetName != "Gadget Store" {
		t.Fatalf("alice's notices: %d %s", st, body)
	}
	if st, body := a.do("GET", "/api/v1/notices", "carol", "", &notices); st != 200 || len(notices.Items) != 0 || !strings.Contains(body, `"items":[]`) {
		t.Fatalf("carol's notices: %d %s", st, body)
	}
	if st, body := a.do("GET", "/api/v1/admin/policies?state=scheduled&target_id=wx_gadget", "admin", "", &list); st != 200 || len(list.Items) != 1 {
		t.Fatalf("list: %d %s", st, body)
	}
	if st, _ := a.do("GET", "/api/v1/admin/policies?state=stayed", "admin", "", nil); st != 400 {
		t.Fatalf("list by unknown state: %d", st)
	}
	var got struct{ Policy trust.Policy }
	if st, body := a.do("GET", "/api/v1/admin/policies/"+id, "admin", "", &got); st != 200 || got.Policy.ID != id || got.Policy.ExpiresAt != nil || !strings.Contains(body, `"expires_at":null`) {
		t.Fatalf("get: %d %s", st, body)
	}
	if st, _ := a.do("GET", "/api/v1/admin/policies/pol_nope", "admin", "", nil); st != 404 {
		t.Fatalf("get missing: %d", st)
	}
	var cancelled struct{ Policy trust.Policy }
	if st, body := a.do("POST", "/api/v1/admin/policies/"+id+"/cancel", "admin", `{"reason":"court order"}`, &cancelled); st != 200 || cancelled.Policy.State != trust.StateCancelled || cancelled.Policy.CancelReason != "court order" {
		t.Fatalf("cancel: %d %s", st, body)
	}
	if st, _ := a.do("DELETE", "/api/v1/admin/policies/"+id, "admin", "", nil); st != 409 {
		t.Fatalf("cancelling again: %d", st)
	}
	st, _ := a.do("POST", "/api/v1/admin/policies", "admin", good, &created)
	if st != 201 {
		t.Fatal(st)
	}
	if st, body := a.do("DELETE", "/api/v1/admin/policies/"+created.Policy.ID, "admin", "", &cancelled); st != 200 || cancelled.Policy.State != trust.StateCancelled {
		t.Fatalf("delete: %d %s", st, body)
	}

	// The audit log holds the four actions and verifies.
	var audit struct {
		Items      []trust.Record `json:"items"`
		NextCursor string         `json:"next_cursor"`
	}
	if st, body := a.do("GET", "/api/v1/admin/audit?limit=3", "admin", "", &audit); st != 200 || len(audit.Items) != 3 || audit.NextCursor != "2" || audit.Items[0].Action != "policy.created" {
		t.Fatalf("audit: %d %s", st, body)
	}
	if st, body := a.do("GET", "/api/v1/admin/audit?after=2", "admin", "", &audit); st != 200 || len(audit.Items) != 1 || audit.Items[0].Action != "policy.cancelled" || audit.NextCursor != "" {
		t.Fatalf("audit page 2: %d %s", st, body)
	}
	_, key := a.do("GET", "/api/v1/admin/audit/key", "admin", "", nil)
	_, cp := a.do("GET", "/api/v1/admin/audit/checkpoint", "admin", "", nil)
	head, err := trust.OpenCheckpoint([]byte(cp), strings.TrimSpace(key))
	if err != nil || head.N != 4 {
		t.Fatalf("checkpoint %q with key %q: %v %v", cp, key, head, err)
	}
	var proof struct{ Proof []string }
	if st, body := a.do("GET", "/api/v1/admin/audit/proof?index=3&size=4", "admin", "", &proof); st != 200 {
		t.Fatalf("proof: %d %s", st, body)
	}
	hs, _ := trust.DecodeHashes(proof.Proof)
	leaf, _ := trust.DecodeHashes([]string{audit.Items[0].Hash})
	if err := tlog.CheckRecord(hs, 4, head.Hash, 3, leaf[0]); err != nil {
		t.Fatalf("inclusion proof over HTTP: %v", err)
	}
	if st, _ := a.do("GET", "/api/v1/admin/audit/proof?index=4&size=4", "admin", "", nil); st != 400 {
		t.Fatalf("proof out of range: %d", st)
	}
	if st, body := a.do("GET", "/api/v1/admin/audit/consistency?old=2&new=4", "admin", "", &proof); st != 200 || len(proof.Proof) == 0 {
		t.Fatalf("consistency: %d %s", st, body)
	}
	if st, _ := a.do("GET", "/api/v1/admin/audit/consistency?old=x&new=4", "admin", "", nil); st != 400 {
		t.Fatalf("consistency with a bad old: %d", st)
	}
	var v trust.Verification
	if st, body := a.do("GET", "/api/v1/admin/audit/verify", "admin", "", &v); st != 200 || !v.OK || v.Entries != 4 || v.Head == "" {
		t.Fatalf("verify: %d %s", st, body)
	}
}

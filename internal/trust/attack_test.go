package trust_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// Cancels of one policy raced on two nodes (one PostgreSQL): exactly one
// succeeds, the others are conflicts (never an internal error), and the
// audit log holds one cancellation.
func TestParallelCancelsOnTwoNodes(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	ctx := context.Background()
	key := testKey(t)
	var svcs []*trust.Service
	for range 2 {
		db, err := sqldb.Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx, quiet, sets...); err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, newService(t, db, trust.Config{AuditKey: key, AuditOrigin: "plaza.test/audit"}))
	}
	for round := range 3 {
		p, err := svcs[0].Create(ctx, "usr_admin", gadgetBan(time.Now().Add(time.Duration(round-1)*time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		var (
			wg             sync.WaitGroup
			mu             sync.Mutex
			ok, conflicts  int
			start          = make(chan struct{})
			cancelledAtSet = map[time.Time]bool{}
		)
		for i := range 16 {
			wg.Go(func() {
				<-start
				got, err := svcs[i%2].Cancel(ctx, "usr_admin", p.ID, "court order")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
					cancelledAtSet[*got.CancelledAt] = true
				case errs.Is(err, errs.Conflict):
					conflicts++
				default:
					t.Errorf("cancel %d: %v", i, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if ok != 1 || conflicts != 15 {
			t.Fatalf("round %d: %d cancelled, %d conflicts", round, ok, conflicts)
		}
		items, _, err := svcs[1].Entries(ctx, -1, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, it := range items {
			if it.Action == "policy.cancelled" && it.Target == "policy:"+p.ID {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("round %d: %d cancellations logged", round, n)
		}
		got, _ := svcs[1].Get(ctx, p.ID)
		if got.State != trust.StateCancelled || !cancelledAtSet[*got.CancelledAt] {
			t.Fatalf("round %d: stored %+v", round, got)
		}
	}
	if v, err := svcs[0].Verify(ctx); err != nil || !v.OK {
		t.Fatalf("verify %+v %v", v, err)
	}
}

// What an attacker might send the policy routes: bodies past the limit,
// a million regions, ids that are not policies, cancel reasons past the
// limit. Each is refused with the contract's error and stores nothing.
func TestPolicyRoutesRefuseAbuse(t *testing.T) {
	t.Parallel()
	a, s := newAPI(t)
	ctx := context.Background()
	eff := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	good := `{"kind":"block","target_type":"app","target_id":"wx_gadget","regions":["US"],"scopes":["distribution"],
		"effective_at":"` + eff + `","reason":"Order"}`
	huge := strings.Replace(good, `"Order"`, `"`+strings.Repeat("x", httpx.MaxBody)+`"`, 1)
	manyRegions := strings.Replace(good, `["US"]`, `[`+strings.Repeat(`"US",`, 200_000)+`"ZZ"]`, 1)
	longReason := strings.Replace(good, `"Order"`, `"`+strings.Repeat("é", 1001)+`"`, 1)
	nul := strings.Replace(good, `wx_gadget`, `wx_gadget\u0000`, 1)
	for _, c := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"past_the_body_limit", huge, http.StatusRequestEntityTooLarge, errs.PayloadTooLarge},
		{"many_regions_one_bad", manyRegions, 400, errs.InvalidArgument},
		{"reason_too_long", longReason, 400, errs.InvalidArgument},
		{"nul_in_target", nul, 404, errs.NotFound},
		{"two_objects", good + good, 400, errs.InvalidArgument},
		{"array", `[` + good + `]`, 400, errs.InvalidArgument},
	} {
		var e httpx.ErrorBody
		if st, body := a.do("POST", "/api/v1/admin/policies", "admin", c.body, &e); st != c.status || e.Error.Code != c.code {
			t.Errorf("%s: %d %.200s", c.name, st, body)
		}
	}
	if items, _, _ := s.List(ctx, trust.ListFilter{}); len(items) != 0 {
		t.Fatalf("refusals stored %d policies", len(items))
	}
	var created struct{ Policy trust.Policy }
	if st, body := a.do("POST", "/api/v1/admin/policies", "admin", good, &created); st != 201 {
		t.Fatalf("create: %d %s", st, body)
	}
	id := created.Policy.ID
	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/api/v1/admin/policies/" + id + "/cancel", `{"reason":"` + strings.Repeat("x", 1001) + `"}`, 400},
		{"POST", "/api/v1/admin/policies/" + id + "/cancel", strings.Repeat(" ", httpx.MaxBody+1), http.StatusRequestEntityTooLarge},
		{"POST", "/api/v1/admin/policies/" + id + "/cancel", `{"reason":"x","state":"active"}`, 400},
		{"DELETE", "/api/v1/admin/policies/" + id, `not json`, 400},
		{"POST", "/api/v1/admin/policies/pol_someone_elses/cancel", `{"reason":"x"}`, 404},
		{"POST", "/api/v1/admin/policies/..%2F" + id + "/cancel", `{"reason":"x"}`, 404},
		{"GET", "/api/v1/admin/policies?cursor=%27%20OR%201%3D1--", "", 200},
	} {
		if st, body := a.do(c.method, c.path, "admin", c.body, nil); st != c.status {
			t.Errorf("%s %s: %d %.200s", c.method, c.path, st, body)
		}
	}
	if got, _ := s.Get(ctx, id); got.State != trust.StateScheduled {
		t.Fatalf("the policy is %s after refused cancels", got.State)
	}
	items, _, _ := s.Entries(ctx, -1, 100)
	if len(items) != 1 || items[0].Action != "policy.created" {
		t.Fatalf("audit after refusals: %+v", items)
	}
}

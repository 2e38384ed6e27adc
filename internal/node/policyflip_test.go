package node_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/trust"
)

// twoNodes starts two nodes on one PostgreSQL database and one NATS
// (PLAZA_TEST_NATS), as an installation of two would run.
func twoNodes(t testing.TB) (*node.Node, *node.Node) {
	t.Helper()
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	db := dbtest.PostgresURL(t)
	o := nodetest.Options{DBURL: db, NATS: natsURL, Prefix: "flip" + ids.Token(6)}
	return nodetest.Start(t, o), nodetest.Start(t, o)
}

func adminOn(t testing.TB, n *node.Node, username string) *nodetest.Client {
	t.Helper()
	if _, err := n.Accounts.CreateAdmin(context.Background(), username, "sturdy-pass-1", "CN"); err != nil {
		t.Fatal(err)
	}
	c := nodetest.NewClient(n.URL())
	r := c.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": "sturdy-pass-1"})
	if r.Status != 200 {
		t.Fatalf("admin login: %d %s", r.Status, r.Body)
	}
	c.Token = r.Str("token")
	return c
}

// releasedApp makes, uploads, approves and releases an app on n.
func releasedApp(t testing.TB, n *node.Node, dev, adm *nodetest.Client) string {
	t.Helper()
	r := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Flip Store", "request_domains": []string{}})
	appid := r.Str("appid")
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, body := range map[string]string{
		"manifest.json": fmt.Sprintf(`{"app_id":%q,"name":"Flip Store","icons":[{"src":"icon.png"}],"pages":["pages/index"],
			"platform_version":{"min_code":1},"version":{"code":1,"name":"1.0"}}`, appid),
		"app.js": "", "app.css": "", "icon.png": "png", "pages/index.html": "<h1>Flip</h1>",
	} {
		f, _ := zw.Create(name)
		f.Write([]byte(body))
	}
	zw.Close()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("package", "app.zip")
	part.Write(zb.Bytes())
	mw.Close()
	for _, step := range []struct {
		c           *nodetest.Client
		method, url string
		body        any
		headers     []string
	}{
		{dev, "POST", "/api/v1/miniapps/" + appid + "/versions", body.Bytes(), []string{"Content-Type", mw.FormDataContentType()}},
		{dev, "POST", "/api/v1/miniapps/" + appid + "/versions/1/submit", nil, nil},
		{adm, "POST", "/api/v1/admin/miniapps/" + appid + "/versions/1/approve", nil, nil},
		{dev, "POST", "/api/v1/miniapps/" + appid + "/versions/1/release", nil, nil},
	} {
		if r := step.c.Do(t, step.method, step.url, step.body, step.headers...); r.Status/100 != 2 {
			t.Fatalf("%s: %d %s", step.url, r.Status, r.Body)
		}
	}
	return appid
}

// A policy created on node 1 through the API, effective in 2 s, is
// enforced through node 2's API from effective_at on (a US user's
// GET /miniapps/{appid} answers 404 within 1 s of it), and not before:
// no answer completed before effective_at is a refusal. A CN user sees no
// change.
func TestScheduledPolicyFlipsOnTheOtherNode(t *testing.T) {
	t.Parallel()
	n1, n2 := twoNodes(t)
	adm := adminOn(t, n1, "flipper")
	dev := nodetest.Signup(t, n1.URL(), "flipdev")
	appid := releasedApp(t, n1, dev, adm)
	us := nodetest.Signup(t, n2.URL(), "flipus") // region US
	cn := nodetest.NewClient(n2.URL())
	r := cn.Do(t, "POST", "/api/v1/auth/signup", map[string]string{"username": "flipcn", "password": "correct horse", "display_name": "Chen", "region": "CN"})
	cn.Token = r.Str("token")
	get := func(c *nodetest.Client) int { return c.Do(t, "GET", "/api/v1/miniapps/"+appid, nil).Status }
	if s1, s2 := get(us), get(cn); s1 != 200 || s2 != 200 {
		t.Fatalf("before any policy: US %d, CN %d", s1, s2)
	}
	eff := time.Now().Add(2 * time.Second).UTC().Truncate(time.Microsecond)
	r = adm.Do(t, "POST", "/api/v1/admin/policies", map[string]any{"kind": "block", "target_type": "app", "target_id": appid,
		"regions": []string{"US"}, "scopes": []string{"distribution"}, "effective_at": eff.Format(time.RFC3339Nano), "reason": "Order of the day"})
	if r.Status != 201 || r.Str("policy.state") != "scheduled" {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var firstRefusal, refusalSent, lastServedSent time.Time
	for {
		sent := time.Now()
		status := get(us)
		done := time.Now()
		switch {
		case status == 404 && done.Before(eff):
			t.Fatalf("refused %v before effective_at", eff.Sub(done))
		case status == 404:
			if firstRefusal.IsZero() {
				firstRefusal, refusalSent = done, sent
			}
		case status != 200:
			t.Fatalf("answer %d", status)
		case sent.After(eff.Add(time.Second)):
			t.Fatalf("still served %v after effective_at", sent.Sub(eff))
		case !firstRefusal.IsZero():
			t.Fatalf("served again %v after a refusal", done.Sub(firstRefusal))
		default:
			lastServedSent = sent
		}
		if !firstRefusal.IsZero() && done.Sub(firstRefusal) > 200*time.Millisecond {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("node 2: last request served was sent %v after effective_at; first refusal sent %v after, answered %v after",
		lastServedSent.Sub(eff), refusalSent.Sub(eff), firstRefusal.Sub(eff))
	if s := get(cn); s != 200 {
		t.Fatalf("CN user under a US ban: %d", s)
	}
}

// BenchmarkPolicyFlipLag measures how long after effective_at the last of
// two nodes (PostgreSQL + NATS) enforces a policy created on node 1 with
// effective_at 2 s ahead: both nodes' Check is polled from shortly before
// effective_at, and the later flip's lag is reported (p50 and max over
// b.N policies), with how long the policy took to reach node 2's index
// (propagation) and the polling's resolution (the widest gap between the
// last allowed and the first refused check of the later node). Run it with a fixed count, each policy takes 2 s:
//
//	go test ./internal/node -run '^$' -bench PolicyFlipLag -benchtime 10x
func BenchmarkPolicyFlipLag(b *testing.B) {
	n1, n2 := twoNodes(b)
	ctx := context.Background()
	var users []string
	for i := range b.N {
		c := nodetest.Signup(b, n1.URL(), fmt.Sprintf("flip%d", i))
		users = append(users, c.Do(b, "GET", "/api/v1/me", nil).Str("user.id"))
	}
	question := func(user string) trust.Question {
		return trust.Question{UserID: user, Region: "US", Target: trust.Target{Type: trust.TargetUser, ID: user}, Scope: trust.ScopeMessaging}
	}
	// Node 2 listens: a probe policy, in force at once, reaches it.
	probe, err := n1.Trust.Create(ctx, "usr_bench", trust.NewPolicy{Kind: "block", TargetType: trust.TargetUser, TargetID: users[0],
		Regions: []string{"DE"}, Scopes: []trust.Scope{trust.ScopeMessaging}, EffectiveAt: time.Now().Add(-time.Second), Reason: "probe"})
	if err != nil {
		b.Fatal(err)
	}
	de := question(users[0])
	de.Region = "DE"
	nodetest.WaitFor(b, 10*time.Second, func() bool { return n2.Trust.Check(ctx, de) != nil })
	if _, err := n1.Trust.Cancel(ctx, "usr_bench", probe.ID, "probe"); err != nil {
		b.Fatal(err)
	}
	var lags, gaps, props []float64
	b.ResetTimer()
	for i := range b.N {
		q := question(users[i])
		eff := time.Now().Add(2 * time.Second).Truncate(time.Microsecond)
		created := time.Now()
		p, err := n1.Trust.Create(ctx, "usr_bench", trust.NewPolicy{Kind: "block", TargetType: trust.TargetUser, TargetID: users[i],
			Regions: []string{"US"}, Scopes: []trust.Scope{trust.ScopeMessaging}, EffectiveAt: eff, Reason: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		for !slices.ContainsFunc(n2.Trust.Notices(ctx, users[i], "US"), func(nt trust.Notice) bool { return nt.PolicyID == p.ID }) {
			if time.Since(created) > 2*time.Second {
				b.Fatal("the policy did not reach node 2 before effective_at")
			}
			time.Sleep(100 * time.Microsecond)
		}
		props = append(props, ms(time.Since(created)))
		time.Sleep(time.Until(eff.Add(-50 * time.Millisecond)))
		// Each node's flip is between its last allowed check's start and
		// its first refused check's start: the lag is the latter, the
		// resolution their distance (scheduling on a loaded machine).
		flips, allowed := make([]time.Time, 2), make([]time.Time, 2)
		var wg sync.WaitGroup
		for k, n := range []*node.Node{n1, n2} {
			wg.Go(func() {
				for {
					now := time.Now()
					if err := n.Trust.Check(ctx, q); err != nil {
						if now.Before(eff) {
							b.Errorf("node %d blocked %v before effective_at", k+1, eff.Sub(now))
						}
						flips[k] = now
						return
					}
					allowed[k] = now
					if now.After(eff.Add(5 * time.Second)) {
						b.Errorf("node %d never flipped", k+1)
						return
					}
					time.Sleep(50 * time.Microsecond)
				}
			})
		}
		wg.Wait()
		k := 0
		if flips[1].After(flips[0]) {
			k = 1
		}
		lags = append(lags, ms(flips[k].Sub(eff)))
		gaps = append(gaps, ms(flips[k].Sub(allowed[k])))
	}
	b.StopTimer()
	slices.Sort(lags)
	slices.Sort(props)
	slices.Sort(gaps)
	b.ReportMetric(lags[len(lags)/2], "flip_lag_p50_ms")
	b.ReportMetric(lags[len(lags)-1], "flip_lag_max_ms")
	b.ReportMetric(gaps[len(gaps)-1], "resolution_max_ms")
	b.ReportMetric(props[len(props)/2], "propagation_p50_ms")
	b.ReportMetric(props[len(props)-1], "propagation_max_ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

package miniapp_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
)

// pkgWith is a package whose manifest carries a description.
func pkgWith(appid string, code int, description string) []byte {
	files := map[string]string{
		"manifest.json": fmt.Sprintf(`{"app_id":%q,"name":"Queue App","description":%q,"icons":[{"src":"icon.png"}],"pages":["pages/index"],
			"platform_version":{"min_code":1},"version":{"code":%d,"name":"2.%d"}}`, appid, description, code, code),
		"app.js": "", "app.css": "", "icon.png": "png", "pages/index.html": "<h1>Queue</h1>",
	}
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range files {
		f, _ := w.Create(name)
		f.Write([]byte(body))
	}
	w.Close()
	return b.Bytes()
}

func reviewItems(t *testing.T, r *nodetest.Response) []map[string]any {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("reviews: %d %s", r.Status, r.Body)
	}
	raw, _ := r.Get("items").([]any)
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
	}
	return out
}

func keys(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprintf("%s/%v", it["app_name"], it["version"]))
	}
	return out
}

func same(a []string, b ...string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// The review queue: pending oldest submitted first, reviewed ones most
// recently reviewed first, paged by cursor, filtered by state, for
// administrators only; a decision moves a version from pending to its
// state.
func TestReviewQueue(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "queuedev")
		adm := admin(t, n)
		other := nodetest.Signup(t, n.URL(), "nosy")
		me := adm.Do(t, "GET", "/api/v1/me", nil)
		adminID := me.Str("user.id")
		sizes := map[string]int{}
		var apps []string
		for _, name := range []string{"Alpha", "Beta", "Gamma"} {
			r := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": name, "request_domains": []string{}})
			appid := r.Str("appid")
			apps = append(apps, appid)
			data := pkgWith(appid, 1, name+" does things")
			sizes[name] = len(data)
			if r := upload(t, dev, appid, data); r.Status != 201 {
				t.Fatalf("upload: %d %s", r.Status, r.Body)
			}
		}
		// Submitted Gamma, Alpha, Beta; Alpha's version 2 is uploaded only.
		upload(t, dev, apps[0], pkgWith(apps[0], 2, ""))
		for _, i := range []int{2, 0, 1} {
			if r := dev.Do(t, "POST", "/api/v1/miniapps/"+apps[i]+"/versions/1/submit", nil); r.Status != 200 {
				t.Fatalf("submit: %d %s", r.Status, r.Body)
			}
		}
		const base = "/api/v1/admin/miniapp-reviews"
		// Administrators only.
		if r := other.Do(t, "GET", base, nil); r.Status != 403 || r.Code() != "forbidden" {
			t.Fatalf("a user listed reviews: %d %s", r.Status, r.Body)
		}
		if r := nodetest.NewClient(n.URL()).Do(t, "GET", base, nil); r.Status != 401 {
			t.Fatalf("anonymous: %d", r.Status)
		}
		for _, q := range []string{"?state=released", "?state=PENDING", "?cursor=nonsense", "?limit=0"} {
			if r := adm.Do(t, "GET", base+q, nil); r.Status != 400 || r.Code() != "invalid_argument" {
				t.Fatalf("%s: %d %s", q, r.Status, r.Body)
			}
		}
		// Pending is the default: oldest submitted first, two a page.
		p1 := adm.Do(t, "GET", base+"?limit=2", nil)
		items := reviewItems(t, p1)
		if !same(keys(items), "Gamma/1", "Alpha/1") || p1.Str("next_cursor") == "" {
			t.Fatalf("first page: %v next %q", keys(items), p1.Str("next_cursor"))
		}
		g := items[0]
		dv, _ := g["developer"].(map[string]any)
		if g["appid"] != apps[2] || g["state"] != "pending" || g["version_name"] != "2.1" || g["submitted_at"] == nil ||
			g["reviewed_at"] != nil || g["reviewed_by"] != "" || g["reason"] != "" || g["description"] != "Gamma does things" ||
			int(g["size"].(float64)) != sizes["Gamma"] || dv["username"] != "queuedev" || dv["display_name"] != "Queuedev" || dv["id"] == "" {
			t.Fatalf("item: %v", g)
		}
		p2 := adm.Do(t, "GET", base+"?state=pending&limit=2&cursor="+p1.Str("next_cursor"), nil)
		if items := reviewItems(t, p2); !same(keys(items), "Beta/1") || p2.Str("next_cursor") != "" {
			t.Fatalf("second page: %v next %q", keys(items), p2.Str("next_cursor"))
		}
		// Decisions move versions out of pending.
		if r := adm.Do(t, "POST", "/api/v1/admin/miniapps/"+apps[1]+"/versions/1/approve", nil); r.Status != 200 {
			t.Fatalf("approve: %d %s", r.Status, r.Body)
		}
		if r := adm.Do(t, "POST", "/api/v1/admin/miniapps/"+apps[2]+"/versions/1/reject", map[string]string{"reason": "No icon"}); r.Status != 200 {
			t.Fatalf("reject: %d %s", r.Status, r.Body)
		}
		if r := adm.Do(t, "POST", "/api/v1/admin/miniapps/"+apps[0]+"/versions/1/approve", map[string]string{"reason": "Fine"}); r.Status != 200 {
			t.Fatalf("approve: %d %s", r.Status, r.Body)
		}
		if items := reviewItems(t, adm.Do(t, "GET", base, nil)); len(items) != 0 {
			t.Fatalf("pending after the decisions: %v", keys(items))
		}
		approved := reviewItems(t, adm.Do(t, "GET", base+"?state=approved", nil))
		if !same(keys(approved), "Alpha/1", "Beta/1") {
			t.Fatalf("approved, most recent first: %v", keys(approved))
		}
		a := approved[0]
		if a["state"] != "approved" || a["reviewed_by"] != adminID || a["reviewed_at"] == nil || a["reason"] != "Fine" {
			t.Fatalf("approved item: %v", a)
		}
		if rv, _ := a["reviewer"].(map[string]any); rv == nil || rv["id"] != adminID || rv["username"] == "" {
			t.Fatalf("approved item's reviewer: %v", a["reviewer"])
		}
		a1 := adm.Do(t, "GET", base+"?state=approved&limit=1", nil)
		a2 := adm.Do(t, "GET", base+"?state=approved&limit=1&cursor="+a1.Str("next_cursor"), nil)
		if !same(keys(reviewItems(t, a1)), "Alpha/1") || !same(keys(reviewItems(t, a2)), "Beta/1") || a2.Str("next_cursor") != "" {
			t.Fatalf("approved pages: %s / %s", a1.Body, a2.Body)
		}
		rejected := reviewItems(t, adm.Do(t, "GET", base+"?state=rejected", nil))
		if !same(keys(rejected), "Gamma/1") || rejected[0]["reason"] != "No icon" || rejected[0]["state"] != "rejected" {
			t.Fatalf("rejected: %v", rejected)
		}
		// A decided version cannot be decided again.
		if r := adm.Do(t, "POST", "/api/v1/admin/miniapps/"+apps[1]+"/versions/1/reject", map[string]string{"reason": "changed my mind"}); r.Status != 409 {
			t.Fatalf("a second decision: %d %s", r.Status, r.Body)
		}
		// Sent again after a rejection, it is pending afresh, not reviewed.
		if r := dev.Do(t, "POST", "/api/v1/miniapps/"+apps[2]+"/versions/1/submit", nil); r.Status != 200 {
			t.Fatalf("resubmit: %d %s", r.Status, r.Body)
		}
		pending := reviewItems(t, adm.Do(t, "GET", base, nil))
		if !same(keys(pending), "Gamma/1") || pending[0]["reviewed_at"] != nil || pending[0]["reason"] != "" || pending[0]["reviewed_by"] != "" {
			t.Fatalf("resubmitted: %v", pending)
		}
		if items := reviewItems(t, adm.Do(t, "GET", base+"?state=rejected", nil)); len(items) != 0 {
			t.Fatalf("still rejected: %v", keys(items))
		}
	})
}

// Approvals and rejections of one version raced on two nodes (one
// PostgreSQL): one decision wins, the others are conflicts, and the audit
// log records one decision.
func TestParallelReviewsOnTwoNodes(t *testing.T) {
	t.Parallel()
	db := dbtest.PostgresURL(t)
	n1 := nodetest.Start(t, nodetest.Options{DBURL: db})
	n2 := nodetest.Start(t, nodetest.Options{DBURL: db})
	dev := nodetest.Signup(t, n1.URL(), "racedev")
	adm1 := admin(t, n1)
	adm2 := &nodetest.Client{Base: n2.URL(), Token: adm1.Token, HTTP: adm1.HTTP}
	var apps []string
	for _, name := range []string{"Race", "Sentinel"} {
		r := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": name, "request_domains": []string{}})
		appid := r.Str("appid")
		upload(t, dev, appid, pkgWith(appid, 1, ""))
		if r := dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/versions/1/submit", nil); r.Status != 200 {
			t.Fatalf("submit: %d %s", r.Status, r.Body)
		}
		apps = append(apps, appid)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		winner   string
		start    = make(chan struct{})
	)
	for i := range 12 {
		wg.Go(func() {
			c, verb := []*nodetest.Client{adm1, adm2}[i%2], []string{"approve", "reject"}[i/2%2]
			<-start
			r := c.Do(t, "POST", "/api/v1/admin/miniapps/"+apps[0]+"/versions/1/"+verb, map[string]string{"reason": "race " + verb})
			mu.Lock()
			defer mu.Unlock()
			statuses[r.Status]++
			if r.Status == 200 {
				winner = r.Str("version.status")
			}
		})
	}
	close(start)
	wg.Wait()
	if statuses[200] != 1 || statuses[409] != 11 {
		t.Fatalf("answers %v", statuses)
	}
	items := reviewItems(t, adm2.Do(t, "GET", "/api/v1/admin/miniapp-reviews?state="+winner, nil))
	if len(items) != 1 || items[0]["appid"] != apps[0] || items[0]["reason"] != "race "+map[string]string{"approved": "approve", "rejected": "reject"}[winner] {
		t.Fatalf("the %s list: %v", winner, items)
	}
	if r := adm1.Do(t, "POST", "/api/v1/admin/miniapps/"+apps[1]+"/versions/1/approve", nil); r.Status != 200 {
		t.Fatalf("sentinel: %d %s", r.Status, r.Body)
	}
	count := func(target string) int {
		recs, _, err := n1.Trust.Entries(context.Background(), -1, 1000)
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for _, rec := range recs {
			if strings.HasPrefix(rec.Action, "miniapp.version_") && rec.Target == "app:"+target {
				k++
			}
		}
		return k
	}
	nodetest.WaitFor(t, 10*time.Second, func() bool { return count(apps[1]) == 1 })
	if k := count(apps[0]); k != 1 {
		t.Fatalf("%d decisions logged for one version", k)
	}
}

package miniapp_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// appGet fetches path on the apps origin of label.
func appGet(t *testing.T, n *node.Node, label, path string) (int, string) {
	t.Helper()
	_, port, _ := strings.Cut(strings.TrimPrefix(n.URL(), "http://"), ":")
	req, _ := http.NewRequest("GET", n.URL()+path, nil)
	req.Host = label + ".apps.localhost:" + port
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// H1: a tester is named only by the app's developer; the reserved scope
// plaza.tester can no longer be granted through the consents endpoint, and
// grants made that way before count for nothing.
func TestTestersOnlyByTheDeveloper(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		tester := nodetest.Signup(t, n.URL(), "tester")
		stranger := nodetest.Signup(t, n.URL(), "stranger")
		appid := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Beta", "request_domains": []string{}}).Str("appid")
		upload(t, dev, appid, pkg(appid, 1))
		released, _ := released(t, n, dev, admin(t, n))
		trialOf := func(c *nodetest.Client) int {
			return c.Do(t, "GET", "/api/v1/miniapps/"+appid+"/versions/1/trial", nil).Status
		}
		for _, scope := range []string{"plaza.tester", "Plaza.Tester", "plaza.admin"} {
			for _, app := range []string{appid, released} {
				if r := stranger.Do(t, "PUT", "/api/v1/miniapps/"+app+"/consents/"+scope, nil); r.Status != 403 || r.Code() != "forbidden" {
					t.Fatalf("granting %s to %s: %d %s", scope, app, r.Status, r.Body)
				}
			}
		}
		if s := trialOf(stranger); s != 404 {
			t.Fatalf("a stranger got a trial: %d", s)
		}
		// A grant made through the old path (before this version) is ignored.
		strangerID := stranger.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		if _, err := n.DB.Exec(context.Background(), `INSERT INTO miniapp_consents (user_id, appid, scope, granted_at) VALUES (?, ?, 'plaza.tester', 1)`, strangerID, appid); err != nil {
			t.Fatal(err)
		}
		if s := trialOf(stranger); s != 404 {
			t.Fatalf("an old plaza.tester consent still opens trials: %d", s)
		}
		cases := []struct {
			name   string
			who    *nodetest.Client
			method string
			path   string
			body   any
			status int
		}{
			{"stranger_adds_themselves", stranger, "POST", "/testers", map[string]string{"username": "stranger"}, 404},
			{"stranger_lists", stranger, "GET", "/testers", nil, 404},
			{"stranger_removes", stranger, "DELETE", "/testers/tester", nil, 404},
			{"no_username", dev, "POST", "/testers", map[string]string{}, 400},
			{"no_such_user", dev, "POST", "/testers", map[string]string{"username": "nobody"}, 404},
			{"ok", dev, "POST", "/testers", map[string]string{"username": "tester"}, 201},
			{"again", dev, "POST", "/testers", map[string]string{"username": "tester"}, 201},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if r := tc.who.Do(t, tc.method, "/api/v1/miniapps/"+appid+tc.path, tc.body); r.Status != tc.status {
					t.Fatalf("got %d %s, want %d", r.Status, r.Body, tc.status)
				}
			})
		}
		if r := stranger.Do(t, "POST", "/api/v1/miniapps/mpnosuchapp0000000/testers", map[string]string{"username": "stranger"}); r.Status != 404 {
			t.Fatalf("an unknown app: %d", r.Status)
		}
		list := dev.Do(t, "GET", "/api/v1/miniapps/"+appid+"/testers", nil)
		if items := list.Get("items").([]any); len(items) != 1 || items[0].(map[string]any)["username"] != "tester" {
			t.Fatalf("testers: %s", list.Body)
		}
		mine := tester.Do(t, "GET", "/api/v1/me/miniapps/testing", nil)
		if items := mine.Get("items").([]any); len(items) != 1 || items[0].(map[string]any)["appid"] != appid || items[0].(map[string]any)["name"] != "Beta" {
			t.Fatalf("testing: %s", mine.Body)
		}
		if r := stranger.Do(t, "GET", "/api/v1/me/miniapps/testing", nil); len(r.Get("items").([]any)) != 0 {
			t.Fatalf("the stranger tests something: %s", r.Body)
		}
		if s := trialOf(tester); s != 200 {
			t.Fatalf("the tester's trial: %d", s)
		}
		if r := dev.Do(t, "DELETE", "/api/v1/miniapps/"+appid+"/testers/tester", nil); r.Status != 204 {
			t.Fatalf("removing: %d %s", r.Status, r.Body)
		}
		if s := trialOf(tester); s != 404 {
			t.Fatalf("a removed tester's trial: %d", s)
		}
		// A tester may also leave on their own.
		dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/testers", map[string]string{"username": "tester"})
		if r := tester.Do(t, "DELETE", "/api/v1/me/miniapps/testing/"+appid, nil); r.Status != 204 || trialOf(tester) != 404 {
			t.Fatalf("leaving: %d", r.Status)
		}
	})
}

// H2: a trial opens only for its testers — the apps host serves no page of
// it without a launch the client got for a tester — and every bridge call
// from it is authorised for that version. A released app is unchanged.
func TestTrialOnlyForTesters(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		tester := nodetest.Signup(t, n.URL(), "tester")
		stranger := nodetest.Signup(t, n.URL(), "stranger")
		adm := admin(t, n)
		appid, _ := released(t, n, dev, adm)
		// Version 2 is rejected; a trial of it is what an attacker would send.
		upload(t, dev, appid, pkg(appid, 2))
		dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/versions/2/submit", nil)
		adm.Do(t, "POST", "/api/v1/admin/miniapps/"+appid+"/versions/2/reject", map[string]string{"reason": "Phishing"})
		dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/testers", map[string]string{"username": "tester"})
		tr := tester.Do(t, "GET", "/api/v1/miniapps/"+appid+"/versions/2/trial", nil)
		label := tr.Str("label")
		if tr.Status != 200 || !strings.HasPrefix(label, appid+"--v2--") || !strings.Contains(tr.Str("open_url"), "trial="+label) {
			t.Fatalf("trial: %d %s", tr.Status, tr.Body)
		}
		q := "?trial=" + url.QueryEscape(label)
		base := "/api/v1/miniapps/" + appid

		// Launches: the developer's and the tester's; nobody else's.
		if r := stranger.Do(t, "POST", base+"/trial-launch", map[string]string{"label": label}); r.Status != 404 || r.Code() != "not_found" {
			t.Fatalf("a stranger got a launch: %d %s", r.Status, r.Body)
		}
		launch := tester.Do(t, "POST", base+"/trial-launch", map[string]string{"label": label})
		token := launch.Str("launch")
		if launch.Status != 200 || token == "" || launch.Str("expires_at") == "" || launch.Get("trial.code").(float64) != 2 || launch.Str("trial.status") != "rejected" {
			t.Fatalf("launch: %d %s", launch.Status, launch.Body)
		}
		if r := dev.Do(t, "POST", base+"/trial-launch", map[string]string{"label": label}); r.Status != 200 {
			t.Fatalf("the developer's launch: %d", r.Status)
		}
		if r := tester.Do(t, "POST", "/api/v1/miniapps/mpother000000000/trial-launch", map[string]string{"label": label}); r.Status != 404 {
			t.Fatalf("a label under another appid: %d", r.Status)
		}

		// The apps host: the page only with a valid launch; a clear refusal otherwise.
		for name, path := range map[string]string{"no_launch": "/", "page_no_launch": "/pages/index", "page_html": "/pages/index.html",
			"forged_launch": "/?plaza_launch=zzzzzz.aaaaaaaaaaaaaaaa", "another_labels_launch": "/?plaza_launch=" + url.QueryEscape(strings.Replace(token, ".", ".x", 1))} {
			status, body := appGet(t, n, label, path)
			if status != 403 || strings.Contains(body, "Gadgets") || strings.Contains(body, "sdk.js") || !strings.Contains(body, "trial-refused") {
				t.Fatalf("%s: %d %s", name, status, body)
			}
		}
		if status, body := appGet(t, n, label, "/?plaza_launch="+url.QueryEscape(token)); status != 200 || !strings.Contains(body, "Gadgets") {
			t.Fatalf("the tester's launch: %d %s", status, body)
		}
		if status, body := appGet(t, n, label, "/pages/index?plaza_launch="+url.QueryEscape(token)); status != 200 || !strings.Contains(body, "sdk.js") {
			t.Fatalf("a page with the launch: %d %s", status, body)
		}

		// The bridge, from the trial: the tester yes, the stranger nothing.
		bridge := []struct{ method, path string }{
			{"GET", ""}, {"POST", "/code"}, {"GET", "/consents"}, {"PUT", "/consents/userInfo"}, {"GET", "/profile"},
			{"GET", "/storage/cart"}, {"PUT", "/storage/cart"}, {"DELETE", "/storage/cart"}, {"POST", "/payment-request"},
		}
		for _, b := range bridge {
			var body any
			if b.method == "PUT" && strings.Contains(b.path, "storage") {
				body = map[string]any{"value": 1}
			}
			if b.path == "/payment-request" {
				body = map[string]string{"timeStamp": "1", "nonceStr": "n", "package": "prepay_id=x", "signType": "RSA", "paySign": "x"}
			}
			if r := stranger.Do(t, b.method, base+b.path+q, body); r.Status != 404 {
				t.Errorf("stranger %s %s from the trial: %d %s", b.method, b.path, r.Status, r.Body)
			}
		}
		if r := tester.Do(t, "POST", base+"/code"+q, nil); r.Status != 200 || r.Str("code") == "" {
			t.Fatalf("the tester's login: %d %s", r.Status, r.Body)
		}
		if r := tester.Do(t, "GET", base+q, nil); r.Status != 200 || r.Str("trial.label") != label || r.Str("trial.status") != "rejected" || r.Get("trial.code").(float64) != 2 {
			t.Fatalf("the tester's app: %d %s", r.Status, r.Body)
		}
		if r := tester.Do(t, "PUT", base+"/storage/cart"+q, map[string]any{"value": 1}); r.Status != 204 {
			t.Fatalf("the tester's storage: %d %s", r.Status, r.Body)
		}
		// A canonical label only (L12): v02 and v+2 name no trial.
		for _, bad := range []string{strings.Replace(label, "--v2--", "--v02--", 1), strings.Replace(label, "--v2--", "--v+2--", 1)} {
			if r := tester.Do(t, "GET", base+"?trial="+url.QueryEscape(bad), nil); r.Status != 404 {
				t.Fatalf("label %s: %d", bad, r.Status)
			}
			if status, _ := appGet(t, n, bad, "/app.js"); status != 404 {
				t.Fatalf("label %s served %d", bad, status)
			}
		}

		// The released app is unchanged, for anyone.
		if r := stranger.Do(t, "POST", base+"/code", nil); r.Status != 200 || r.Str("code") == "" {
			t.Fatalf("released login: %d %s", r.Status, r.Body)
		}
		if r := stranger.Do(t, "GET", base, nil); r.Status != 200 || r.Get("trial") != nil {
			t.Fatalf("released app: %d %s", r.Status, r.Body)
		}
		if r := stranger.Do(t, "PUT", base+"/storage/cart", map[string]any{"value": 2}); r.Status != 204 {
			t.Fatalf("released storage: %d", r.Status)
		}
		if status, body := appGet(t, n, appid, "/"); status != 200 || !strings.Contains(body, "Gadgets") {
			t.Fatalf("released page: %d", status)
		}
		// An unreleased app has no released version to run, even for its developer.
		draft := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Draft", "request_domains": []string{}}).Str("appid")
		upload(t, dev, draft, pkg(draft, 1))
		if r := dev.Do(t, "POST", "/api/v1/miniapps/"+draft+"/code", nil); r.Status != 404 {
			t.Fatalf("an unreleased app without its trial label: %d", r.Status)
		}
		if status, _ := appGet(t, n, draft, "/"); status != 404 {
			t.Fatalf("an unreleased app served without a trial label: %d", status)
		}
	})
}

// L6: trial pages come from the package cache, not a fresh inflate each.
func TestTrialPagesAreCached(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		appid := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Beta", "request_domains": []string{}}).Str("appid")
		upload(t, dev, appid, pkg(appid, 1))
		label := dev.Do(t, "GET", "/api/v1/miniapps/"+appid+"/versions/1/trial", nil).Str("label")
		token := dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/trial-launch", map[string]string{"label": label}).Str("launch")
		before := n.MiniApps.PackagesRead()
		for i := range 20 {
			if status, _ := appGet(t, n, label, fmt.Sprintf("/pages/index?plaza_launch=%s&i=%d", url.QueryEscape(token), i)); status != 200 {
				t.Fatalf("page: %d", status)
			}
		}
		if read := n.MiniApps.PackagesRead() - before; read > 1 {
			t.Fatalf("20 trial pages inflated the package %d times", read)
		}
	})
}

// L11: version.code has an upper bound.
func TestVersionCodeBound(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		appid := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Beta", "request_domains": []string{}}).Str("appid")
		for _, code := range []int64{1 << 31, 1<<63 - 1} {
			r := upload(t, dev, appid, pkgCode(appid, code))
			if r.Status != 400 || !strings.Contains(r.Str("error.message"), "version.code") {
				t.Fatalf("code %d: %d %s", code, r.Status, r.Body)
			}
		}
		if r := upload(t, dev, appid, pkgCode(appid, 1<<31-1)); r.Status != 201 {
			t.Fatalf("the largest code: %d %s", r.Status, r.Body)
		}
	})
}

// A trial's files other than its pages open for anyone with the label (its
// pages' scripts and styles load without the launch), but never as a
// document: an HTML or SVG file outside pages/ of a rejected build is not
// a way to run it for someone who is not a tester.
func TestTrialFilesAreNoDocuments(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		dev := nodetest.Signup(t, n.URL(), "developer")
		appid := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Beta", "request_domains": []string{}}).Str("appid")
		var b bytes.Buffer
		w := zip.NewWriter(&b)
		for name, body := range map[string]string{
			"manifest.json": fmt.Sprintf(`{"app_id":%q,"name":"Beta","icons":[{"src":"icon.png"}],"pages":["pages/index"],
				"platform_version":{"min_code":1},"version":{"code":1,"name":"1.0.1"}}`, appid),
			"app.js": "", "app.css": "", "icon.png": "png", "pages/index.html": "<h1>Beta</h1>",
			"evil.html": "<h1>Phish</h1>", "pages/evil.svg": `<svg xmlns="http://www.w3.org/2000/svg"><script href="/app.js"/></svg>`,
		} {
			f, _ := w.Create(name)
			f.Write([]byte(body))
		}
		w.Close()
		if r := upload(t, dev, appid, b.Bytes()); r.Status != 201 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		label := dev.Do(t, "GET", "/api/v1/miniapps/"+appid+"/versions/1/trial", nil).Str("label")
		_, port, _ := strings.Cut(strings.TrimPrefix(n.URL(), "http://"), ":")
		for _, path := range []string{"/evil.html", "/pages/evil.svg", "/app.js"} {
			req, _ := http.NewRequest("GET", n.URL()+path, nil)
			req.Host = label + ".apps.localhost:" + port
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == 200 && !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("%s of a trial without a launch: %d %s, Content-Disposition %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
			}
		}
	})
}

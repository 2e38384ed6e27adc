package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// hostileJS tries what a hostile mini-program would, and writes what
// happened into #results for the test to read.
const hostileJS = `
(function () {
  var out = {};
  function done() {
    var el = document.getElementById("results");
    Object.keys(out).forEach(function (k) { el.setAttribute("data-" + k, out[k]); });
    el.textContent = JSON.stringify(out);
  }
  try { out.parent = window.parent.document.cookie !== undefined ? "read" : "read"; } catch (e) { out.parent = "blocked"; }
  try { var c = document.cookie; out.cookie = c ? "read:" + c : "empty"; } catch (e) { out.cookie = "blocked"; }
  try { localStorage.setItem("x", "1"); out.localstorage = "open"; } catch (e) { out.localstorage = "blocked"; }
  var pending = 3;
  function settle() { if (--pending === 0) done(); }
  fetch(PLAZA + "/api/v1/miniapps/" + OTHER + "/storage/secret").then(function () { out.otherapp = "read"; }, function () { out.otherapp = "blocked"; }).then(settle);
  fetch("http://127.0.0.2:9/steal").then(function () { out.elsewhere = "reached"; }, function () { out.elsewhere = "blocked"; }).then(settle);
  // A bridge call with a forged nonce must get no answer.
  var answered = false;
  window.addEventListener("message", function (e) { if (e.data && e.data.id === "forged-1") answered = true; });
  window.parent.postMessage({plaza: 1, id: "forged-1", method: "login", args: {}, nonce: "not-the-nonce"}, "*");
  setTimeout(function () { out.forged = answered ? "answered" : "ignored"; settle(); }, 1500);
})();
`

func hostilePackage(appid, plaza, other string) []byte {
	files := map[string]string{
		"manifest.json": fmt.Sprintf(`{"app_id":%q,"name":"Free Coins","icons":[{"src":"icon.png"}],"pages":["pages/index"],
			"platform_version":{"min_code":1},"version":{"code":1,"name":"1.0.0"}}`, appid),
		"app.js": fmt.Sprintf("var PLAZA = %q; var OTHER = %q;", plaza, other), "app.css": "", "icon.png": "x",
		"pages/index.html": `<h1>Free coins!</h1><div id="results"></div>`, "pages/index.js": hostileJS,
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

// A hostile mini-program tries to read the parent page, Plaza's cookies,
// another app's storage and a domain not in its list, and to talk to the
// bridge with a forged nonce: each is blocked.
func TestHostileMiniProgramIsContained(t *testing.T) {
	ctx := context.Background()
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	dev := nodetest.Signup(t, n.URL(), "mallory")
	if _, err := n.Accounts.CreateAdmin(ctx, "reviewer", "correct horse", "US"); err != nil {
		t.Fatal(err)
	}
	devID := dev.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
	publish := func(name string, pkg func(appid string) []byte) string {
		a, _, err := n.MiniApps.CreateApp(ctx, devID, name, "", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.MiniApps.Upload(ctx, devID, a.AppID, pkg(a.AppID)); err != nil {
			t.Fatal(err)
		}
		n.MiniApps.Submit(ctx, devID, a.AppID, 1)
		n.MiniApps.Review(ctx, a.AppID, 1, true, "")
		if _, err := n.MiniApps.Release(ctx, devID, a.AppID, 1); err != nil {
			t.Fatal(err)
		}
		return a.AppID
	}
	victim := publish("Notes", func(appid string) []byte { return hostilePackage(appid, "", "") })
	evil := publish("Free Coins", func(appid string) []byte { return hostilePackage(appid, n.URL(), victim) })

	user := nodetest.Signup(t, n.URL(), "victim")
	user.Do(t, "PUT", "/api/v1/miniapps/"+victim+"/storage/secret", map[string]any{"value": "diary"})

	b := bt.New(t, alloc, "victim", bt.Phone)
	login(b, n.URL(), "victim")
	b.Run("opening the hostile app", chromedp.Navigate(n.URL()+"/app/"+evil), bt.Visible("#miniapp-frame"))
	frame, _ := b.Frame(evil+".apps.localhost", nil)
	frame.Run("waiting for its attempts", bt.Visible(`#results[data-forged]`))
	got := map[string]string{}
	for _, k := range []string{"parent", "cookie", "localstorage", "otherapp", "elsewhere", "forged"} {
		got[k] = frame.Attrs("#results", "data-"+k)[0]
	}
	want := map[string]string{"parent": "blocked", "cookie": "blocked", "localstorage": "blocked", "otherapp": "blocked", "elsewhere": "blocked", "forged": "ignored"}
	for k, v := range want {
		if got[k] != v && !(k == "cookie" && got[k] == "empty") {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if strings.Contains(frame.Text("#results"), "plaza_session") {
		t.Fatal("the app read the session cookie")
	}
	b.Screenshot("contained")
}

// trialPackage is version code of an app whose start page logs in through
// the bridge and whose second page says which version it is.
func trialPackage(appid string, code int, words string) []byte {
	files := map[string]string{
		"manifest.json": fmt.Sprintf(`{"app_id":%q,"name":"Coupons","icons":[{"src":"icon.png"}],"pages":["pages/index","pages/next"],
			"platform_version":{"min_code":1},"version":{"code":%d,"name":"1.0.%d"}}`, appid, code, code),
		"app.js": "", "app.css": "", "icon.png": "x",
		"pages/index.html": `<h1 id="words">` + words + `</h1><div id="results"></div><button id="next">Next</button>`,
		"pages/index.js": `var el = document.getElementById("results");
plaza.login().then(function (r) { el.setAttribute("data-login", r.code ? "ok" : "empty"); },
  function (e) { el.setAttribute("data-login", "fail: " + e.errMsg); });
document.getElementById("next").addEventListener("click", function () { plaza.navigateTo({url: "/pages/next"}); });`,
		"pages/next.html": `<p id="second">` + words + ` page two</p>`,
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

// H2: a rejected build sent as a trial link opens nothing for someone who
// is not its tester (neither in Plaza's frame nor on the app's origin), and
// for a tester it runs marked as a trial in the title bar, its bridge
// working; the released version, for anyone, has no marker.
func TestTrialOnlyForItsTesters(t *testing.T) {
	ctx := context.Background()
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	dev := nodetest.Signup(t, n.URL(), "mallory")
	nodetest.Signup(t, n.URL(), "tester")
	nodetest.Signup(t, n.URL(), "victim")
	if _, err := n.Accounts.CreateAdmin(ctx, "reviewer", "correct horse", "US"); err != nil {
		t.Fatal(err)
	}
	devID := dev.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
	a, _, err := n.MiniApps.CreateApp(ctx, devID, "Coupons", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	appid := a.AppID
	for i, words := range []string{"Reviewed coupons", "Enter your PIN here"} {
		if _, err := n.MiniApps.Upload(ctx, devID, appid, trialPackage(appid, i+1, words)); err != nil {
			t.Fatal(err)
		}
	}
	n.MiniApps.Submit(ctx, devID, appid, 1)
	n.MiniApps.Review(ctx, appid, 1, true, "")
	if _, err := n.MiniApps.Release(ctx, devID, appid, 1); err != nil {
		t.Fatal(err)
	}
	n.MiniApps.Submit(ctx, devID, appid, 2)
	n.MiniApps.Review(ctx, appid, 2, false, "Phishing")
	if r := dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/testers", map[string]string{"username": "tester"}); r.Status != 201 {
		t.Fatalf("naming the tester: %d %s", r.Status, r.Body)
	}
	label := dev.Do(t, "GET", "/api/v1/miniapps/"+appid+"/versions/2/trial", nil).Str("label")
	link := n.URL() + "/app/" + appid + "?trial=" + label

	victim := bt.New(t, alloc, "victim", bt.Phone)
	login(victim, n.URL(), "victim")
	victim.Run("opening the trial link", chromedp.Navigate(link), bt.Visible("#miniapp-trial-refused"))
	if victim.Count("#miniapp-frame") != "0" {
		t.Fatal("the trial's frame was shown to a non-tester")
	}
	victim.Screenshot("trial-refused")
	_, port, _ := strings.Cut(strings.TrimPrefix(n.URL(), "http://"), ":")
	victim.Run("opening the trial's origin directly", chromedp.Navigate("http://"+label+".apps.localhost:"+port+"/"), bt.Visible("#trial-refused"))
	if strings.Contains(victim.Text("body"), "PIN") {
		t.Fatal("the trial's page was served to a non-tester")
	}

	tester := bt.New(t, alloc, "tester", bt.Phone)
	login(tester, n.URL(), "tester")
	tester.Run("opening the trial", chromedp.Navigate(link), bt.Visible("#miniapp-trial"))
	bt.WaitText(tester, "#miniapp-trial", "Trial version 2 — rejected")
	used := map[string]bool{}
	frame, id := tester.Frame(label, used)
	used[id] = true
	frame.Run("the trial's bridge", bt.Visible(`#results[data-login]`))
	if got := frame.Attrs("#results", "data-login")[0]; got != "ok" {
		t.Fatalf("the tester's login in the trial: %q", got)
	}
	tester.Screenshot("trial")
	frame.Run("going to the second page", bt.JSClick("#next"))
	frame, _ = tester.Frame(label, used)
	frame.Run("the second page opens with a launch", bt.Visible("#second"))
	bt.WaitText(frame, "#second", "Enter your PIN here page two")

	// Me → Privacy shows the tester what they test.
	tester.Run("seeing it on Privacy", chromedp.Navigate(n.URL()+"/me/privacy"), bt.Visible(`[data-testing-appid="`+appid+`"]`))
	tester.Screenshot("privacy")

	// The released version: no marker, the bridge as before.
	victim.Run("opening the released app", chromedp.Navigate(n.URL()+"/app/"+appid), bt.Visible("#miniapp-frame"))
	rel, _ := victim.Frame(appid+".apps.localhost", nil)
	rel.Run("the released bridge", bt.Visible(`#results[data-login]`))
	if got := rel.Attrs("#results", "data-login")[0]; got != "ok" || victim.Count("#miniapp-trial") != "0" {
		t.Fatalf("released: login %q, trial markers %s", got, victim.Count("#miniapp-trial"))
	}
	bt.WaitText(rel, "#words", "Reviewed coupons")
}

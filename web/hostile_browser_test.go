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

package miniapp

import (
	"mime"
	"net"
	"net/http"
	"path"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
	sdk "github.com/plaza-dev/plaza/sdk/js"
)

// Host serves released mini-programs from their own origins,
// http://{appid}.{Domain}:{port}/, apart from Plaza's: no Plaza cookie is
// sent there, and each app runs under a CSP that lets it connect only to
// its request_domains and be framed only by Plaza.
type Host struct {
	Service *Service
	Domain  string // apps.localhost
}

// AppID is the app a request is for, when its Host is under Domain.
func (h *Host) AppID(r *http.Request) (string, bool) {
	host := r.Host
	if hst, _, err := net.SplitHostPort(host); err == nil {
		host = hst
	}
	host = strings.ToLower(host)
	label, ok := strings.CutSuffix(host, "."+h.Domain)
	if !ok || label == "" || strings.Contains(label, ".") {
		return "", false
	}
	return label, true
}

// pkg is the package label serves: a trial's version (trial true), or the
// released version of the app label names.
func (h *Host) pkg(r *http.Request, label string) (p *Package, a *App, trial bool, err error) {
	if appid, code, ok := h.Service.parseTrial(label); ok {
		app, err := h.Service.App(r.Context(), appid)
		if err != nil {
			return nil, nil, true, err
		}
		p, err := h.Service.Package(r.Context(), appid, code)
		return p, &app, true, err
	}
	appid := label
	app, err := h.Service.openable(r.Context(), appid)
	if err != nil {
		return nil, nil, false, err
	}
	if d, ok := h.Service.dev(appid); ok {
		_, p, err := Pack(d.dir) // fresh from disk on every request
		return p, &app, false, err
	}
	p, err = h.Service.Package(r.Context(), appid, app.ReleasedCode)
	return p, &app, false, err
}

// ServeHTTP serves one file of the app: / is the start page, /pages/x a
// page (with the bridge, app.js and app.css put in its head), anything else
// a file of the package.
func (h *Host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	appid, _ := h.AppID(r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == "/__plaza/dev-version" {
		h.devVersion(w, appid)
		return
	}
	if r.URL.Path == "/__plaza/dev-reload.js" {
		h.headers(w, r, nil)
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write([]byte(devReloadJS))
		return
	}
	if r.URL.Path == "/__plaza/sdk.js" {
		h.headers(w, r, nil)
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write(sdk.Bridge)
		return
	}
	p, a, trial, err := h.pkg(r, appid)
	if err != nil {
		http.Error(w, "This mini-program is not available.", http.StatusNotFound)
		return
	}
	h.headers(w, r, a)
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	if name == "" {
		name = p.Manifest.Pages[0]
	}
	pageName, page, isPage := "", []byte(nil), false
	if b, ok := p.Files[name+".html"]; ok && strings.HasPrefix(name, "pages/") {
		pageName, page, isPage = name, b, true
	} else if b, ok := p.Files[name]; ok && strings.HasSuffix(name, ".html") && strings.HasPrefix(name, "pages/") {
		pageName, page, isPage = strings.TrimSuffix(name, ".html"), b, true
	}
	if isPage {
		// A trial's pages open only with a launch the Plaza client got for
		// one of the app's testers (see trial.go).
		if trial && !h.Service.checkLaunch(appid, r.URL.Query().Get("plaza_launch")) {
			trialRefused(w)
			return
		}
		h.page(w, p, pageName, page)
		return
	}
	data, ok := p.Files[name]
	if !ok || name == "manifest.json" {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	if trial {
		// Scripts, styles and images of a trial's pages load without the
		// launch, but no file of it opens as a document (an HTML or SVG
		// file outside pages/ would run the build for anyone with the label).
		w.Header().Set("Content-Disposition", "attachment")
	}
	w.Write(data)
}

// trialRefused is the page a trial shows without a valid launch: anyone
// but its testers, an expired launch, or a link opened outside Plaza.
func trialRefused(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	w.Write([]byte(`<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
		`<title>Trial version</title></head><body><h1 id="trial-refused">This trial version is not available</h1>` +
		`<p>Trial versions of a mini-program open only for the testers its developer named, from Plaza. ` +
		`If you are one, open it again from Plaza.</p></body></html>`))
}

// devReloadJS reloads a development app's page when its folder changes.
const devReloadJS = `(function(){var v=null;setInterval(function(){fetch("/__plaza/dev-version").then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t},function(){})},1000)})();`

// devVersion is the hash of a development app's folder.
func (h *Host) devVersion(w http.ResponseWriter, appid string) {
	d, ok := h.Service.dev(appid)
	if !ok {
		http.NotFound(w, nil)
		return
	}
	_, p, err := Pack(d.dir)
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		w.Write([]byte("broken: " + err.Error()))
		return
	}
	w.Write([]byte(p.SHA256))
}

func (h *Host) page(w http.ResponseWriter, p *Package, name string, body []byte) {
	var head strings.Builder
	head.WriteString(`<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`)
	head.WriteString(`<link rel="stylesheet" href="/app.css">`)
	if _, ok := p.Files[name+".css"]; ok {
		head.WriteString(`<link rel="stylesheet" href="/` + name + `.css">`)
	}
	head.WriteString(`<script src="/__plaza/sdk.js"></script><script src="/app.js"></script>`)
	if _, ok := h.Service.dev(p.Manifest.AppID); ok {
		head.WriteString(`<script src="/__plaza/dev-reload.js"></script>`)
	}
	if _, ok := p.Files[name+".js"]; ok {
		head.WriteString(`<script src="/` + name + `.js" defer></script>`)
	}
	html := string(body)
	if i := strings.Index(strings.ToLower(html), "<head>"); i >= 0 {
		html = html[:i+6] + head.String() + html[i+6:]
	} else {
		html = "<!doctype html><html><head>" + head.String() + "</head><body>" + html + "</body></html>"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(html))
}

// headers are every app response's: the app's CSP, framing only by Plaza
// (its --public-url, else loopback names on the same scheme and port), no
// sniffing, no cookies.
func (h *Host) headers(w http.ResponseWriter, r *http.Request, a *App) {
	plaza := strings.Join(httpx.PlazaOrigins(r), " ") // the public URL, or loopback names
	connect := "'none'"
	if a != nil && len(a.RequestDomains) > 0 {
		connect = strings.Join(a.RequestDomains, " ")
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "+
		"font-src 'self'; connect-src "+connect+"; base-uri 'none'; form-action 'none'; frame-ancestors "+plaza)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
}

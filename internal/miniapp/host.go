package miniapp

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"mime"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/trust"
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
	if pol := h.Service.hostBlocking(r.Context(), *a); pol != nil {
		blockedPage(w, r, a, pol, "")
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
			trialRefused(w, r)
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
func trialRefused(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.WriteHeader(http.StatusForbidden)
	trialTmpl.Execute(w, map[string]any{"Lang": lang, "T": pageText[lang]})
}

var trialTmpl = template.Must(template.New("trial").Parse(`<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8">` +
	`<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{index .T "trial.title"}}</title></head>` +
	`<body><h1 id="trial-refused">{{index .T "trial.head"}}</h1><p>{{index .T "trial.body"}}</p></body></html>`))

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

// blockedStyle is the policy page's style sheet, allowed by its hash (the
// page loads nothing, runs nothing).
const blockedStyle = `:root{color-scheme:light dark;--green:#07c160;--bg:#ededed;--surface:#fff;--text:rgba(0,0,0,.9);--muted:rgba(0,0,0,.55);--hairline:rgba(0,0,0,.1);--orange:#fa9d3b}
@media (prefers-color-scheme:dark){:root{--bg:#111;--surface:#1e1e1e;--text:rgba(255,255,255,.9);--muted:rgba(255,255,255,.55);--hairline:rgba(255,255,255,.12)}}
*{box-sizing:border-box}html,body{margin:0;height:100%}
body{display:flex;align-items:center;justify-content:center;padding:24px;background:var(--bg);color:var(--text);
font:15px/1.55 -apple-system,BlinkMacSystemFont,'Segoe UI','PingFang SC','Hiragino Sans GB','Microsoft YaHei',sans-serif}
main{width:100%;max-width:420px;background:var(--surface);border-radius:12px;padding:32px 28px 24px;text-align:center;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.icon{width:56px;height:56px;margin:0 auto 16px;border-radius:50%;background:rgba(250,157,59,.14);display:flex;align-items:center;justify-content:center}
.icon svg{width:28px;height:28px;fill:none;stroke:var(--orange);stroke-width:2;stroke-linecap:round}
h1{font-size:19px;font-weight:600;margin:0 0 8px}
p{margin:0 0 12px;color:var(--muted)}
.reason{margin:20px 0 0;padding:12px 14px;border-radius:8px;background:var(--bg);color:var(--text);text-align:left}
.reason b{display:block;font-size:12px;font-weight:500;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;margin-bottom:2px}
.ref{font-size:13px;margin-top:8px;color:var(--muted)}
footer{margin-top:24px;padding-top:14px;border-top:1px solid var(--hairline);font-size:12px;color:var(--muted)}
footer span{color:var(--green);font-weight:600}
.back{display:inline-block;margin-top:20px;padding:9px 22px;border-radius:8px;background:var(--green);color:#fff;text-decoration:none;font-weight:500}`

var (
	blockedStyleHash = func() string {
		sum := sha256.Sum256([]byte(blockedStyle))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}()
	blockedTmpl = template.Must(template.New("blocked").Parse(`<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Name}} {{index .T "blocked.title"}}</title>` +
		`<style>` + blockedStyle + `</style></head><body><main id="blocked-by-policy" data-policy="{{.ID}}">` +
		`<div class="icon" aria-hidden="true"><svg viewBox="0 0 24 24"><circle cx="12" cy="12" r="9"/><path d="M5.6 5.6l12.8 12.8"/></svg></div>` +
		`<h1>{{.Name}} {{index .T "blocked.head"}}</h1>` +
		`<p>{{.FromText}}</p>` +
		`{{if .Reason}}<div class="reason"><b>{{index .T "blocked.reason"}}</b>{{.Reason}}{{if .LegalRef}}<div class="ref">{{.LegalRef}}</div>{{end}}</div>{{end}}` +
		`{{if .Back}}<a class="back" id="miniapp-blocked-back" href="{{.Back}}">{{index .T "blocked.back"}}</a>{{end}}` +
		`<footer>{{.Footer}}</footer></main></body></html>`))
)

// blockedPage is the app origin's answer while a policy withholds the
// app's hosting: 403 and a page that says from when and why.
func blockedPage(w http.ResponseWriter, r *http.Request, a *App, p *trust.Policy, back string) {
	at := p.EffectiveAt.UTC()
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src "+blockedStyleHash+"; base-uri 'none'; form-action 'none'; frame-ancestors "+
		strings.Join(httpx.PlazaOrigins(r), " "))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Language", pageLang(r))
	hd.Add("Vary", "Accept-Language, Cookie")
	w.WriteHeader(http.StatusForbidden)
	if r.Method == http.MethodHead {
		return
	}
	lang := pageLang(r)
	text := pageText[lang]
	// The date sits inside the sentence, which each language orders its own way.
	when := `<time datetime="` + template.HTMLEscapeString(at.Format(time.RFC3339)) + `">` + template.HTMLEscapeString(pageDate(lang, at)) + `</time>`
	blockedTmpl.Execute(w, map[string]any{
		"Lang": lang, "T": text, "Name": a.Name, "ID": p.ID, "Reason": p.Reason, "LegalRef": p.LegalRef, "Back": back,
		"FromText": template.HTML(strings.Replace(template.HTMLEscapeString(text["blocked.from"]), "%s", when, 1)),
		"Footer":   template.HTML(text["blocked.footer"]),
	})
}

// Package web is Plaza's client: a Preact app built with Vite (sources in
// src/, built files committed in dist/) and embedded in the binary, so that
// `go run ./cmd/plaza` needs no Node on the machine.
package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"html"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

//go:embed all:dist
var dist embed.FS

// Files is the built client.
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	return sub
}

// CSP is the client's Content-Security-Policy: only Plaza's own scripts,
// styles and connections; mini-programs may be framed from the apps domain
// (frameSrc), and nothing may frame Plaza.
func CSP(frameSrc string) string {
	p := "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
		"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	if frameSrc != "" {
		p += "; frame-src " + frameSrc
	}
	return p
}

// Handler serves the client: files from dist with long caching for hashed
// assets, and index.html (never cached) for every other path, so that the
// client's own routes (/chats, /contacts/new, …) load on refresh.
//
// Files are sent brotli- or gzip-compressed when the client accepts it,
// from the .br and .gz files `npm run build` writes beside each one
// (uncompressed when they are absent). index.html carries the
// mini-programs' origin, {scheme}://{apps-domain}[:port], in
// <meta name="plaza-apps">, from the edge (httpx.AppsBase), and the CSP's
// frame-src allows exactly those origins.
func Handler() http.Handler {
	files := Files()
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		index = []byte("<!doctype html><title>Plaza</title><p>The client is not built: run npm run build in web/.")
	}
	idx := &indexCache{page: index, built: map[string]*variants{}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP(httpx.AppsSource(r)))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" && name != "index.html" && !strings.HasSuffix(name, ".gz") && !strings.HasSuffix(name, ".br") {
			if body, err := fs.ReadFile(files, name); err == nil {
				switch {
				case strings.HasPrefix(name, "assets/"):
					h.Set("Cache-Control", "public, max-age=31536000, immutable")
				case name == "sw.js":
					// A new service worker must reach browsers at once.
					h.Set("Cache-Control", "no-cache")
				default:
					h.Set("Cache-Control", "public, max-age=3600")
				}
				ct := mime.TypeByExtension(path.Ext(name))
				if path.Ext(name) == ".webmanifest" {
					ct = "application/manifest+json"
				}
				if ct == "" {
					ct = http.DetectContentType(body)
				}
				v := &variants{plain: body}
				v.br, _ = fs.ReadFile(files, name+".br")
				v.gz, _ = fs.ReadFile(files, name+".gz")
				v.serve(w, r, ct)
				return
			}
			if path.Ext(name) != "" {
				// A missing file such as /favicon.png is a 404, not the app.
				http.NotFound(w, r)
				return
			}
		}
		h.Set("Cache-Control", "no-cache")
		idx.get(httpx.AppsBase(r)).serve(w, r, "text/html; charset=utf-8")
	})
}

// variants are one file's bytes as they are and compressed (nil when
// absent).
type variants struct{ plain, br, gz []byte }

// serve answers with the smallest variant the client accepts.
func (v *variants) serve(w http.ResponseWriter, r *http.Request, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Add("Vary", "Accept-Encoding")
	body := v.plain
	switch {
	case v.br != nil && accepts(r, "br"):
		body = v.br
		h.Set("Content-Encoding", "br")
	case v.gz != nil && accepts(r, "gzip"):
		body = v.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

// accepts reports whether Accept-Encoding lists coding with a q above 0.
func accepts(r *http.Request, coding string) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(name), coding) {
				continue
			}
			if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f <= 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}

// indexCache keeps index.html with its <meta name="plaza-apps"> filled in,
// compressed, per apps origin (one with --public-url; one per port used
// on loopback).
type indexCache struct {
	page []byte

	mu    sync.Mutex // guards built
	built map[string]*variants
}

func (c *indexCache) get(apps string) *variants {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v := c.built[apps]; v != nil {
		return v
	}
	meta := `<meta name="plaza-apps" content="` + html.EscapeString(apps) + `">`
	page := c.page
	if i := bytes.Index(page, []byte("<head>")); i >= 0 {
		page = bytes.Join([][]byte{page[:i+6], []byte(meta), page[i+6:]}, nil)
	}
	v := &variants{plain: page}
	var b bytes.Buffer
	bw := brotli.NewWriterLevel(&b, brotli.BestCompression)
	bw.Write(page)
	bw.Close()
	v.br = bytes.Clone(b.Bytes())
	b.Reset()
	gw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	gw.Write(page)
	gw.Close()
	v.gz = bytes.Clone(b.Bytes())
	if len(c.built) >= 16 { // Host ports are the client's to choose
		c.built = map[string]*variants{}
	}
	c.built[apps] = v
	return v
}

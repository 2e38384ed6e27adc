// Package web is Plaza's client: a Preact app built with Vite (sources in
// src/, built files committed in dist/) and embedded in the binary, so that
// `go run ./cmd/plaza` needs no Node on the machine.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
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
func Handler(frameSrc string) http.Handler {
	files := Files()
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		index = []byte("<!doctype html><title>Plaza</title><p>The client is not built: run npm run build in web/.")
	}
	server := http.FileServerFS(files)
	csp := CSP(frameSrc)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" && name != "index.html" {
			if st, err := fs.Stat(files, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					h.Set("Cache-Control", "public, max-age=31536000, immutable")
				} else {
					h.Set("Cache-Control", "public, max-age=3600")
				}
				server.ServeHTTP(w, r)
				return
			}
			if path.Ext(name) != "" {
				// A missing file such as /favicon.png is a 404, not the app.
				http.NotFound(w, r)
				return
			}
		}
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(index)
	})
}

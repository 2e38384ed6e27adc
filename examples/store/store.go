// Package store is Gadget Store, an electronics brand's shop as a
// mini-program: its files (app/, a W3C MiniApp folder, embedded so that
// plaza serve --demo can publish it) and, in backend/, its own server.
package store

import (
	"archive/zip"
	"bytes"
	"embed"
	"encoding/json"
	"io/fs"
	"sort"
	"strconv"
)

//go:embed app
var files embed.FS

// Catalog is the store's price list (fen); the backend charges from it,
// never from what a client sends.
var Catalog = map[string]struct {
	Name  string
	Price int64
}{
	"phone": {"Nova 12 phone", 199900}, "buds": {"Pulse earbuds", 39900},
	"charger": {"65 W charger", 14900}, "watch": {"Orbit watch", 89900},
}

// DefaultBackend is where the mini-program finds its backend unless told.
const DefaultBackend = "http://127.0.0.1:8082"

// Package zips the mini-program for appid: its manifest's app_id set to
// appid, version.code to code, and its backend's address to backend.
func Package(appid string, code int64, backend string) ([]byte, error) {
	app, _ := fs.Sub(files, "app")
	var names []string
	fs.WalkDir(app, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		data, err := fs.ReadFile(app, name)
		if err != nil {
			return nil, err
		}
		if name == "manifest.json" {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				return nil, err
			}
			m["app_id"] = appid
			m["version"] = map[string]any{"code": code, "name": "1.0." + strconv.FormatInt(code, 10)}
			data, _ = json.MarshalIndent(m, "", "  ")
		}
		if name == "app.js" && backend != "" {
			data = bytes.ReplaceAll(data, []byte(`"`+DefaultBackend+`"`), []byte(`"`+backend+`"`))
		}
		w, err := zw.Create(name)
		if err != nil {
			return nil, err
		}
		w.Write(data)
	}
	err := zw.Close()
	return buf.Bytes(), err
}

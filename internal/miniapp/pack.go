package miniapp

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Pack zips a mini-program folder, in a stable order, and checks the
// result as an upload would be checked. Hidden files are left out.
func Pack(dir string) ([]byte, *Package, error) {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s: links are not allowed in a package", rel)
		}
		if d.Type().IsRegular() {
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return nil, nil, err
		}
		w, err := zw.Create(name)
		if err != nil {
			return nil, nil, err
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	var m struct {
		AppID string `json:"app_id"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, nil, fmt.Errorf("manifest.json: %w", err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, fmt.Errorf("manifest.json is not JSON: %w", err)
	}
	p, err := ReadPackage(buf.Bytes(), m.AppID)
	if err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), p, nil
}

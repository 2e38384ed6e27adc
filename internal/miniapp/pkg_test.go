package miniapp

import (
	"os"
	"path/filepath"
	"testing"
)

const goodManifest = `{"app_id":"mpTEST","name":"Store","icons":[{"src":"icon.png"}],"pages":["pages/index","pages/item"],
"platform_version":{"min_code":1},"version":{"code":3,"name":"1.0.3"},"window":{"navigation_bar_title_text":"Store"}}`

func goodFiles() map[string]string {
	return map[string]string{"manifest.json": goodManifest, "app.js": "", "app.css": "", "icon.png": "x",
		"pages/index.html": "<h1>hi</h1>", "pages/item.html": "<p>item</p>", "pages/item.js": "1"}
}

func TestPackFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range goodFiles() {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	os.WriteFile(filepath.Join(dir, ".DS_Store"), []byte("junk"), 0o644)
	data, p, err := Pack(dir)
	if err != nil || len(p.Files) != 7 || len(data) == 0 {
		t.Fatalf("%v %+v", err, p)
	}
	if _, ok := p.Files[".DS_Store"]; ok {
		t.Fatal("a hidden file was packed")
	}
	os.Symlink("/etc/passwd", filepath.Join(dir, "pages", "leak.html"))
	if _, _, err := Pack(dir); err == nil {
		t.Fatal("a symlink was packed")
	}
}

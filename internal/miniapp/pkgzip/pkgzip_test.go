package pkgzip

import (
	"archive/zip"
	"bytes"
	"flag"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

const goodManifest = `{"app_id":"mpTEST","name":"Store","icons":[{"src":"icon.png"}],"pages":["pages/index","pages/item"],
"platform_version":{"min_code":1},"version":{"code":3,"name":"1.0.3"},"window":{"navigation_bar_title_text":"Store"}}`

func zipOf(t testing.TB, files map[string]string) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	w.Close()
	return b.Bytes()
}

func goodFiles() map[string]string {
	return map[string]string{"manifest.json": goodManifest, "app.js": "", "app.css": "", "icon.png": "x",
		"pages/index.html": "<h1>hi</h1>", "pages/item.html": "<p>item</p>", "pages/item.js": "1"}
}

func TestRead(t *testing.T) {
	p, err := Read(zipOf(t, goodFiles()), "mpTEST")
	if err != nil || p.Manifest.Version.Code != 3 || len(p.Files) != 7 || p.SHA256 == "" {
		t.Fatalf("%+v %v", p, err)
	}
	cases := map[string]func(map[string]string){
		"no_manifest":  func(f map[string]string) { delete(f, "manifest.json") },
		"wrong_app_id": func(f map[string]string) { f["manifest.json"] = strings.Replace(goodManifest, "mpTEST", "mpOTHER", 1) },
		"bad_json":     func(f map[string]string) { f["manifest.json"] = "{" },
		"no_version": func(f map[string]string) {
			f["manifest.json"] = strings.Replace(goodManifest, `"code":3`, `"code":0`, 1)
		},
		"missing_page": func(f map[string]string) { delete(f, "pages/item.html") },
		"external_page": func(f map[string]string) {
			f["manifest.json"] = strings.Replace(goodManifest, `"pages/item"`, `"https://evil/x"`, 1)
		},
		"no_app_js":       func(f map[string]string) { delete(f, "app.js") },
		"traversal":       func(f map[string]string) { f["../evil.html"] = "x" },
		"absolute":        func(f map[string]string) { f["/etc/passwd"] = "x" },
		"backslash":       func(f map[string]string) { f[`pages\x.html`] = "x" },
		"case_duplicate":  func(f map[string]string) { f["Pages/Index.html"] = "x" },
		"file_too_big":    func(f map[string]string) { f["big.bin"] = strings.Repeat("a", MaxFileBytes+1) },
		"missing_icon":    func(f map[string]string) { delete(f, "icon.png") },
		"forbidden_chars": func(f map[string]string) { f["a<b>.js"] = "x" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			f := goodFiles()
			mutate(f)
			_, err := Read(zipOf(t, f), "mpTEST")
			if c := errs.CodeOf(err); c != errs.InvalidArgument {
				t.Fatalf("got %v (%s)", err, c)
			}
		})
	}
	t.Run("zip_bomb", func(t *testing.T) {
		f := goodFiles()
		for i := range 9 { // nine highly compressible files of 2 MiB: 18 MiB unpacked
			f["pad/"+string(rune('a'+i))+".bin"] = strings.Repeat("0", MaxFileBytes)
		}
		if _, err := Read(zipOf(t, f), "mpTEST"); errs.CodeOf(err) != errs.InvalidArgument {
			t.Fatalf("%v", err)
		}
	})
	t.Run("not_a_zip", func(t *testing.T) {
		if _, err := Read([]byte("hello"), "mpTEST"); errs.CodeOf(err) != errs.InvalidArgument {
			t.Fatalf("%v", err)
		}
	})
}

// fuzzLimits keep each fuzz input cheap: the checks are the same, only the
// sizes are smaller, so a mutated "zip bomb" inflates kilobytes, not MiB.
var fuzzLimits = limits{packageBytes: 64 << 10, fileBytes: 8 << 10, totalBytes: 32 << 10, files: 32}

// fuzzSeeds are small zips written in code: a good package (deflated and
// stored), and one near each rule.
func fuzzSeeds(t testing.TB) [][]byte {
	stored := func(files map[string]string) []byte {
		var b bytes.Buffer
		w := zip.NewWriter(&b)
		for name, body := range files {
			f, _ := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
			f.Write([]byte(body))
		}
		w.Close()
		return b.Bytes()
	}
	with := func(k, v string) map[string]string {
		f := goodFiles()
		f[k] = v
		return f
	}
	return [][]byte{
		zipOf(t, goodFiles()),
		stored(goodFiles()),
		zipOf(t, with("pages/", "")),
		zipOf(t, with("Pages/Index.html", "x")),
		zipOf(t, with("../x", "x")),
		zipOf(t, with("big.bin", strings.Repeat("0", 9<<10))),
		zipOf(t, with("manifest.json", strings.Replace(goodManifest, `"code":3`, `"code":2147483648`, 1))),
		zipOf(t, map[string]string{"manifest.json": goodManifest}),
		[]byte("PK\x03\x04"),
		[]byte("PK\x05\x06" + strings.Repeat("\x00", 18)),
		{},
	}
}

func FuzzReadPackage(f *testing.F) {
	// Each new interesting input is minimized first, by trying to remove
	// every byte and then every pair of bytes: quadratic in an input of a
	// kilobyte, that took the whole run by default (-fuzzminimizetime=60s;
	// 30 s gave 18 execs). Minimize briefly (200 tries) unless told otherwise.
	given := false
	flag.Visit(func(fl *flag.Flag) { given = given || fl.Name == "test.fuzzminimizetime" })
	if !given {
		flag.Set("test.fuzzminimizetime", "200x")
	}
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := readPackage(data, "mpTEST", fuzzLimits)
		if err != nil {
			if c := errs.CodeOf(err); c != errs.InvalidArgument && c != errs.PayloadTooLarge {
				t.Fatalf("code %s", c)
			}
			return
		}
		var total int64
		for name, b := range p.Files {
			if checkName(name) != nil || int64(len(b)) > fuzzLimits.fileBytes {
				t.Fatalf("accepted %q (%d bytes)", name, len(b))
			}
			total += int64(len(b))
		}
		if total > fuzzLimits.totalBytes || len(p.Files) > fuzzLimits.files {
			t.Fatalf("accepted %d files, %d bytes", len(p.Files), total)
		}
		if p.Manifest.AppID != "mpTEST" || p.Manifest.Version.Code < 1 || p.Manifest.Version.Code > MaxVersionCode {
			t.Fatalf("accepted manifest %+v", p.Manifest)
		}
		for _, need := range []string{"manifest.json", "app.js", "app.css"} {
			if _, ok := p.Files[need]; !ok {
				t.Fatalf("accepted a package without %s", need)
			}
		}
	})
}

// The seeds pass or fail as their rules say, with the fuzzer's limits.
func TestFuzzSeeds(t *testing.T) {
	seeds := fuzzSeeds(t)
	for i, want := range []bool{true, true, true, false, false, false, false, false, false, false, false} {
		_, err := readPackage(seeds[i], "mpTEST", fuzzLimits)
		if (err == nil) != want {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}

// Package pkgzip reads and checks W3C MiniApp packages (zips). It is its
// own package, with no dependency beyond the standard library and errs, so
// that its fuzzer's binary stays small and runs thousands of inputs a
// second; miniapp re-exports what it needs.
package pkgzip

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// Package limits.
const (
	MaxPackageBytes = 4 << 20  // the zip
	MaxFileBytes    = 2 << 20  // one file, uncompressed
	MaxTotalBytes   = 16 << 20 // all files, uncompressed: a zip bomb stops here
	MaxFiles        = 1000
	// MaxVersionCode bounds manifest.json's version.code (2^31-1): codes
	// must grow, so one huge code would block every later upload.
	MaxVersionCode = 1<<31 - 1
)

// limits are the bounds ReadPackage enforces; the fuzzer uses smaller ones
// so that each input stays cheap.
type limits struct {
	packageBytes, fileBytes, totalBytes int64
	files                               int
}

var uploadLimits = limits{packageBytes: MaxPackageBytes, fileBytes: MaxFileBytes, totalBytes: MaxTotalBytes, files: MaxFiles}

// Manifest is a W3C MiniApp manifest.json.
type Manifest struct {
	AppID           string   `json:"app_id"`
	Name            string   `json:"name"`
	ShortName       string   `json:"short_name,omitempty"`
	Description     string   `json:"description,omitempty"`
	Icons           []Icon   `json:"icons"`
	Pages           []string `json:"pages"`
	PlatformVersion struct {
		MinCode    json.Number `json:"min_code"`
		TargetCode json.Number `json:"target_code,omitempty"`
	} `json:"platform_version"`
	Version struct {
		Code int64  `json:"code"`
		Name string `json:"name"`
	} `json:"version"`
	ReqPermissions []struct {
		Name   string `json:"name"`
		Reason string `json:"reason,omitempty"`
	} `json:"req_permissions,omitempty"`
	Window map[string]any `json:"window,omitempty"`
}

// Icon is a manifest icon.
type Icon struct {
	Src   string `json:"src"`
	Sizes string `json:"sizes,omitempty"`
}

// Package is a validated mini-program package.
type Package struct {
	Manifest Manifest
	Files    map[string][]byte
	SHA256   string
}

func bad(file, format string, args ...any) error {
	return &errs.Error{Code: errs.InvalidArgument, Field: file, Message: file + ": " + fmt.Sprintf(format, args...)}
}

// Read checks a package zip for appid and returns its files: the
// W3C MiniApp layout (manifest.json, app.js, app.css, pages/<page>.html),
// no path that leaves the package, no links, no duplicates (after case
// folding), no file over MaxFileBytes, no more than MaxTotalBytes in all.
// Errors name the file and field at fault.
func Read(data []byte, appid string) (*Package, error) {
	return readPackage(data, appid, uploadLimits)
}

func readPackage(data []byte, appid string, lim limits) (*Package, error) {
	if int64(len(data)) > lim.packageBytes {
		return nil, errs.E(errs.PayloadTooLarge, "The package is %d bytes; at most %s are allowed.", len(data), size(lim.packageBytes))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, bad("package", "not a zip archive (%v)", err)
	}
	if len(zr.File) > lim.files {
		return nil, bad("package", "%d files; at most %d are allowed", len(zr.File), lim.files)
	}
	files := map[string][]byte{}
	folded := map[string]string{}
	var total int64
	for _, f := range zr.File {
		name := f.Name
		if strings.HasSuffix(name, "/") && f.UncompressedSize64 == 0 {
			continue // a directory entry
		}
		if err := checkName(name); err != nil {
			return nil, err
		}
		if f.Mode()&fs.ModeSymlink != 0 || f.Mode()&fs.ModeType != 0 {
			return nil, bad(name, "links and special files are not allowed")
		}
		key := strings.ToLower(name)
		if prior, dup := folded[key]; dup {
			return nil, bad(name, "the same name as %s (names must differ after case folding)", prior)
		}
		folded[key] = name
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, bad(name, "compression method %d; only stored or deflated entries are allowed", f.Method)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, bad(name, "cannot be read (%v)", err)
		}
		// Never trust the sizes the headers claim: read at most one byte
		// more than allowed.
		b, err := readAtMost(rc, f.UncompressedSize64, lim.fileBytes)
		rc.Close()
		if err != nil {
			return nil, bad(name, "is corrupt (%v)", err)
		}
		if int64(len(b)) > lim.fileBytes {
			return nil, bad(name, "is larger than %s", size(lim.fileBytes))
		}
		if total += int64(len(b)); total > lim.totalBytes {
			return nil, bad("package", "unpacks to more than %s", size(lim.totalBytes))
		}
		files[name] = b
	}
	m, err := checkManifest(files, appid)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	return &Package{Manifest: m, Files: files, SHA256: hex.EncodeToString(sum[:])}, nil
}

// readAtMost reads r to its end or to one byte past max. The header's
// claimed size only sizes the first buffer (capped at max+1); it is never
// trusted for the length.
func readAtMost(r io.Reader, claimed uint64, max int64) ([]byte, error) {
	n := int64(512)
	if claimed < uint64(max) && int64(claimed) > n {
		n = int64(claimed) + 1
	}
	buf := bytes.NewBuffer(make([]byte, 0, n))
	_, err := buf.ReadFrom(io.LimitReader(r, max+1))
	return buf.Bytes(), err
}

// size is n bytes for a message: "2 MiB", or bytes when not whole MiB.
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func checkName(name string) error {
	if name == "" || len(name) > 255 || !utf8.ValidString(name) {
		return bad("package", "a file name is empty, longer than 255 bytes or not UTF-8")
	}
	if strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || path.Clean(name) != name || strings.HasPrefix(name, "../") || name == ".." {
		return bad(name, "the path leaves the package or is not clean")
	}
	for _, c := range name {
		if unicode.IsControl(c) || strings.ContainsRune(`"*:<>|`, c) {
			return bad(name, "the name holds a forbidden character")
		}
	}
	return nil
}

func checkManifest(files map[string][]byte, appid string) (Manifest, error) {
	var m Manifest
	raw, ok := files["manifest.json"]
	if !ok {
		return m, bad("manifest.json", "missing: a package has manifest.json at its root")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return m, bad("manifest.json", "is not valid JSON of a manifest (%v)", err)
	}
	switch {
	case m.AppID != appid:
		return m, bad("manifest.json", "app_id is %q, but the package is for %q", m.AppID, appid)
	case strings.TrimSpace(m.Name) == "":
		return m, bad("manifest.json", "name is required")
	case m.Version.Code < 1:
		return m, bad("manifest.json", "version.code is required: a whole number, 1 or more")
	case m.Version.Code > MaxVersionCode:
		return m, bad("manifest.json", "version.code %d is too large: at most %d", m.Version.Code, int64(MaxVersionCode))
	case strings.TrimSpace(m.Version.Name) == "":
		return m, bad("manifest.json", "version.name is required (such as 1.0.0)")
	case m.PlatformVersion.MinCode == "":
		return m, bad("manifest.json", "platform_version.min_code is required")
	case len(m.Icons) == 0 || m.Icons[0].Src == "":
		return m, bad("manifest.json", "icons needs at least one icon with a src")
	case len(m.Pages) == 0:
		return m, bad("manifest.json", "pages needs at least one page; the first is the start page")
	}
	for _, need := range []string{"app.js", "app.css"} {
		if _, ok := files[need]; !ok {
			return m, bad(need, "missing: a package has %s at its root (it may be empty)", need)
		}
	}
	for _, p := range m.Pages {
		if strings.Contains(p, "://") || strings.HasPrefix(p, "/") || strings.Contains(p, "..") {
			return m, bad("manifest.json", "page %q is not a path inside the package", p)
		}
		file := p
		if !strings.HasSuffix(file, ".html") {
			file += ".html"
		}
		if _, ok := files[file]; !ok {
			return m, bad("manifest.json", "page %q has no file %s", p, file)
		}
	}
	for _, ic := range m.Icons {
		if !strings.Contains(ic.Src, "://") {
			if _, ok := files[strings.TrimPrefix(ic.Src, "/")]; !ok {
				return m, bad("manifest.json", "icon %q is not in the package", ic.Src)
			}
		}
	}
	return m, nil
}

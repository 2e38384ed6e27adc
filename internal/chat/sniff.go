package chat

import (
	"bytes"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// sniffLen is how much of a file is read to tell what it is.
const sniffLen = 4096

// Content types sniffBytes names beyond net/http's.
const (
	typeWindowsExe = "application/vnd.microsoft.portable-executable"
	typeELF        = "application/x-elf"
	typeMachO      = "application/x-mach-binary"
	typeOLE        = "application/x-ole-storage" // .doc, .xls, .ppt, .msi
	typeOctets     = "application/octet-stream"
)

// magics are signatures net/http.DetectContentType does not know, or
// names differently, checked first.
var magics = []struct {
	offset int
	sig    string
	typ    string
}{
	{0, "MZ", typeWindowsExe},
	{0, "\x7fELF", typeELF},
	{0, "\xfe\xed\xfa\xce", typeMachO},
	{0, "\xfe\xed\xfa\xcf", typeMachO},
	{0, "\xce\xfa\xed\xfe", typeMachO},
	{0, "\xcf\xfa\xed\xfe", typeMachO},
	{0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", typeOLE},
	{0, "PK\x03\x04", "application/zip"},
	{0, "PK\x05\x06", "application/zip"},
	{0, "7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"},
	{0, "\x1f\x8b", "application/gzip"},
	{0, "BZh", "application/x-bzip2"},
	{0, "\xfd7zXZ\x00", "application/x-xz"},
	{257, "ustar", "application/x-tar"},
	{0, "fLaC", "audio/flac"},
	{0, "#!AMR", "audio/amr"},
	{0, "{\\rtf", "application/rtf"},
	{4, "ftypheic", "image/heic"},
	{4, "ftypheix", "image/heic"},
	{4, "ftypmif1", "image/heif"},
	{4, "ftypM4A", "audio/mp4"},
	{4, "ftypqt", "video/quicktime"},
	{4, "moov", "video/quicktime"},
	{4, "mdat", "video/quicktime"},
	{4, "wide", "video/quicktime"},
}

// sniffBytes tells what a file's opening bytes are: a content type.
func sniffBytes(head []byte) string {
	for _, m := range magics {
		if len(head) >= m.offset+len(m.sig) && string(head[m.offset:m.offset+len(m.sig)]) == m.sig {
			return m.typ
		}
	}
	t := http.DetectContentType(head)
	if i := strings.IndexByte(t, ';'); i >= 0 && !strings.HasPrefix(t, "text/") {
		t = t[:i]
	}
	if t == typeOctets && len(head) >= 2 && head[0] == 0xFF && head[1]&0xE0 == 0xE0 {
		if head[1]&0x06 == 0 {
			return "audio/aac" // ADTS
		}
		return "audio/mpeg" // an MPEG audio frame without an ID3 tag
	}
	if t == "application/x-gzip" {
		return "application/gzip"
	}
	return t
}

// describe names a content type for people.
func describe(typ string) string {
	switch {
	case typ == typeWindowsExe:
		return "a Windows program"
	case typ == typeELF || typ == typeMachO:
		return "a program"
	case typ == "application/zip":
		return "a zip archive"
	case typ == typeOLE:
		return "an Office 97–2003 document"
	case typ == "application/pdf":
		return "a PDF document"
	case strings.HasPrefix(typ, "text/html"):
		return "a web page"
	case strings.HasPrefix(typ, "text/"):
		return "text"
	case typ == typeOctets:
		return "of no type we recognise"
	}
	return typ
}

// fileKind is what a name's extension promises and the content types
// whose bytes keep that promise.
type fileKind struct {
	typ   string   // what a file with this extension is served as
	bytes []string // sniffed types that match it; "text" is any text/*
}

var (
	zipLike = []string{"application/zip"}
	oleLike = []string{typeOLE}
	mp4Like = []string{"video/mp4", "audio/mp4", "video/quicktime"}
)

// extensions maps a lower-case extension to what it promises. Files with
// other extensions (or none) are taken as they are, but for programs.
var extensions = map[string]fileKind{
	"png":  {"image/png", []string{"image/png"}},
	"jpg":  {"image/jpeg", []string{"image/jpeg"}},
	"jpeg": {"image/jpeg", []string{"image/jpeg"}},
	"gif":  {"image/gif", []string{"image/gif"}},
	"webp": {"image/webp", []string{"image/webp"}},
	"bmp":  {"image/bmp", []string{"image/bmp"}},
	"ico":  {"image/x-icon", []string{"image/x-icon"}},
	"heic": {"image/heic", []string{"image/heic", "image/heif"}},
	"heif": {"image/heif", []string{"image/heic", "image/heif"}},
	"pdf":  {"application/pdf", []string{"application/pdf"}},
	"zip":  {"application/zip", zipLike},
	"docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", zipLike},
	"xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", zipLike},
	"pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", zipLike},
	"odt":  {"application/vnd.oasis.opendocument.text", zipLike},
	"ods":  {"application/vnd.oasis.opendocument.spreadsheet", zipLike},
	"odp":  {"application/vnd.oasis.opendocument.presentation", zipLike},
	"epub": {"application/epub+zip", zipLike},
	"apk":  {"application/vnd.android.package-archive", zipLike},
	"jar":  {"application/java-archive", zipLike},
	"doc":  {"application/msword", append([]string{"application/rtf", "text"}, oleLike...)},
	"xls":  {"application/vnd.ms-excel", append([]string{"text"}, oleLike...)},
	"ppt":  {"application/vnd.ms-powerpoint", oleLike},
	"rar":  {"application/vnd.rar", []string{"application/x-rar-compressed"}},
	"7z":   {"application/x-7z-compressed", []string{"application/x-7z-compressed"}},
	"gz":   {"application/gzip", []string{"application/gzip"}},
	"tgz":  {"application/gzip", []string{"application/gzip"}},
	"bz2":  {"application/x-bzip2", []string{"application/x-bzip2"}},
	"xz":   {"application/x-xz", []string{"application/x-xz"}},
	"tar":  {"application/x-tar", []string{"application/x-tar"}},
	"mp3":  {"audio/mpeg", []string{"audio/mpeg"}},
	"m4a":  {"audio/mp4", mp4Like},
	"aac":  {"audio/aac", []string{"audio/aac"}},
	"wav":  {"audio/wav", []string{"audio/wave"}},
	"flac": {"audio/flac", []string{"audio/flac"}},
	"amr":  {"audio/amr", []string{"audio/amr"}},
	"ogg":  {"audio/ogg", []string{"application/ogg"}},
	"oga":  {"audio/ogg", []string{"application/ogg"}},
	"opus": {"audio/ogg", []string{"application/ogg"}},
	"mp4":  {"video/mp4", mp4Like},
	"m4v":  {"video/mp4", mp4Like},
	"mov":  {"video/quicktime", mp4Like},
	"webm": {"video/webm", []string{"video/webm"}},
	"mkv":  {"video/x-matroska", []string{"video/webm"}},
	"avi":  {"video/x-msvideo", []string{"video/avi"}},
	"rtf":  {"application/rtf", []string{"application/rtf"}},
	"txt":  {"text/plain", []string{"text"}},
	"md":   {"text/markdown", []string{"text"}},
	"csv":  {"text/csv", []string{"text"}},
	"json": {"application/json", []string{"text"}},
	"xml":  {"application/xml", []string{"text"}},
	"html": {"text/html", []string{"text"}},
	"htm":  {"text/html", []string{"text"}},
	"svg":  {"image/svg+xml", []string{"text"}},
	"log":  {"text/plain", []string{"text"}},
	// Programs, which WeChat lets people send too: only under a name
	// that says so (the download is always an attachment).
	"exe": {typeWindowsExe, []string{typeWindowsExe}},
	"dll": {typeWindowsExe, []string{typeWindowsExe}},
	"msi": {"application/x-msi", oleLike},
}

// programs are the sniffed types that only a program's name may carry.
var programs = map[string]bool{typeWindowsExe: true, typeELF: true, typeMachO: true}

// programNames are the extensions ELF and Mach-O programs go by (they
// usually have none).
var programNames = map[string]bool{"": true, "so": true, "dylib": true, "bin": true, "run": true, "appimage": true, "out": true}

// checkFileName returns the content type a file named name whose bytes
// begin with head is stored as: what its extension promises when the
// bytes keep the promise; what the bytes are when the extension promises
// nothing. A file whose bytes are not what its name says ("photo.png"
// that is a program or a zip) is refused, and so is a program under a
// name that does not say so. Errors: invalid_argument.
func checkFileName(name string, head []byte) (string, error) {
	sniffed := sniffBytes(head)
	ext := fileExt(name)
	if k, ok := extensions[ext]; ok {
		for _, b := range k.bytes {
			if b == sniffed || (b == "text" && strings.HasPrefix(sniffed, "text/")) {
				return k.typ, nil
			}
		}
		return "", errs.Field("file", "%q is named as a .%s file but its content is %s; rename it to what it is, or send the real file.", name, ext, describe(sniffed))
	}
	if programs[sniffed] && !(sniffed != typeWindowsExe && programNames[ext]) {
		return "", errs.Field("file", "%q is a program; programs can be sent only under a program's name (.exe, .dll).", name)
	}
	if strings.HasPrefix(sniffed, "text/") {
		return typeOctets, nil // unknown text: never served as a type a browser renders
	}
	return sniffed, nil
}

// fileExt is a name's lower-case extension, without the dot.
func fileExt(name string) string {
	ext := path.Ext(name)
	if ext == name { // ".bashrc"
		return ""
	}
	return strings.ToLower(strings.TrimPrefix(ext, "."))
}

// MaxFileName is the longest file name kept, in bytes.
const MaxFileName = 255

// cleanFileName makes an upload's name safe to keep and show: the last
// part of any path, valid UTF-8, no control or direction-changing
// characters ("photo\u202Egnp.exe" would show as "photoexe.png"), at most
// MaxFileName bytes (the extension kept). fallback is used when nothing is left.
func cleanFileName(name, fallback string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "_")
	name = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return '_'
		case unicode.Is(unicode.Bidi_Control, r), r == 0x200b, r == 0xfeff:
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return fallback
	}
	if len(name) > MaxFileName {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		base := name[:MaxFileName-len(ext)]
		for !utf8.ValidString(base) {
			base = base[:len(base)-1]
		}
		name = base + ext
	}
	return name
}

// servedType is the Content-Type a file download goes out with: its own
// when browsers cannot run it as a page, else application/octet-stream.
// Together with nosniff, the attachment disposition and the sandbox CSP,
// no upload renders as HTML or SVG from Plaza's origin.
func servedType(typ string) string {
	switch {
	case strings.HasPrefix(typ, "text/"), strings.Contains(typ, "xml"), strings.Contains(typ, "html"),
		strings.Contains(typ, "javascript"), typ == "application/json", typ == "":
		return typeOctets
	}
	return typ
}

// attachment is a Content-Disposition that saves the file under name
// (RFC 6266): an ASCII fallback for old clients, and filename* with the
// UTF-8 name percent-encoded (RFC 8187).
func attachment(name string) string {
	var ascii, enc strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '%' || r == ';':
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	for _, c := range []byte(name) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || bytes.IndexByte([]byte("!#$&+-.^_`|~"), c) >= 0) {
			enc.WriteByte(c)
		} else {
			enc.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}

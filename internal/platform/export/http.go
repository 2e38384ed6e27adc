package export

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// Format is the form of an export: FormatZip or FormatJSON.
type Format string

// The two forms of an export.
const (
	FormatZip  Format = "zip"
	FormatJSON Format = "json"
)

// Negotiate picks the form a request asks for: ?format=json|zip first;
// else JSON when the Accept header's most preferred media type is exactly
// application/json; else the zip (browsers' */*, a download link).
// Errors: invalid_argument (another ?format).
func Negotiate(r *http.Request) (Format, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "json":
		return FormatJSON, nil
	case "zip":
		return FormatZip, nil
	case "":
	default:
		return "", errs.Field("format", "format is json or zip, not %q.", f)
	}
	best, bestQ := "", -1.0
	for _, item := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(item))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(s, 64); err == nil {
				q = v
			}
		}
		if q > bestQ { // the first of equals wins
			best, bestQ = mt, q
		}
	}
	if best == "application/json" && bestQ > 0 {
		return FormatJSON, nil
	}
	return FormatZip, nil
}

// Write runs every exporter for userID into out, in order, in the form f,
// and ends with the manifest.
func Write(ctx context.Context, out io.Writer, f Format, userID, username string, now time.Time, exporters ...Exporter) (Manifest, error) {
	w := newWriter(out, f == FormatZip)
	m := Manifest{ExportedAt: now.UTC().Truncate(time.Second), UserID: userID, Username: username}
	if err := w.begin(m); err != nil {
		return m, err
	}
	for _, e := range exporters {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		if err := e.Export(ctx, userID, w); err != nil {
			return m, err
		}
	}
	if err := w.finish(m); err != nil {
		return m, err
	}
	m.Parts, m.Files, m.FileBytes = w.parts, w.files, w.bytes
	return m, nil
}

// Serve answers GET /api/v1/me/export for the signed-in userID: the zip
// (application/zip, an attachment named plaza-export-<username>-<date>.zip)
// or, when Negotiate says so, one JSON document, streamed as the
// exporters write it. A failure before the first byte is an ordinary
// error answer; one after aborts the response, so that a broken export
// never looks like a whole one.
func Serve(w http.ResponseWriter, r *http.Request, userID, username string, log *slog.Logger, exporters ...Exporter) error {
	f, err := Negotiate(r)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	name := "plaza-export-" + username + "-" + now.Format("2006-01-02")
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept")
	if f == FormatZip {
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.zip"`)
	} else {
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
	}
	lw := &lazyWriter{w: w}
	m, err := Write(r.Context(), lw, f, userID, username, now, exporters...)
	if err != nil {
		if !lw.started {
			h.Del("Content-Disposition")
			return err
		}
		log.Error("export failed mid-stream", "user_id", userID, "err", err)
		panic(http.ErrAbortHandler)
	}
	log.Info("export", "user_id", userID, "format", string(f), "parts", len(m.Parts), "files", m.Files, "bytes", lw.n)
	return nil
}

// lazyWriter sends the status line with the first byte, so that an error
// before it can still be answered as one.
type lazyWriter struct {
	w       http.ResponseWriter
	started bool
	n       int64
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.w.WriteHeader(http.StatusOK)
	}
	n, err := l.w.Write(p)
	l.n += int64(n)
	return n, err
}

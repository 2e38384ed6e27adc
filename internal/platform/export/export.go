// Package export writes a user's data export (GET /api/v1/me/export) as
// it is read: every component that holds data about a user implements
// Exporter and writes its parts to one Writer, which streams them either
// into a zip (one JSON file per part, the user's uploaded files beside
// them, and a manifest.json last) or into a single JSON document (the
// same parts as the members of "parts"; files are listed, not included).
//
// Nothing is gathered first: an Array part encodes each item as the
// exporter hands it over, so memory does not grow with the size of the
// export; exporters read their rows a page at a time.
//
// Files: export.go (the Writer and its parts), http.go (the response:
// format negotiation, headers, the manifest).
package export

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// FormatVersion is the version of the export's layout, in the manifest.
// Adding parts or fields keeps it; renaming or removing them bumps it.
const FormatVersion = 1

// Exporter is a component that writes what it holds about a user.
type Exporter interface {
	// Export writes userID's parts to w, reading rows a page at a time.
	// It must write only what userID may see.
	Export(ctx context.Context, userID string, w *Writer) error
}

// ExporterFunc adapts a function to Exporter.
type ExporterFunc func(ctx context.Context, userID string, w *Writer) error

// Export calls f.
func (f ExporterFunc) Export(ctx context.Context, userID string, w *Writer) error {
	return f(ctx, userID, w)
}

// Part is one part of an export, as the manifest lists it.
type Part struct {
	// Name is the part's name ("chat/messages"); in a zip its file is
	// Name + ".json" (files: Name itself).
	Name string `json:"name"`
	// Kind is "object" (one JSON value), "array" (a JSON array of
	// items) or "file" (an uploaded file, in the zip only).
	Kind string `json:"kind"`
	// Count is the items of an array part.
	Count int `json:"count,omitempty"`
	// Bytes is the size of a file part.
	Bytes int64 `json:"bytes,omitempty"`
}

// Writer streams the parts of one export. Parts are written one after
// another; starting a part ends the Array before it. It is not safe for
// concurrent use.
type Writer struct {
	zw    *zip.Writer   // the zip form; nil for the JSON form
	bw    *bufio.Writer // the JSON form's document
	parts []Part
	open  *Array
	files int
	bytes int64
	err   error // the first write error: every later call returns it
}

func newWriter(out io.Writer, asZip bool) *Writer {
	if asZip {
		return &Writer{zw: zip.NewWriter(out)}
	}
	return &Writer{bw: bufio.NewWriterSize(out, 32<<10)}
}

// NewZip is a Writer of the zip form on out.
func NewZip(out io.Writer) *Writer { return newWriter(out, true) }

// NewJSON is a Writer of the single-document form on out.
func NewJSON(out io.Writer) *Writer { return newWriter(out, false) }

// IncludesFiles reports whether File writes the bytes (the zip form);
// exporters skip reading blobs when it does not.
func (w *Writer) IncludesFiles() bool { return w.zw != nil }

// Parts are the parts written so far.
func (w *Writer) Parts() []Part { return w.parts }

// start ends an open array and begins the part p, returning where its
// JSON goes.
func (w *Writer) start(p Part) (io.Writer, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.open != nil {
		if err := w.open.Close(); err != nil {
			return nil, err
		}
	}
	for _, q := range w.parts {
		if q.Name == p.Name {
			return nil, w.fail(fmt.Errorf("export: part %q written twice", p.Name))
		}
	}
	w.parts = append(w.parts, p)
	if w.zw != nil {
		method := zip.Deflate
		name := p.Name + ".json"
		if p.Kind == "file" {
			method, name = zip.Store, p.Name // images are compressed already
		}
		f, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: time.Now().UTC()})
		return f, w.fail(err)
	}
	sep := ","
	if len(w.parts) == 1 {
		sep = ""
	}
	name, _ := json.Marshal(p.Name)
	_, err := fmt.Fprintf(w.bw, "%s\n%s:", sep, name)
	return w.bw, w.fail(err)
}

func (w *Writer) fail(err error) error {
	if err != nil && w.err == nil {
		w.err = err
	}
	return err
}

// Object writes the part name as the one JSON value v.
func (w *Writer) Object(name string, v any) error {
	out, err := w.start(Part{Name: name, Kind: "object"})
	if err != nil {
		return err
	}
	return w.fail(json.NewEncoder(out).Encode(v))
}

// Array begins the part name as a JSON array; Add its items, then Close
// it (or start the next part).
func (w *Writer) Array(name string) (*Array, error) {
	out, err := w.start(Part{Name: name, Kind: "array"})
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(out, "["); err != nil {
		return nil, w.fail(err)
	}
	a := &Array{w: w, out: out, enc: json.NewEncoder(out), part: len(w.parts) - 1}
	w.open = a
	return a, nil
}

// File writes an uploaded file as the part name (a path such as
// "media/med_1.png") from r. In the JSON form it is listed in the
// manifest, not included, and r is not read (size is what it lists).
func (w *Writer) File(name string, size int64, r io.Reader) error {
	if w.zw == nil {
		if w.err != nil {
			return w.err
		}
		if w.open != nil {
			if err := w.open.Close(); err != nil {
				return err
			}
		}
		w.parts = append(w.parts, Part{Name: name, Kind: "file", Bytes: size})
		w.files++
		w.bytes += size
		return nil
	}
	out, err := w.start(Part{Name: name, Kind: "file"})
	if err != nil {
		return err
	}
	n, err := io.Copy(out, r)
	w.parts[len(w.parts)-1].Bytes = n
	w.files++
	w.bytes += n
	return w.fail(err)
}

// Array is an array part being written.
type Array struct {
	w      *Writer
	out    io.Writer
	enc    *json.Encoder
	part   int
	n      int
	closed bool
}

// Add encodes v as the array's next item.
func (a *Array) Add(v any) error {
	if a.closed {
		return errors.New("export: item added to a closed part")
	}
	if a.w.err != nil {
		return a.w.err
	}
	sep := "\n"
	if a.n > 0 {
		sep = ",\n"
	}
	if _, err := io.WriteString(a.out, sep); err != nil {
		return a.w.fail(err)
	}
	// Encode appends a newline, which JSON allows between tokens.
	if err := a.enc.Encode(v); err != nil {
		return a.w.fail(err)
	}
	a.n++
	a.w.parts[a.part].Count = a.n
	return nil
}

// Close ends the array (again: nothing).
func (a *Array) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	if a.w.open == a {
		a.w.open = nil
	}
	_, err := io.WriteString(a.out, "]\n")
	return a.w.fail(err)
}

// Manifest describes a whole export (manifest.json, or the document's
// "manifest" member).
type Manifest struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	ExportedAt    time.Time `json:"exported_at"`
	UserID        string    `json:"user_id"`
	Username      string    `json:"username"`
	// Layout says how the export is laid out: "zip" or "json".
	Layout string `json:"layout"`
	Parts  []Part `json:"parts"`
	// Files and FileBytes count the uploaded files (in the zip only).
	Files     int    `json:"files"`
	FileBytes int64  `json:"file_bytes"`
	Note      string `json:"note,omitempty"`
}

// finish writes the manifest and ends the export.
func (w *Writer) finish(m Manifest) error {
	if w.err != nil {
		return w.err
	}
	if w.open != nil {
		if err := w.open.Close(); err != nil {
			return err
		}
	}
	m.Format, m.FormatVersion, m.Parts, m.Files, m.FileBytes = "plaza-export", FormatVersion, w.parts, w.files, w.bytes
	if m.Parts == nil {
		m.Parts = []Part{}
	}
	if w.zw != nil {
		m.Layout = "zip"
		f, err := w.zw.CreateHeader(&zip.FileHeader{Name: "manifest.json", Method: zip.Deflate, Modified: m.ExportedAt})
		if err != nil {
			return w.fail(err)
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		if err := enc.Encode(m); err != nil {
			return w.fail(err)
		}
		return w.fail(w.zw.Close())
	}
	m.Layout = "json"
	m.Note = "Uploaded files are listed here but included only in the zip form (GET /api/v1/me/export without Accept: application/json)."
	data, err := json.Marshal(m)
	if err != nil {
		return w.fail(err)
	}
	if _, err := fmt.Fprintf(w.bw, "\n},\n\"manifest\":%s}\n", data); err != nil {
		return w.fail(err)
	}
	return w.fail(w.bw.Flush())
}

// begin writes the JSON form's opening, before any part.
func (w *Writer) begin(m Manifest) error {
	if w.zw != nil {
		return nil
	}
	head, err := json.Marshal(struct {
		Format        string    `json:"format"`
		FormatVersion int       `json:"format_version"`
		ExportedAt    time.Time `json:"exported_at"`
		UserID        string    `json:"user_id"`
		Username      string    `json:"username"`
	}{"plaza-export", FormatVersion, m.ExportedAt, m.UserID, m.Username})
	if err != nil {
		return err
	}
	// {"format":…,"username":"…", then "parts":{ — the head without its
	// closing brace.
	_, err = fmt.Fprintf(w.bw, "%s,\n\"parts\":{", head[:len(head)-1])
	return w.fail(err)
}

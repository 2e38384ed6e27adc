package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		name, query, accept string
		want                Format
		err                 bool
	}{
		{"browser", "", "text/html,application/xhtml+xml,*/*;q=0.8", FormatZip, false},
		{"none", "", "", FormatZip, false},
		{"json", "", "application/json", FormatJSON, false},
		{"json_preferred", "", "application/zip;q=0.5, application/json", FormatJSON, false},
		{"zip_preferred", "", "application/zip, application/json;q=0.9", FormatZip, false},
		{"json_refused", "", "application/json;q=0", FormatZip, false},
		{"json_among_equals_not_first", "", "*/*, application/json", FormatZip, false},
		{"query_json", "format=json", "application/zip", FormatJSON, false},
		{"query_zip", "format=zip", "application/json", FormatZip, false},
		{"query_bad", "format=xml", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/v1/me/export?"+tc.query, nil)
			if tc.accept != "" {
				r.Header.Set("Accept", tc.accept)
			}
			got, err := Negotiate(r)
			if (err != nil) != tc.err || got != tc.want {
				t.Fatalf("Negotiate = %q, %v; want %q (error %v)", got, err, tc.want, tc.err)
			}
		})
	}
}

// parts is an exporter of an object, an array of n items and a file.
func parts(n int) Exporter {
	return ExporterFunc(func(ctx context.Context, userID string, w *Writer) error {
		if err := w.Object("a/profile", map[string]string{"id": userID}); err != nil {
			return err
		}
		a, err := w.Array("a/items")
		if err != nil {
			return err
		}
		for i := range n {
			if err := a.Add(map[string]int{"i": i}); err != nil {
				return err
			}
		}
		// The next part ends the array.
		return w.File("media/x.png", 3, strings.NewReader("png"))
	})
}

func TestBothFormsHoldTheSameParts(t *testing.T) {
	for _, n := range []int{0, 1, 1000} {
		var doc bytes.Buffer
		m, err := Write(context.Background(), &doc, FormatJSON, "u1", "eve", time.Now(), parts(n))
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			FormatVersion int `json:"format_version"`
			Parts         struct {
				Profile map[string]string `json:"a/profile"`
				Items   []map[string]int  `json:"a/items"`
			} `json:"parts"`
			Manifest Manifest `json:"manifest"`
		}
		if err := json.Unmarshal(doc.Bytes(), &v); err != nil {
			t.Fatalf("%d items: the JSON form is not JSON: %v\n%s", n, err, doc.Bytes())
		}
		if v.FormatVersion != 1 || v.Parts.Profile["id"] != "u1" || len(v.Parts.Items) != n || v.Manifest.Files != 1 || v.Manifest.Layout != "json" {
			t.Fatalf("%d items: %+v", n, v)
		}
		if len(m.Parts) != 3 || m.Parts[1].Count != n {
			t.Fatalf("manifest parts %+v", m.Parts)
		}

		var z bytes.Buffer
		if _, err := Write(context.Background(), &z, FormatZip, "u1", "eve", time.Now(), parts(n)); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(z.Bytes()), int64(z.Len()))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]byte{}
		for _, f := range zr.File {
			rc, _ := f.Open()
			got[f.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		var items []map[string]int
		if err := json.Unmarshal(got["a/items.json"], &items); err != nil || len(items) != n {
			t.Fatalf("a/items.json: %v %s", err, got["a/items.json"])
		}
		var man Manifest
		if err := json.Unmarshal(got["manifest.json"], &man); err != nil || man.Layout != "zip" || man.FileBytes != 3 || string(got["media/x.png"]) != "png" {
			t.Fatalf("zip: %v %+v %q", err, man, got["media/x.png"])
		}
	}
}

func TestAFailureBeforeTheFirstByteIsAnAnswer(t *testing.T) {
	boom := ExporterFunc(func(context.Context, string, *Writer) error { return errors.New("db down") })
	rec := httptest.NewRecorder()
	err := Serve(rec, httptest.NewRequest("GET", "/api/v1/me/export?format=json", nil), "u1", "eve", nil, boom)
	if err == nil || rec.Body.Len() != 0 || rec.Header().Get("Content-Disposition") != "" {
		t.Fatalf("err %v, body %q, headers %v", err, rec.Body.String(), rec.Header())
	}
}

func TestAPartTwiceIsRefused(t *testing.T) {
	w := NewZip(io.Discard)
	if err := w.Object("x", 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Object("x", 2); err == nil {
		t.Fatal("a part written twice")
	}
}

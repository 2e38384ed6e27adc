package chat_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// uploadAs uploads data as a part named file under name, declared with ?kind=.
func uploadAs(t *testing.T, c *nodetest.Client, kind, name string, data []byte) *nodetest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
	h.Set("Content-Type", "application/octet-stream")
	part, _ := w.CreatePart(h)
	part.Write(data)
	w.Close()
	return c.Do(t, "POST", "/api/v1/media?kind="+kind, body.Bytes(), "Content-Type", w.FormDataContentType())
}

func sendMsg(t *testing.T, c *nodetest.Client, conv string, body map[string]any) *nodetest.Response {
	t.Helper()
	return c.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", body)
}

// Voice messages: Ogg or WebM Opus only, measured by the server (whose
// duration the message carries, whatever the client says), at most 60 s.
func TestVoiceMessages(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		stranger := nodetest.Signup(t, n.URL(), "zed")
		conv := direct(t, ann, "ben")

		refused := []struct {
			name   string
			data   []byte
			status int
		}{
			{"ogg_61s", chat.OggOpus(61_000, 0), 400},
			{"webm_61s", chat.WebMOpus(61_000, 0, false), 400},
			{"ogg_61s_claiming_5s", chat.OggOpus(61_000, 5000), 400},
			{"webm_5s_claiming_61s", chat.WebMOpus(5000, 61_000, false), 400},
			{"png_as_voice", pngBytes(t), 400},
			{"mp3_as_voice", append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), make([]byte, 500)...), 400},
			{"webm_with_video", chat.WebMOpus(5000, 0, true), 400},
			{"ogg_cut_short", chat.OggOpus(5000, 0)[:1000], 400},
			{"empty", nil, 400},
			{"over_4_MiB", append(chat.OggOpus(1000, 0), make([]byte, chat.MaxVoiceBytes)...), 413},
		}
		for _, tc := range refused {
			r := uploadAs(t, ann, "voice", "voice.webm", tc.data)
			if r.Status != tc.status || (tc.status == 400 && r.Code() != "invalid_argument") {
				t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Body, tc.status)
			}
		}
		if got := rowCount(t, n, "media"); got != 0 {
			t.Fatalf("refused voice uploads left %d media rows", got)
		}

		ogg := uploadAs(t, ann, "voice", "voice.ogg", chat.OggOpus(5000, 0))
		if ogg.Status != 201 || ogg.Str("kind") != "voice" || ogg.Get("duration_ms") != 5000.0 || ogg.Str("content_type") != "audio/ogg" {
			t.Fatalf("ogg upload: %d %s", ogg.Status, ogg.Body)
		}
		webmBytes := chat.WebMOpus(3000, 0, false)
		webm := uploadAs(t, ann, "voice", "voice.webm", webmBytes)
		if webm.Status != 201 || webm.Get("duration_ms") != 3000.0 || webm.Str("content_type") != "audio/webm" {
			t.Fatalf("webm upload: %d %s", webm.Status, webm.Body)
		}
		if r := uploadAs(t, ann, "voice", "voice.ogg", chat.OggOpus(60_000, 0)); r.Status != 201 || r.Get("duration_ms") != 60_000.0 {
			t.Fatalf("exactly a minute: %d %s", r.Status, r.Body)
		}
		img := upload(t, ann, "dot.png", "image/png", pngBytes(t)).Str("media_id")
		file := uploadAs(t, ann, "file", "a.pdf", []byte("%PDF-1.4\n%%EOF\n")).Str("media_id")
		vid := webm.Str("media_id")

		for name, body := range map[string]map[string]any{
			"no_media_id":          {"client_id": "v0", "kind": "voice"},
			"an_image_as_voice":    {"client_id": "v1", "kind": "voice", "media_id": img},
			"a_file_as_voice":      {"client_id": "v2", "kind": "voice", "media_id": file},
			"voice_as_an_image":    {"client_id": "v3", "kind": "image", "media_id": vid},
			"voice_as_a_file":      {"client_id": "v4", "kind": "file", "media_id": vid},
			"with_text":            {"client_id": "v5", "kind": "voice", "media_id": vid, "text": "hi"},
			"over_a_minute_claim":  {"client_id": "v6", "kind": "voice", "media_id": vid, "duration_ms": 60_001},
			"negative_duration":    {"client_id": "v7", "kind": "voice", "media_id": vid, "duration_ms": -1},
			"unknown_upload":       {"client_id": "v8", "kind": "voice", "media_id": "med_nope"},
			"voice_with_file_name": {"client_id": "v9", "kind": "voice", "media_id": vid, "name": "x.webm"},
		} {
			if r := sendMsg(t, ann, conv, body); r.Status != 400 || r.Code() != "invalid_argument" {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if r := sendMsg(t, ben, conv, map[string]any{"client_id": "steal", "kind": "voice", "media_id": vid}); r.Status != 400 {
			t.Fatalf("ben sent ann's voice: %d %s", r.Status, r.Body)
		}
		if r := ben.Do(t, "GET", "/api/v1/media/"+vid, nil); r.Status != 404 {
			t.Fatalf("ben heard a voice not yet sent to him: %d", r.Status)
		}

		sock := ben.Dial(t)
		defer sock.Close()
		m := sendMsg(t, ann, conv, map[string]any{"client_id": "voice-1", "kind": "voice", "media_id": vid, "duration_ms": 1234})
		if m.Status != 201 || m.Str("message.kind") != "voice" || m.Get("message.duration_ms") != 3000.0 || m.Str("message.media_url") != "/api/v1/media/"+vid {
			t.Fatalf("voice message: %d %s", m.Status, m.Body)
		}
		f := sock.Next(t, 10*time.Second, nodetest.IsMessage(conv))
		if f.Str("message.kind") != "voice" || f.Num("message.duration_ms") != 3000 {
			t.Fatalf("ben's frame: %v", f)
		}
		again := sendMsg(t, ann, conv, map[string]any{"client_id": "voice-1", "kind": "voice", "media_id": vid})
		if again.Status != 200 || again.Str("message.id") != m.Str("message.id") || again.Get("message.duration_ms") != 3000.0 {
			t.Fatalf("the same client_id again: %d %s", again.Status, again.Body)
		}
		list := ben.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?after_seq=0", nil)
		items, _ := list.JSON["items"].([]any)
		last, _ := items[len(items)-1].(map[string]any)
		if last["kind"] != "voice" || last["duration_ms"] != 3000.0 {
			t.Fatalf("ben's history: %s", list.Body)
		}

		got := ben.Do(t, "GET", "/api/v1/media/"+vid, nil)
		if got.Status != 200 || !bytes.Equal(got.Body, webmBytes) || got.Header.Get("Content-Type") != "audio/webm" ||
			got.Header.Get("Accept-Ranges") != "bytes" || got.Header.Get("Content-Disposition") != "" {
			t.Fatalf("ben's download: %d %v", got.Status, got.Header)
		}
		part := ben.Do(t, "GET", "/api/v1/media/"+vid, nil, "Range", "bytes=4-13")
		if part.Status != 206 || !bytes.Equal(part.Body, webmBytes[4:14]) {
			t.Fatalf("a range of it: %d %q", part.Status, part.Body)
		}
		if r := stranger.Do(t, "GET", "/api/v1/media/"+vid, nil); r.Status != 404 {
			t.Fatalf("a stranger heard it: %d", r.Status)
		}
	})
}

// Files: any bytes up to 100 MiB, but the name must not lie about them;
// downloads are attachments under the original name, never pages.
func TestFileMessages(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		stranger := nodetest.Signup(t, n.URL(), "zed")
		conv := direct(t, ann, "ben")
		exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 300)...)
		zip := append([]byte("PK\x03\x04\x14\x00\x00\x00"), []byte("[Content_Types].xml")...)
		cases := []struct {
			name, file string
			data       []byte
			status     int
			typ        string
		}{
			{"pdf", "报告 Q3.pdf", []byte("%PDF-1.7\n1 0 obj\n%%EOF\n"), 201, "application/pdf"},
			{"docx_is_a_zip", "report.docx", zip, 201, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
			{"program_named_as_one", "setup.exe", exe, 201, "application/vnd.microsoft.portable-executable"},
			{"page_named_as_one", "page.html", []byte("<html><script>alert(1)</script></html>"), 201, "text/html"},
			{"unknown_bytes_unknown_name", "data.bin", []byte{0, 1, 2, 3, 250, 251}, 201, "application/octet-stream"},
			{"text_without_extension", "README", []byte("hello\n"), 201, "application/octet-stream"},
			{"png_that_is_a_program", "photo.png", exe, 400, ""},
			{"png_that_is_a_zip", "photo.png", zip, 400, ""},
			{"pdf_that_is_a_page", "invoice.pdf", []byte("<html><body>pay here</body></html>"), 400, ""},
			{"text_that_is_a_program", "notes.txt", exe, 400, ""},
			{"program_without_a_name", "setup", exe, 400, ""},
			{"program_as_a_document", "invoice.docx.scr", exe, 400, ""},
			{"empty", "a.txt", nil, 400, ""},
		}
		ids := map[string]string{}
		for _, tc := range cases {
			r := uploadAs(t, ann, "file", tc.file, tc.data)
			if r.Status != tc.status || (tc.status == 201 && (r.Str("content_type") != tc.typ || r.Str("name") != tc.file || r.Get("size") != float64(len(tc.data)))) {
				t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
			}
			if tc.status == 400 && (r.Code() != "invalid_argument" || !strings.Contains(r.Str("error.message"), "")) {
				t.Errorf("%s: %s", tc.name, r.Body)
			}
			ids[tc.name] = r.Str("media_id")
		}
		if got := rowCount(t, n, "media"); got != 6 {
			t.Fatalf("%d media rows, want the 6 accepted", got)
		}
		pdf := ids["pdf"]
		if r := sendMsg(t, ann, conv, map[string]any{"client_id": "f0", "kind": "file", "media_id": pdf, "name": "other.pdf"}); r.Status != 400 {
			t.Fatalf("a name that is not the upload's: %d %s", r.Status, r.Body)
		}
		if r := sendMsg(t, ann, conv, map[string]any{"client_id": "f1", "kind": "file", "media_id": pdf, "size": 5}); r.Status != 400 {
			t.Fatalf("a size that is not the upload's: %d %s", r.Status, r.Body)
		}
		if r := sendMsg(t, ben, conv, map[string]any{"client_id": "f2", "kind": "file", "media_id": pdf}); r.Status != 400 {
			t.Fatalf("ben sent ann's file: %d %s", r.Status, r.Body)
		}
		m := sendMsg(t, ann, conv, map[string]any{"client_id": "f3", "kind": "file", "media_id": pdf, "name": "报告 Q3.pdf"})
		if m.Status != 201 || m.Str("message.name") != "报告 Q3.pdf" || m.Get("message.size") != 23.0 || m.Str("message.content_type") != "application/pdf" {
			t.Fatalf("file message: %d %s", m.Status, m.Body)
		}
		got := ben.Do(t, "GET", "/api/v1/media/"+pdf, nil)
		_, params, err := mime.ParseMediaType(got.Header.Get("Content-Disposition"))
		if got.Status != 200 || err != nil || params["filename"] != "报告 Q3.pdf" || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment;") ||
			got.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(got.Header.Get("Content-Security-Policy"), "sandbox") ||
			got.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("ben's download: %d %v (%v)", got.Status, got.Header, err)
		}
		page := ids["page_named_as_one"]
		if r := sendMsg(t, ann, conv, map[string]any{"client_id": "f4", "kind": "file", "media_id": page}); r.Status != 201 {
			t.Fatalf("sending the page: %d %s", r.Status, r.Body)
		}
		if r := ben.Do(t, "GET", "/api/v1/media/"+page, nil); r.Header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("an HTML file must download, never render: %v", r.Header)
		}
		if r := stranger.Do(t, "GET", "/api/v1/media/"+pdf, nil); r.Status != 404 {
			t.Fatalf("a stranger downloaded it: %d", r.Status)
		}
		if r := ben.Do(t, "GET", "/api/v1/media/"+ids["docx_is_a_zip"], nil); r.Status != 404 {
			t.Fatalf("ben downloaded a file never sent to him: %d", r.Status)
		}
		if r := uploadAs(t, ann, "song", "a.mp3", []byte("ID3")); r.Status != 400 {
			t.Fatalf("an unknown kind: %d", r.Status)
		}
	})
}

// zeros is an endless reader of a repeating, not all-zero pattern.
type pattern struct{ n int64 }

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(p.n*7 + p.n>>13)
		p.n++
	}
	return len(b), nil
}

// streamUpload uploads size bytes of pattern as a file, generated as the
// request is sent (the test holds none of it).
func streamUpload(t testing.TB, c *nodetest.Client, name string, size int64) (*http.Response, [32]byte) {
	t.Helper()
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	h := sha256.New()
	go func() {
		part, _ := w.CreateFormFile("file", name)
		_, err := io.Copy(io.MultiWriter(part, h), io.LimitReader(&pattern{}, size))
		if err == nil {
			err = w.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", c.Base+"/api/v1/media?kind=file", pr)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.Token)
	// 100 MiB into PostgreSQL on a loaded CI machine outlasted the
	// client's 30 s: the tests here assert memory and bytes, not speed.
	slow := *c.HTTP
	slow.Timeout = 5 * time.Minute
	resp, err := slow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return resp, sum
}

// peakHeap samples the heap until stop is closed and returns its peak.
func peakHeap(stop chan struct{}) func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { <-done; return peak.Load() }
}

// A 100 MiB file streams in and out without the node holding it in
// memory; a byte more is refused and leaves nothing stored. On each
// database in turn (not in parallel with other tests), so that the heap
// it measures, from the node's start to the download's end, is its own.
func TestHundredMiBFile(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 200 MiB")
	}
	for _, db := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		t.Run(db.name, func(t *testing.T) {
			var dir string
			n := nodetest.Start(t, nodetest.Options{Postgres: db.postgres, Tune: func(c *node.Config) { dir = c.DataDir }})
			hundredMiB(t, n, dir)
		})
	}
}

func hundredMiB(t *testing.T, n *node.Node, dir string) {
	{
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		conv := direct(t, ann, "ben")

		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := make(chan struct{})
		peak := peakHeap(stop)
		defer func() {
			close(stop)
			growth := int64(peak()) - int64(before.HeapInuse)
			t.Logf("peak heap growth while the node took a 100 MiB + 1 byte file, took a 100 MiB file and served it: %d MiB", growth>>20)
			if growth > 32<<20 {
				t.Errorf("the heap grew by %d MiB: uploads are not streamed", growth>>20)
			}
		}()
		resp, _ := streamUpload(t, ann, "big.bin", chat.MaxFileBytes+1)
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Fatalf("100 MiB + 1 byte: %d", resp.StatusCode)
		}
		if rows, chunks := rowCount(t, n, "media"), rowCount(t, n, "media_chunks"); rows != 0 || chunks != 0 {
			t.Fatalf("the refused upload left %d rows and %d chunks", rows, chunks)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, "blobs", "*", "*")); len(left) != 0 {
			t.Errorf("the refused upload left files: %v", left)
		}

		resp, sum := streamUpload(t, ann, "big.bin", chat.MaxFileBytes)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("100 MiB: %d %s", resp.StatusCode, body)
		}
		id := string(bytes.Split(bytes.Split(body, []byte(`"media_id":"`))[1], []byte(`"`))[0])
		if r := sendMsg(t, ann, conv, map[string]any{"client_id": "big", "kind": "file", "media_id": id}); r.Status != 201 || r.Get("message.size") != float64(chat.MaxFileBytes) {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
		req, _ := http.NewRequest("GET", n.URL()+"/api/v1/media/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+ben.Token)
		slow := *ben.HTTP
		slow.Timeout = 5 * time.Minute // the body's 100 MiB count against a client's timeout
		dl, err := slow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer dl.Body.Close()
		h := sha256.New()
		got, err := io.Copy(h, dl.Body)
		if err != nil || dl.StatusCode != 200 || got != chat.MaxFileBytes || !bytes.Equal(h.Sum(nil), sum[:]) {
			t.Fatalf("ben's download: %d, %d bytes, %v", dl.StatusCode, got, err)
		}
	}
}

// BenchmarkUpload100MiB streams 100 MiB files in (and out, hashed), on
// SQLite files and PostgreSQL chunks, reporting MB/s and the heap's peak
// growth over the node's resting heap.
func BenchmarkUpload100MiB(b *testing.B) {
	for _, db := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		b.Run(db.name, func(b *testing.B) {
			n := nodetest.Start(b, nodetest.Options{Postgres: db.postgres})
			ann := nodetest.Signup(b, n.URL(), "ann")
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			stop := make(chan struct{})
			peak := peakHeap(stop)
			b.SetBytes(chat.MaxFileBytes)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				resp, _ := streamUpload(b, ann, "big.bin", chat.MaxFileBytes)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 201 {
					b.Fatalf("upload: %d", resp.StatusCode)
				}
				b.StopTimer()
				if _, err := n.DB.Exec(context.Background(), `DELETE FROM media`); err != nil { // stay under the quota
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.StopTimer()
			close(stop)
			b.ReportMetric(float64(int64(peak())-int64(before.HeapInuse))/(1<<20), "peak-heap-MiB")
		})
	}
}

// An erased account's voice and file messages keep their seq but lose
// their content: no name, size, type or duration, in the API or the
// table; the uploads and their bytes (chunks on PostgreSQL) go too.
func TestErasureEmptiesVoiceAndFiles(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann, ben := u[0], u[1]
		conv := direct(t, ann, "ben")
		v := uploadAs(t, ann, "voice", "v.ogg", chat.OggOpus(2000, 0)).Str("media_id")
		f := uploadAs(t, ann, "file", "secret plan.pdf", []byte("%PDF-1.4\n%%EOF\n")).Str("media_id")
		for i, body := range []map[string]any{{"client_id": "v", "kind": "voice", "media_id": v}, {"client_id": "f", "kind": "file", "media_id": f}} {
			if r := sendMsg(t, ann, conv, body); r.Status != 201 {
				t.Fatalf("send %d: %d %s", i, r.Status, r.Body)
			}
		}
		if r := ann.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}); r.Status != 204 {
			t.Fatalf("erase: %d %s", r.Status, r.Body)
		}
		ms := ben.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?after_seq=0", nil)
		if ms.Status != 200 || bytes.Contains(ms.Body, []byte("secret plan")) || bytes.Contains(ms.Body, []byte("duration_ms")) || bytes.Contains(ms.Body, []byte(`"size"`)) {
			t.Fatalf("after the erasure ben reads %s", ms.Body)
		}
		var left int
		if err := n.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM messages WHERE media_name IS NOT NULL OR duration_ms IS NOT NULL OR media_size IS NOT NULL`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d messages keep voice or file content (%v)", left, err)
		}
		if rows, chunks := rowCount(t, n, "media"), rowCount(t, n, "media_chunks"); rows != 0 || chunks != 0 {
			t.Fatalf("the erased user's uploads left %d rows and %d chunks", rows, chunks)
		}
		if r := ben.Do(t, "GET", "/api/v1/media/"+f, nil); r.Status != 404 {
			t.Fatalf("the erased file still downloads: %d", r.Status)
		}
	})
}

// An upload that names no kind (a client that knows only "POST /media")
// is recognised from its bytes: an Opus clip is a voice upload, an image
// an image, anything else a file; each is sent as what it was recognised as.
func TestUploadWithoutKindIsRecognised(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		u := people(t, n, "ann", "ben")
		ann := u[0]
		conv := direct(t, ann, "ben")
		for _, tc := range []struct {
			name, file string
			data       []byte
			kind       string
		}{
			{"ogg_opus", "clip.ogg", chat.OggOpus(4000, 0), "voice"},
			{"webm_opus", "clip.webm", chat.WebMOpus(3000, 0, false), "voice"},
			{"png", "photo.png", pngBytes(t), "image"},
			{"pdf", "report.pdf", append([]byte("%PDF-1.7\n"), make([]byte, 300)...), "file"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				up := upload(t, ann, tc.file, "application/octet-stream", tc.data)
				if up.Status != 201 {
					t.Fatalf("upload: %d %s", up.Status, up.Body)
				}
				if tc.kind != "image" && up.Str("kind") != tc.kind {
					t.Fatalf("recognised as %q, want %q: %s", up.Str("kind"), tc.kind, up.Body)
				}
				m := sendMsg(t, ann, conv, map[string]any{"client_id": "as-" + tc.name, "kind": tc.kind, "media_id": up.Str("media_id")})
				if m.Status != 201 || m.Str("message.kind") != tc.kind {
					t.Fatalf("send as %s: %d %s", tc.kind, m.Status, m.Body)
				}
			})
		}
		doc := upload(t, ann, "notes.pdf", "application/pdf", append([]byte("%PDF-1.4\n"), make([]byte, 100)...)).Str("media_id")
		if m := sendMsg(t, ann, conv, map[string]any{"client_id": "doc-voice", "kind": "voice", "media_id": doc}); m.Status != 400 {
			t.Fatalf("a file sent as voice: %d %s", m.Status, m.Body)
		}
		// A long Opus clip without a kind is a voice upload, refused as one.
		if r := upload(t, ann, "long.ogg", "audio/ogg", chat.OggOpus(61_000, 0)); r.Status != 400 {
			t.Fatalf("61 s clip: %d %s", r.Status, r.Body)
		}
	})
}

package node_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// seedMessages writes n messages of about size bytes each from the two
// members of a direct conversation straight into the table (the export is
// what is measured, not sending), then the conversation's last_seq.
func seedMessages(t *testing.T, n *node.Node, convID string, senders []string, count, size int) {
	t.Helper()
	ctx := context.Background()
	text := "长" + strings.Repeat("message text ", size/13+1)[:size]
	const per = 100
	err := n.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		for start := 1; start <= count; start += per {
			var q strings.Builder
			q.WriteString(`INSERT INTO messages (id, conversation_id, seq, sender_id, kind, text, client_id, media_id, ref_id, created_at) VALUES `)
			var args []any
			for seq := start; seq < start+per && seq <= count; seq++ {
				if seq > start {
					q.WriteString(",")
				}
				q.WriteString("(?, ?, ?, ?, 'text', ?, ?, NULL, NULL, ?)")
				args = append(args, ids.New("m"), convID, seq, senders[seq%len(senders)], fmt.Sprintf("%d %s", seq, text), ids.New("c"), time.Now().UnixMicro())
			}
			if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE conversations SET last_seq = ? WHERE id = ?`, count, convID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// heapObjects is the bytes of live and not yet swept heap objects (what
// runtime.MemStats.HeapAlloc reports), read without stopping the world.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// exportFigures downloads the caller's zip and measures it: wall time,
// bytes, and the peak of the process's heap above where it stood before
// (the node and the client share the process; the client discards what it
// reads).
type exportFigures struct {
	elapsed  time.Duration
	bytes    int64
	peakHeap uint64
}

func measureExport(t *testing.T, c *nodetest.Client) exportFigures {
	t.Helper()
	runtime.GC()
	base := heapObjects()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			if h := heapObjects(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	req, _ := http.NewRequest("GET", c.Base+"/api/v1/me/export", nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("export: %d %v", resp.StatusCode, err)
	}
	growth := uint64(0)
	if p := peak.Load(); p > base {
		growth = p - base
	}
	return exportFigures{elapsed: elapsed, bytes: n, peakHeap: growth}
}

// A user with 10,000 messages (2 KB each, 20 MB of text) and 100 images
// (about 100 KB each) gets their export streamed: the heap's peak during
// the export does not grow with the number of messages (1,000 against
// 10,000: nine thousand more messages, 18 MB more text, add less than
// 8 MiB, which they would if the export were gathered before it is sent).
// Not parallel: the heap is the process's, measured with a low GC target so
// that garbage does not hide growth. The time is logged, not asserted: on a
// loaded CI machine with that GC target it measured the machine (1.3 s
// here, 20 s there), not the export.
//
//	go test ./internal/node -run TestExportMemoryDoesNotGrowWithMessages -v
func TestExportMemoryDoesNotGrowWithMessages(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 11,000 messages and 100 images")
	}
	for _, db := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			n := nodetest.Start(t, nodetest.Options{Postgres: db.postgres})
			figures := map[int]exportFigures{}
			for _, count := range []int{1_000, 10_000} {
				eve := nodetest.Signup(t, n.URL(), fmt.Sprintf("eve%d", count))
				fay := nodetest.Signup(t, n.URL(), fmt.Sprintf("fay%d", count))
				nodetest.Befriend(t, eve, fay, fmt.Sprintf("fay%d", count))
				eveID := eve.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
				fayID := fay.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
				conv := conversation(t, eve, map[string]any{"type": "direct", "username": fmt.Sprintf("fay%d", count)})
				seedMessages(t, n, conv, []string{eveID, fayID}, count, 2_000)
				var imageBytes int
				for i := range 100 {
					img := testPNG(count+i, 160)
					imageBytes += len(img)
					if _, err := n.Chat.Upload(ctx, eveID, "", img); err != nil {
						t.Fatal(err)
					}
				}
				old := debug.SetGCPercent(10)
				f := measureExport(t, eve)
				debug.SetGCPercent(old)
				figures[count] = f
				t.Logf("%s: %d messages + 100 images (%.1f MB): export %.1f MB in %v, peak heap growth %.1f MiB",
					db.name, count, float64(imageBytes)/1e6, float64(f.bytes)/1e6, f.elapsed.Round(time.Millisecond), float64(f.peakHeap)/(1<<20))
			}
			small, big := figures[1_000], figures[10_000]
			if big.peakHeap > small.peakHeap+8<<20 {
				t.Fatalf("the heap grows with the messages: peak +%.1f MiB for 1,000, +%.1f MiB for 10,000",
					float64(small.peakHeap)/(1<<20), float64(big.peakHeap)/(1<<20))
			}
		})
	}
}

// The zip of a big export is whole: every message and image is in it.
func TestBigExportIsComplete(t *testing.T) {
	t.Parallel()
	n := nodetest.Start(t, nodetest.Options{})
	ctx := context.Background()
	eve := nodetest.Signup(t, n.URL(), "eve")
	fay := nodetest.Signup(t, n.URL(), "fay")
	nodetest.Befriend(t, eve, fay, "fay")
	eveID := eve.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
	conv := conversation(t, eve, map[string]any{"type": "direct", "username": "fay"})
	seedMessages(t, n, conv, []string{eveID}, 1_234, 50)
	for i := range 5 {
		if _, err := n.Chat.Upload(ctx, eveID, "", testPNG(i, 20)); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := exportZip(t, eve)
	msgs := jsonOf(t, files["chat/messages/"+conv+".json"]).([]any)
	if len(msgs) != 1_234 {
		t.Fatalf("%d messages in the zip, want 1234", len(msgs))
	}
	for i, m := range msgs {
		if int(m.(map[string]any)["seq"].(float64)) != i+1 {
			t.Fatalf("message %d has seq %v", i+1, m.(map[string]any)["seq"])
		}
	}
	images := 0
	for name, data := range files {
		if strings.HasPrefix(name, "media/") {
			images++
			if !bytes.HasPrefix(data, []byte("\x89PNG")) {
				t.Fatalf("%s is not the PNG uploaded", name)
			}
		}
	}
	if images != 5 {
		t.Fatalf("%d images in the zip, want 5", images)
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// Three nodes on one PostgreSQL and one NATS. Senders post to node 1 while
// it is killed with SIGKILL; every message it acknowledged is there when
// read through node 2, in a gapless sequence.
func TestKilledNodeLosesNoAcknowledgedMessage(t *testing.T) {
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	db := dbtest.PostgresURL(t)
	args := []string{"--db", db, "--nats", natsURL, "--bus-prefix", "kill" + ids.Token(5), "--rate-account", "0"}
	n1, _ := start(t, nil, append([]string{"--data", t.TempDir()}, args...)...)
	n2, _ := start(t, nil, append([]string{"--data", t.TempDir()}, args...)...)
	n3, _ := start(t, nil, append([]string{"--data", t.TempDir()}, args...)...)

	ann := nodetest.Signup(t, n1.url, "ann")
	ben := nodetest.Signup(t, n2.url, "ben")
	nodetest.Befriend(t, ann, ben, "ben")
	r := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ben"})
	conv := r.Str("conversation.id")
	benOn3 := &nodetest.Client{Base: n3.url, Token: ben.Token, HTTP: ben.HTTP}
	socket := benOn3.Dial(t)

	var acked sync.Map // client_id → seq
	var sent atomic.Int64
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 5 * time.Second}
			for i := 0; ; i++ {
				id := fmt.Sprintf("w%d-%d", w, i)
				body := fmt.Sprintf(`{"client_id":%q,"kind":"text","text":"n1 says %d"}`, id, i)
				req, _ := http.NewRequest("POST", n1.url+"/api/v1/conversations/"+conv+"/messages", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+ann.Token)
				resp, err := client.Do(req)
				if err != nil {
					return // the node is gone
				}
				var out struct {
					Message struct{ Seq int64 } `json:"message"`
				}
				json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if resp.StatusCode == 201 {
					acked.Store(id, out.Message.Seq)
					sent.Add(1)
				}
			}
		}()
	}
	// Let traffic flow, then kill node 1 without warning.
	deadline := time.Now().Add(10 * time.Second)
	for sent.Load() < 200 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := n1.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	<-n1.done
	if sent.Load() < 50 {
		t.Fatalf("only %d messages were acknowledged before the kill", sent.Load())
	}

	// Node 2 has every acknowledged message, gapless.
	benOn2 := &nodetest.Client{Base: n2.url, Token: ben.Token, HTTP: ben.HTTP}
	have := map[string]int64{}
	var after int64
	for {
		page := benOn2.Do(t, "GET", fmt.Sprintf("/api/v1/conversations/%s/messages?after_seq=%d&limit=200", conv, after), nil)
		items, _ := page.Get("items").([]any)
		for _, it := range items {
			m := it.(map[string]any)
			seq := int64(m["seq"].(float64))
			if seq != after+1 {
				t.Fatalf("gap: seq %d after %d", seq, after)
			}
			after = seq
			have[m["client_id"].(string)] = seq
		}
		if page.Str("next_cursor") == "" {
			break
		}
	}
	missing := 0
	acked.Range(func(k, v any) bool {
		if have[k.(string)] != v.(int64) {
			missing++
		}
		return true
	})
	if missing > 0 {
		t.Fatalf("%d acknowledged messages are missing or moved after the kill", missing)
	}
	t.Logf("%d acknowledged before SIGKILL, %d stored; all acknowledged present", sent.Load(), len(have))

	// Node 3's socket heard node 1's messages live.
	if _, ok := socket.Wait(5*time.Second, nodetest.IsMessage(conv)); !ok {
		t.Fatal("ben's socket on node 3 heard nothing from node 1")
	}
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
)

// A load of transfers, top-ups and withdrawals; the node is killed with
// SIGKILL at random moments and restarted on the same database, and every
// client retries what got no answer with the same Idempotency-Key.
// Afterwards the ledger balances, every hold and pending account matches
// its open items, no key was applied twice, and every acknowledged
// transaction is there.
func TestLedgerSurvivesKill9(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { kill9(t, []string{"--data", t.TempDir()}) })
	t.Run("postgres", func(t *testing.T) {
		db := dbtest.PostgresURL(t)
		kill9(t, []string{"--data", t.TempDir(), "--db", db})
	})
}

func kill9(t *testing.T, store []string) {
	args := append([]string{"--rate-account", "0", "--sandbox-rail"}, store...)
	p, _ := start(t, nil, args...)
	const users = 6
	cs := make([]*nodetest.Client, users)
	for i := range users {
		cs[i] = nodetest.Signup(t, p.url, fmt.Sprintf("k9_%d", i))
		cs[i].Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "135790", "password": "correct horse"})
		if r := cs[i].Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 10_000, "currency": "CNY"}, "Idempotency-Key", "seed"); r.Status != 201 {
			t.Fatalf("top-up: %d %s", r.Status, r.Body)
		}
	}
	var mu sync.Mutex
	base := p.url
	acked := map[string]string{} // idempotency key → transaction id
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 3 * time.Second}
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("u%d-%d", i, k)
				body := fmt.Sprintf(`{"username":"k9_%d","amount":%d,"currency":"CNY","pin":"135790"}`, (i+1+k%(users-1))%users, 1+k%300)
				path := "/api/v1/wallet/transfers"
				switch k % 7 { // top-ups and withdrawals too: money in flight at each kill
				case 3:
					path, body = "/api/v1/wallet/topups", fmt.Sprintf(`{"amount":%d,"currency":"CNY"}`, 1+k%50)
				case 5:
					path, body = "/api/v1/wallet/withdrawals", fmt.Sprintf(`{"amount":%d,"currency":"CNY","pin":"135790"}`, 1+k%100)
				}
				for { // retry with the same key until an answer comes
					mu.Lock()
					url := base
					mu.Unlock()
					req, _ := http.NewRequest("POST", url+path, strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+cs[i].Token)
					req.Header.Set("Idempotency-Key", key)
					resp, err := client.Do(req)
					if err != nil {
						select {
						case <-stop:
							return
						case <-time.After(20 * time.Millisecond):
							continue
						}
					}
					var out struct {
						Transaction struct{ ID string }   `json:"transaction"`
						Error       struct{ Code string } `json:"error"`
					}
					json.NewDecoder(resp.Body).Decode(&out)
					resp.Body.Close()
					if resp.StatusCode == 201 || resp.StatusCode == 200 {
						mu.Lock()
						if prev, ok := acked[key]; ok && prev != out.Transaction.ID {
							t.Errorf("key %s answered %s, then %s", key, prev, out.Transaction.ID)
						}
						acked[key] = out.Transaction.ID
						mu.Unlock()
					} else if out.Error.Code != "insufficient_funds" && resp.StatusCode < 500 {
						t.Errorf("transfer: %d %s", resp.StatusCode, out.Error.Code)
					}
					break
				}
			}
		}()
	}
	// progress waits until the clients have had n more answers: each kill
	// lands after a random amount of work, on a node that was serving.
	progress := func(n int) {
		t.Helper()
		mu.Lock()
		want := len(acked) + n
		mu.Unlock()
		nodetest.WaitFor(t, 60*time.Second, func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(acked) >= want
		})
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for round := range 3 {
		progress(5 + rng.IntN(20))
		p.cmd.Process.Kill()
		<-p.done
		np, _ := start(t, nil, args...)
		mu.Lock()
		p, base = np, np.url
		mu.Unlock()
		t.Logf("round %d: restarted", round)
	}
	progress(5) // the last node serves too
	close(stop)
	wg.Wait()
	p.stop(t)

	out, err := exec.Command(binary, append([]string{"admin", "check-ledger"}, store...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("check-ledger: %v\n%s", err, out)
	}
	var c struct {
		Balanced      bool  `json:"balanced"`
		Reconciled    bool  `json:"reconciled"`
		Transfers     int64 `json:"transfers"`
		DuplicateKeys int64 `json:"duplicate_keys"`
	}
	json.Unmarshal(out, &c)
	if !c.Balanced || !c.Reconciled || c.DuplicateKeys != 0 {
		t.Fatalf("after kills: %s", out)
	}
	// Every acknowledged transfer is in the ledger, once.
	p2, _ := start(t, nil, args...)
	seen := map[string]bool{}
	for _, cl := range cs {
		cl.Base = p2.url
		for cursor := ""; ; {
			page := cl.Do(t, "GET", "/api/v1/wallet/transactions?limit=200&cursor="+cursor, nil)
			for _, it := range page.Get("items").([]any) {
				seen[it.(map[string]any)["id"].(string)] = true
			}
			if cursor = page.Str("next_cursor"); cursor == "" {
				break
			}
		}
	}
	missing := 0
	for _, id := range acked {
		if !seen[id] {
			missing++
		}
	}
	if missing > 0 || len(acked) < 20 {
		t.Fatalf("%d of %d acknowledged transfers missing", missing, len(acked))
	}
	t.Logf("%d acknowledged transfers across 3 SIGKILLs; ledger %s", len(acked), strings.TrimSpace(string(out)))
}

// check-ledger reconciles money in flight: a pending withdrawal with no
// hold of its own (what a refused withdrawal used to leave, H3) makes it
// say so in its JSON and exit 1, though every sum balances.
func TestCheckLedgerReconcilesHolds(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	ctx := context.Background()
	db, err := node.OpenDB(ctx, node.Config{DataDir: data, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO withdrawals (id, user_id, amount, currency, status, rail, created_at, updated_at)
		VALUES ('wd_phantom', 'usr_a', 1000, 'CNY', 'pending', 'sandbox', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	cmd := exec.Command(binary, "admin", "check-ledger", "--data", data)
	out, err := cmd.Output()
	var c struct {
		Balanced   bool  `json:"balanced"`
		Reconciled bool  `json:"reconciled"`
		Unfunded   int64 `json:"unfunded_items"`
	}
	json.Unmarshal(out, &c)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !c.Balanced || c.Reconciled || c.Unfunded != 1 {
		t.Fatalf("check-ledger: %v %s", err, out)
	}
}

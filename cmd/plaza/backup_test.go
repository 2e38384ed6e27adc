package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// plaza admin backup copies a SQLite database while a node writes to it;
// the copy opens, passes check-ledger and holds what was written before.
func TestOnlineBackupWhileWriting(t *testing.T) {
	data := t.TempDir()
	// PLAZA_SANDBOX_RAIL: top-ups need the sandbox rail where it is a flag.
	p, _ := start(t, []string{"PLAZA_SANDBOX_RAIL=true"}, "--data", data, "--rate-account", "0", "--rate-ip", "0")
	const users = 4
	cs := make([]*nodetest.Client, users)
	for i := range users {
		cs[i] = nodetest.Signup(t, p.url, fmt.Sprintf("bk_%d", i))
		cs[i].Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "135790", "password": "correct horse"})
		if r := cs[i].Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 10_000, "currency": "CNY"}, "Idempotency-Key", "seed"); r.Status != 201 {
			t.Fatalf("top-up: %d %s", r.Status, r.Body)
		}
	}
	var (
		wg   sync.WaitGroup
		done atomic.Int64
		stop = make(chan struct{})
	)
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 5 * time.Second}
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"username":"bk_%d","amount":%d,"currency":"CNY","pin":"135790"}`, (i+1)%users, 1+k%50)
				req, _ := http.NewRequest("POST", p.url+"/api/v1/wallet/transfers", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+cs[i].Token)
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bk%d-%d", i, k))
				if resp, err := client.Do(req); err == nil {
					resp.Body.Close()
					done.Add(1)
				}
			}
		}()
	}
	// Back up once transfers are flowing, while they go on.
	for deadline := time.Now().Add(10 * time.Second); done.Load() < 20; {
		if time.Now().After(deadline) {
			t.Fatal("no transfers went through")
		}
		time.Sleep(10 * time.Millisecond)
	}
	copyDir := t.TempDir()
	to := filepath.Join(copyDir, "plaza.db")
	out, err := exec.Command(binary, "admin", "backup", "--data", data, "--to", to).CombinedOutput()
	during := done.Load()
	time.Sleep(100 * time.Millisecond) // let writes continue past the copy
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if after := done.Load(); after <= during {
		t.Logf("no writes after the backup (%d)", after)
	}
	// A second backup to the same file is refused, not overwritten.
	if out, err := exec.Command(binary, "admin", "backup", "--data", data, "--to", to).CombinedOutput(); err == nil || !strings.Contains(string(out), "exists") {
		t.Fatalf("backup over an existing file: %v %s", err, out)
	}
	out, err = exec.Command(binary, "admin", "check-ledger", "--data", copyDir).CombinedOutput()
	if err != nil {
		t.Fatalf("check-ledger on the backup: %v\n%s", err, out)
	}
	var c struct {
		Balanced  bool  `json:"balanced"`
		Transfers int64 `json:"transfers"`
	}
	json.Unmarshal(out, &c)
	if !c.Balanced || c.Transfers < 20 {
		t.Fatalf("backup's ledger: %s", out)
	}
	if fi, err := os.Stat(to); err != nil || fi.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	t.Logf("backup taken during %d transfers: %s", during, strings.TrimSpace(string(out)))
}

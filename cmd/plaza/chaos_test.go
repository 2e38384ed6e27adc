package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/bench"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
)

// The cluster survives losing parts: plaza bench chaos runs three nodes on
// its own PostgreSQL and a three-server NATS cluster under chat,
// transfers, red packets, merchant orders, refunds and notifications,
// kills -9 a node, kills -9 a NATS server and restarts PostgreSQL, and
// then finds every acknowledged outcome once, every conversation
// gapless, the ledger balanced, each notification received and processed
// once, every client's socket back and resynced. On SQLite the one node
// is killed -9 under the same load.
func TestClusterSurvivesLosingParts(t *testing.T) {
	t.Parallel()
	t.Run("postgres_nats_cluster", func(t *testing.T) {
		t.Parallel()
		natsServer, err := exec.LookPath("nats-server")
		if err != nil {
			if _, serr := os.Stat("/usr/sbin/nats-server"); serr != nil {
				dbtest.Require(t, "nats", "no nats-server executable to run a cluster of")
				return
			}
			natsServer = "/usr/sbin/nats-server"
		}
		if !havePGTools() {
			dbtest.Require(t, "postgres", "no initdb and pg_ctl to run a throw-away PostgreSQL with")
			return
		}
		res := runChaos(t, "--nats-server", natsServer)
		if len(res.Faults) != 3 {
			t.Fatalf("faults: %+v", res.Faults)
		}
		for _, f := range res.Faults {
			if len(f.ServeAgainMS) == 0 {
				t.Fatalf("no node served again after %q", f.Fault)
			}
		}
	})
	t.Run("sqlite_one_node", func(t *testing.T) {
		t.Parallel()
		res := runChaos(t, "--sqlite")
		if len(res.Faults) != 1 || res.Faults[0].ServeAgainMS["node 0"] == 0 {
			t.Fatalf("faults: %+v", res.Faults)
		}
	})
}

func havePGTools() bool {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for _, d := range append([]string{"/usr/local/bin"}, dirs...) {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return true
		}
	}
	_, err := exec.LookPath("pg_ctl")
	return err == nil
}

func runChaos(t *testing.T, args ...string) bench.ChaosResult {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"bench", "chaos", "--duration", "30s", "--settle", "90s"}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	runErr := cmd.Run()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var res bench.ChaosResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("bench chaos: %v\n%s\n%s", runErr, out.String(), errOut.String())
	}
	t.Logf("%s", lines[len(lines)-1])
	if runErr != nil || !res.OK {
		t.Fatalf("invariants broken: %v %q\n%s", runErr, res.Broken, errOut.String())
	}
	// The load ran, across the faults, on every part.
	a := res.Acked
	if a.Messages < 50 || a.Transfers < 50 || a.Claims < 5 || a.Orders < 10 || a.Refunds < 3 || a.Notifications < a.Orders+a.Refunds || a.Reconnects < 1 {
		t.Fatalf("too little load to prove anything: %+v", a)
	}
	return res
}

package trust_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

// TestImportCrashChild is the child of TestImportSurvivesKill9: it imports
// a large list into PLAZA_TRUST_CRASH_DB and is killed before it ends.
func TestImportCrashChild(t *testing.T) {
	url := os.Getenv("PLAZA_TRUST_CRASH_DB")
	if url == "" {
		t.Skip("run by TestImportSurvivesKill9")
	}
	ctx := context.Background()
	db, err := sqldb.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	s := newService(t, db, trust.Config{})
	if _, err := s.ImportCSV(ctx, "usr_admin", "", bigList(400_000, "NEW")); err != nil {
		t.Fatal(err)
	}
}

// TestImportSurvivesKill9 kills (SIGKILL) a process in the middle of an
// import, once the new version's rows are being written: the old list is
// whole, every node that starts screens against it, and the next import
// removes what the dead one left.
func TestImportSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("a child process")
	}
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			var url string
			if dialect == "sqlite" {
				url = filepath.Join(t.TempDir(), "plaza.db")
			} else {
				url = dbtest.PostgresURL(t)
			}
			ctx := context.Background()
			db, err := sqldb.Open(ctx, url, "")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(ctx, quiet, sets...); err != nil {
				t.Fatal(err)
			}
			s := newService(t, db, trust.Config{})
			old, err := s.ImportCSV(ctx, "usr_admin", "", bigList(3000, "OLD"))
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestImportCrashChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "PLAZA_TRUST_CRASH_DB="+url)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Kill it once it has written part of the new version.
			deadline := time.Now().Add(3 * time.Minute)
			for {
				var n int
				if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM trust_watch_entries WHERE version <> ?`, old.Version).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n >= 10_000 {
					break
				}
				select {
				case err := <-done:
					t.Fatalf("the child ended before it was killed: %v", err)
				default:
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("the child wrote nothing")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-done
			var partial int
			db.QueryRow(ctx, `SELECT COUNT(*) FROM trust_watch_entries WHERE version <> ?`, old.Version).Scan(&partial)
			if partial >= 400_001 {
				t.Fatalf("the child wrote all %d rows before it was killed", partial)
			}
			t.Logf("killed with %d of 400,001 new rows written", partial)

			// The list in force is the old one, whole.
			ws, err := s.Watchlists(ctx)
			if err != nil || len(ws) != 1 || ws[0].Version != old.Version || ws[0].Hash != old.ListHash || ws[0].Entries != 3001 {
				t.Fatalf("watchlists = %+v, %v", ws, err)
			}
			fresh := newService(t, db, trust.Config{})
			if m, _ := fresh.Screen(ctx, trust.Party{Type: trust.PartyUser, Name: "Ivan Sidorov"}); m == nil || m.Program != "OLD" || m.ListHash != old.ListHash {
				t.Fatalf("a node started after the crash screens = %+v", m)
			}
			if page, _ := fresh.SearchWatchlist(trust.WatchSearch{Limit: 1}); page.Total != 3001 {
				t.Fatalf("a node started after the crash has %d entries", page.Total)
			}
			// The next import succeeds and sweeps the dead import's rows.
			next, err := fresh.ImportCSV(ctx, "usr_admin", "", bigList(100, "NEXT"))
			if err != nil {
				t.Fatal(err)
			}
			var rows int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM trust_watch_entries`).Scan(&rows); err != nil || rows != next.Imported {
				t.Fatalf("%d rows after the next import (%v), want %d", rows, err, next.Imported)
			}
		})
	}
}

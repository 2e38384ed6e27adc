package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql's "pgx" driver

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// PgbenchMovement is the movement plaza bench pay --pgbench has pgbench
// commit, one transaction at a time: the two balance updates of a
// transfer in id order (so that concurrent ones cannot deadlock) and its
// ledger row — what a transfer is to the database, without Plaza.
const PgbenchMovement = `\set a random(1, :accounts)
\set b random(1, :accounts)
BEGIN;
UPDATE plaza_pgbench_accounts SET balance = balance + CASE WHEN id = :a THEN -1 ELSE 1 END WHERE id = least(:a, :b);
UPDATE plaza_pgbench_accounts SET balance = balance + CASE WHEN id = :a THEN -1 ELSE 1 END WHERE id = greatest(:a, :b) AND :a <> :b;
INSERT INTO plaza_pgbench_ledger (payer, payee, amount) VALUES (:a, :b, 1);
END;
`

// PgbenchResult is the same machine's pgbench rate for PgbenchMovement.
type PgbenchResult struct {
	TPS      float64 `json:"tps"`
	Clients  int     `json:"clients"`
	Accounts int     `json:"accounts"`
	Seconds  float64 `json:"seconds"`
	Script   string  `json:"script"`
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// Pgbench runs pgbench (found on the PATH or in PostgreSQL's bin folder)
// against dbURL for d with clients connections, on tables of its own
// (plaza_pgbench_*, made and dropped here: Plaza's are not touched).
func Pgbench(ctx context.Context, dbURL string, accounts, clients int, d time.Duration) (PgbenchResult, error) {
	bin, err := pgbenchPath()
	if err != nil {
		return PgbenchResult{}, err
	}
	dbURL = sqldb.ServerURL(dbURL)
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return PgbenchResult{}, err
	}
	defer db.Close()
	setup := []string{
		`DROP TABLE IF EXISTS plaza_pgbench_accounts, plaza_pgbench_ledger`,
		`CREATE TABLE plaza_pgbench_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)`,
		`CREATE TABLE plaza_pgbench_ledger (id BIGSERIAL PRIMARY KEY, payer INT NOT NULL, payee INT NOT NULL, amount BIGINT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now())`,
		fmt.Sprintf(`INSERT INTO plaza_pgbench_accounts SELECT g, 1000000 FROM generate_series(1, %d) g`, accounts),
	}
	for _, q := range setup {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return PgbenchResult{}, fmt.Errorf("pgbench tables: %w", err)
		}
	}
	defer db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS plaza_pgbench_accounts, plaza_pgbench_ledger`)
	dir, err := os.MkdirTemp("", "plaza-pgbench")
	if err != nil {
		return PgbenchResult{}, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "movement.sql")
	if err := os.WriteFile(script, []byte(PgbenchMovement), 0o600); err != nil {
		return PgbenchResult{}, err
	}
	secs := max(int(d.Seconds()), 1)
	cmd := exec.CommandContext(ctx, bin, "-n", "-c", strconv.Itoa(clients), "-j", "2", "-T", strconv.Itoa(secs),
		"-D", "accounts="+strconv.Itoa(accounts), "-f", script, dbURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return PgbenchResult{}, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return PgbenchResult{}, fmt.Errorf("pgbench printed no rate: %s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	if tps <= 0 {
		// Every client's connection took the whole run (a loaded machine).
		return PgbenchResult{}, fmt.Errorf("pgbench committed no movement in %d s; run it longer: %s", secs, out)
	}
	return PgbenchResult{TPS: round2(tps), Clients: clients, Accounts: accounts, Seconds: float64(secs),
		Script: "two balance updates in id order and a ledger row per transaction"}, nil
}

func pgbenchPath() (string, error) {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	if ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench"); len(ms) > 0 {
		return ms[len(ms)-1], nil
	}
	return "", errors.New("pgbench is not installed (Debian: postgresql-client)")
}

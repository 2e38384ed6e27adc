package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// plaza bench pay on SQLite audits the node's database at the end: a
// --data folder without one is refused before the run, and nothing is
// created there.
func TestBenchPayRefusesADataFolderWithoutTheDatabase(t *testing.T) {
	data := t.TempDir()
	began := time.Now()
	// Port 1 answers nothing: a run that started would fail on it instead.
	out, err := exec.Command(binary, "bench", "pay", "--addr", "http://127.0.0.1:1", "--data", data, "--duration", "1s").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no node's database in --data "+data) {
		t.Fatalf("bench pay with an empty --data: %v\n%s", err, out)
	}
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("refused only after %v", d)
	}
	if _, err := os.Stat(filepath.Join(data, "plaza.db")); err == nil {
		t.Error("the refusal left a plaza.db behind")
	}
}

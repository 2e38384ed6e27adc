package sched

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a slog handler that keeps each record's message and err.
type recorder struct {
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			r.errs = append(r.errs, a.Value.String())
		}
		return true
	})
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

// A job that panics is logged and runs again; the other jobs and Run's
// caller are unaffected.
func TestPanickingJobRunsAgain(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{}
	var mu sync.Mutex
	panics, others := 0, 0
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, slog.New(rec),
			Job{Name: "bad", Every: 5 * time.Millisecond, Now: true, Do: func(context.Context) error {
				mu.Lock()
				panics++
				mu.Unlock()
				var m map[string]int
				m["x"] = 1 // a nil-map write panics
				return nil
			}},
			Job{Name: "good", Every: 5 * time.Millisecond, Now: true, Do: func(context.Context) error {
				mu.Lock()
				others++
				mu.Unlock()
				return nil
			}})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		p, o := panics, others
		mu.Unlock()
		if p >= 3 && o >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %d runs of the panicking job, %d of the other; want ≥ 3 each", p, o)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.errs) == 0 || !strings.Contains(rec.errs[0], "panic: assignment to entry in nil map") || !strings.Contains(rec.errs[0], "sched_test.go") {
		t.Fatalf("logged errors %q; want the panic with its stack", rec.errs)
	}
}

// A job runs when it is woken, without waiting for its period; each wake
// that is received runs Do once more.
func TestWakeRunsTheJob(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	wake := make(chan struct{})
	ran := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, slog.New(slog.DiscardHandler), Job{Name: "woken", Every: time.Hour, Wake: wake,
			Do: func(context.Context) error { ran <- struct{}{}; return nil }})
	}()
	for i := range 3 {
		select {
		case wake <- struct{}{}:
		case <-time.After(10 * time.Second):
			t.Fatalf("wake %d not received", i)
		}
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			t.Fatalf("wake %d did not run the job", i)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(ran) != 0 {
		t.Fatalf("%d runs more than the wakes", len(ran))
	}
}

// Package sched runs a component's scheduled work: a job on a fixed
// period until its context ends. Each component's Run(ctx) is built from
// these, so that the composition root only starts and stops them.
package sched

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// Job is one piece of scheduled work: Do runs every Every (first at start
// when Now is set), and also whenever Wake (if set) receives, so that work
// which frees room for more need not wait out the period; an error is logged under Name unless ctx has ended. A
// panic in Do is logged with its stack like an error, and the job runs
// again at its next period: one bad row must not stop a node's scheduled
// work for good, nor take the node down.
type Job struct {
	Name  string
	Every time.Duration
	Now   bool
	Wake  <-chan struct{}
	Do    func(ctx context.Context) error
}

// Run runs every job on its own period until ctx ends, and returns once
// each has stopped (a Do in progress finishes first).
func Run(ctx context.Context, log *slog.Logger, jobs ...Job) error {
	done := make(chan struct{}, len(jobs))
	for _, j := range jobs {
		go func() {
			defer func() { done <- struct{}{} }()
			every(ctx, log, j)
		}()
	}
	for range jobs {
		<-done
	}
	return nil
}

func every(ctx context.Context, log *slog.Logger, j Job) {
	t := time.NewTicker(j.Every)
	defer t.Stop()
	if !j.Now {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-j.Wake:
		}
	}
	for {
		if err := safely(ctx, j.Do); err != nil && ctx.Err() == nil {
			log.Warn(j.Name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-j.Wake:
		}
	}
}

// safely runs do, turning a panic into an error that carries its stack.
func safely(ctx context.Context, do func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return do(ctx)
}

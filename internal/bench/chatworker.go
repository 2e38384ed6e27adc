package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Above one generator process (ChatConfig.Procs) the run does the setup
// itself and hands each worker the plan and its share of the sockets and
// of the rate. They talk in JSON lines: the worker's stdin gets
// workerOrder lines ("plan" first, then "go" and "finish"), its stdout
// carries workerReport lines back.
type workerOrder struct {
	Do       string        `json:"do"` // plan, go, finish
	Plan     *chatPlan     `json:"plan,omitempty"`
	Sockets  []int         `json:"sockets,omitempty"` // which of the plan's sockets to hold
	Worker   int           `json:"worker,omitempty"`
	Rate     float64       `json:"rate,omitempty"`
	Duration time.Duration `json:"duration,omitempty"`
}

type workerReport struct {
	Ready   bool      `json:"ready,omitempty"` // every socket open and subscribed
	Stat    *chatStat `json:"stat,omitempty"`
	Elapsed float64   `json:"elapsed,omitempty"` // seconds it sent, once it stopped
	Done    *chatPart `json:"done,omitempty"`
	Error   string    `json:"error,omitempty"`
}

// ChatWorker is one generator process of a spread chat benchmark
// (plaza bench chat --worker): it reads its orders from in and reports on
// out until it is told to finish.
func ChatWorker(ctx context.Context, in io.Reader, out io.Writer, log io.Writer) error {
	raiseFileLimit()
	dec := json.NewDecoder(bufio.NewReader(in))
	var mu sync.Mutex
	enc := json.NewEncoder(out)
	report := func(w workerReport) {
		mu.Lock()
		defer mu.Unlock()
		enc.Encode(w)
	}
	fail := func(err error) error {
		report(workerReport{Error: err.Error()})
		return err
	}
	var o workerOrder
	if err := dec.Decode(&o); err != nil || o.Do != "plan" || o.Plan == nil {
		return fail(fmt.Errorf("worker: no plan on stdin (%v)", err))
	}
	r := &chatRun{cfg: ChatConfig{Duration: o.Duration, Log: log}, plan: *o.Plan, worker: o.Worker, errs: map[string]int{}}
	if err := r.connect(ctx, o.Sockets); err != nil {
		return fail(err)
	}
	report(workerReport{Ready: true})
	if err := dec.Decode(&o); err != nil || o.Do != "go" {
		return fail(fmt.Errorf("worker: expected go (%v)", err))
	}
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s := r.stat()
				report(workerReport{Stat: &s})
			case <-stop:
				return
			}
		}
	}()
	sent := make(chan time.Duration, 1)
	r.sending.Store(true) // before the first stat: the run waits for every worker to stop
	go func() { sent <- r.send(ctx, o.Rate) }()
	go func() {
		e := <-sent
		s := r.stat()
		report(workerReport{Stat: &s, Elapsed: e.Seconds()})
	}()
	if err := dec.Decode(&o); err != nil || o.Do != "finish" {
		close(stop)
		return fail(fmt.Errorf("worker: expected finish (%v)", err))
	}
	close(stop)
	p := r.finish()
	report(workerReport{Done: &p})
	return nil
}

type chatWorkerProc struct {
	cmd     *exec.Cmd
	in      *json.Encoder
	stdin   io.WriteCloser
	mu      sync.Mutex
	stat    chatStat
	elapsed float64
	ready   chan struct{}
	done    chan chatPart
	failed  chan error
}

// spread runs the benchmark over procs worker processes.
func (r *chatRun) spread(ctx context.Context, procs int, began time.Time) (_ ChatResult, err error) {
	argv := r.cfg.WorkerArgv
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return ChatResult{}, err
		}
		argv = []string{exe, "bench", "chat", "--worker"}
	}
	ctx, cancel := context.WithCancel(ctx)
	ws := make([]*chatWorkerProc, procs)
	defer func() {
		if err != nil {
			cancel() // the workers are killed
		}
		for _, p := range ws {
			if p != nil {
				p.stdin.Close()
				p.cmd.Wait()
			}
		}
		cancel()
	}()
	rssBefore := r.api.serverRSS(ctx)
	for w := range ws {
		var mine []int
		for i := w; i < r.plan.Sockets; i += procs {
			mine = append(mine, i)
		}
		p, err := startWorker(ctx, argv, r.cfg.Log)
		if err != nil {
			return ChatResult{}, err
		}
		ws[w] = p
		if err := p.in.Encode(workerOrder{Do: "plan", Plan: &r.plan, Sockets: mine, Worker: w + 1,
			Rate: r.cfg.Rate / float64(procs), Duration: r.cfg.Duration}); err != nil {
			return ChatResult{}, fmt.Errorf("worker %d: %w", w+1, err)
		}
	}
	r.logf("%d generator processes opening %d sockets on %d node(s)…", procs, r.plan.Sockets, len(r.plan.Addrs))
	for w, p := range ws {
		select {
		case <-p.ready:
		case err := <-p.failed:
			return ChatResult{}, fmt.Errorf("worker %d: %w", w+1, err)
		case <-ctx.Done():
			return ChatResult{}, ctx.Err()
		}
	}
	rssConnected := r.api.serverRSS(ctx)
	setup := time.Since(began)
	r.logf("holding %d sockets on %d node(s) from %d processes; server RSS %d MiB (was %d MiB); sending %.0f msg/s for %v",
		r.plan.Sockets, len(r.plan.Addrs), procs, rssConnected>>20, rssBefore>>20, r.cfg.Rate, r.cfg.Duration)
	for _, p := range ws {
		p.in.Encode(workerOrder{Do: "go"})
	}
	total := func() chatStat {
		var s chatStat
		for _, p := range ws {
			p.mu.Lock()
			s.Acked += p.stat.Acked
			s.Delivered += p.stat.Delivered
			s.Expected += p.stat.Expected
			s.Written += p.stat.Written
			s.Answered += p.stat.Answered
			s.Sending = s.Sending || p.stat.Sending || p.elapsed == 0
			p.mu.Unlock()
		}
		return s
	}
	start := time.Now()
	lastLog := start
	for total().Sending {
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return ChatResult{}, ctx.Err()
		}
		for _, p := range ws {
			select {
			case err := <-p.failed:
				return ChatResult{}, err
			default:
			}
		}
		if now := time.Now(); now.Sub(lastLog) > 5*time.Second {
			lastLog = now
			s := total()
			r.logf("  %4.0fs: %d acked, %d delivered", now.Sub(start).Seconds(), s.Acked, s.Delivered)
		}
	}
	stopped := time.Now()
	var elapsed float64
	for _, p := range ws {
		p.mu.Lock()
		elapsed = max(elapsed, p.elapsed)
		p.mu.Unlock()
	}
	drain(stopped, total)
	parts := make([]chatPart, procs)
	for _, p := range ws {
		p.in.Encode(workerOrder{Do: "finish"})
	}
	for w, p := range ws {
		select {
		case parts[w] = <-p.done:
		case err := <-p.failed:
			return ChatResult{}, fmt.Errorf("worker %d: %w", w+1, err)
		case <-time.After(time.Minute):
			return ChatResult{}, fmt.Errorf("worker %d: no result a minute after finish", w+1)
		}
	}
	rssEnd := r.api.serverRSS(ctx)
	res := merge(parts, time.Duration(elapsed*float64(time.Second)), stopped)
	r.describe(&res, procs, setup, rssBefore, rssConnected, rssEnd)
	return res, nil
}

func startWorker(ctx context.Context, argv []string, log io.Writer) (*chatWorkerProc, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "PLAZA_BENCH_WORKER=1")
	if log != nil {
		cmd.Stderr = log
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting a worker (%s): %w", argv[0], err)
	}
	p := &chatWorkerProc{cmd: cmd, stdin: stdin, in: json.NewEncoder(stdin),
		ready: make(chan struct{}), done: make(chan chatPart, 1), failed: make(chan error, 1)}
	go func() {
		dec := json.NewDecoder(bufio.NewReaderSize(stdout, 1<<20))
		for {
			var rep workerReport
			if err := dec.Decode(&rep); err != nil {
				if errors.Is(err, io.EOF) {
					err = errors.New("the worker exited before it finished")
				}
				p.failed <- err
				return
			}
			switch {
			case rep.Error != "":
				p.failed <- errors.New(rep.Error)
				return
			case rep.Ready:
				close(p.ready)
			case rep.Done != nil:
				p.done <- *rep.Done
				return
			case rep.Stat != nil:
				p.mu.Lock()
				p.stat = *rep.Stat
				if rep.Elapsed > 0 {
					p.elapsed = rep.Elapsed
				}
				p.mu.Unlock()
			}
		}
	}()
	return p, nil
}

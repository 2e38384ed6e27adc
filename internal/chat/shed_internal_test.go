package chat

import (
	"testing"
	"time"
)

// The writer's estimated wait is the queue times the recent pace of a
// job; a send behind a queue whose wait is over budget is shed, and one
// behind a short or fast queue is not.
func TestSendLoadShedsOnTheEstimatedWriterWait(t *testing.T) {
	l := newSendLoad()
	if l.overloaded(1024) {
		t.Fatal("an unmeasured writer sheds")
	}
	// Sends that each found 9 jobs ahead and took 10 ms: 1 ms a job.
	for range 64 {
		l.sampleWriter(9, 10*time.Millisecond)
	}
	if got := l.writerWait(100); got < 90*time.Millisecond || got > 110*time.Millisecond {
		t.Fatalf("100 jobs at 1 ms a job: estimated wait %v", got)
	}
	if l.overloaded(100) {
		t.Fatal("a 100 ms wait is shed")
	}
	if !l.overloaded(1000) {
		t.Fatalf("a ~1 s wait (%v) is not shed", l.writerWait(1000))
	}
	// The writer speeds up: the estimate follows within a few dozen sends.
	for range 100 {
		l.sampleWriter(0, 50*time.Microsecond)
	}
	if l.overloaded(1000) {
		t.Fatalf("1,000 jobs at %v a job are shed", time.Duration(l.perJob.Load()))
	}
}

// A delivery lag over budget sheds while frames keep arriving late, and
// counts for nothing once none has arrived for staleLag (an idle path).
func TestSendLoadShedsOnTheDeliveryLag(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	l := newSendLoad()
	l.now = func() time.Time { return now }
	for range 8 {
		l.sampleLag(now.Add(-2 * time.Second).UnixNano())
	}
	if !l.overloaded(0) {
		t.Fatalf("a 2 s delivery lag (%v) is not shed", l.deliveryLag())
	}
	now = now.Add(staleLag + time.Millisecond)
	if l.overloaded(0) {
		t.Fatal("a lag with no frame for staleLag still sheds")
	}
	// Fresh frames on time after the idle spell: no memory of the old lag.
	l.sampleLag(now.Add(-time.Millisecond).UnixNano())
	if got := l.deliveryLag(); got != time.Millisecond {
		t.Fatalf("lag after an idle spell: %v, want 1ms", got)
	}
	// Frames arriving on time bring a lagging average under budget.
	for range 8 {
		l.sampleLag(now.Add(-3 * time.Second).UnixNano())
	}
	for range 64 {
		l.sampleLag(now.Add(-10 * time.Millisecond).UnixNano())
	}
	if l.overloaded(0) {
		t.Fatalf("on-time frames left the lag at %v", l.deliveryLag())
	}
}

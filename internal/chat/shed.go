package chat

import (
	"sync/atomic"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// Shedding sends under an overload.
//
// A full writer queue (1,024 jobs) sheds too late: by then a send already
// waits for the jobs ahead of it, and on a node whose cores are saturated
// the wait that grows is often not the writer's at all but the delivery
// path's (the bus subscription that hands frames to the sockets falls
// behind). So a send is refused (429 rate_limited, or an error frame the
// client retries) when either estimate exceeds its budget:
//
//   - the writer's wait: the jobs queued on the conversation's writer times
//     the recent time a job takes there (a moving average of each send's
//     queue-and-run time divided by the jobs that were ahead of it), and
//   - the delivery lag: how late the hub here has recently been handing
//     message frames to sockets (publish to hand-over), which counts only
//     while frames keep arriving; with none for staleLag the path is idle.
//
// Both are estimates of this node only: on a cluster each node sheds the
// sends it takes by its own writer and its own hub.

// Budgets of a send's estimated wait before it is shed (tests lower them).
var (
	maxWriterWait   = 300 * time.Millisecond
	maxDeliveryLag  = 500 * time.Millisecond
	staleLag        = 250 * time.Millisecond
	loadSampleShift = 4 // moving averages weigh a new sample 1/16
)

// sendLoad is the node's estimate of how long a send would wait. Its
// fields are atomics: every send reads it, many update it.
type sendLoad struct {
	perJob atomic.Int64 // ns: a job's recent share of the writer's time
	lag    atomic.Int64 // ns: the recent delivery lag (moving average)
	lagAt  atomic.Int64 // unix ns of the last lag sample
	now    func() time.Time
}

func newSendLoad() *sendLoad { return &sendLoad{now: time.Now} }

// sampleWriter records that a job which found ahead jobs queued took
// took from its queueing to its end.
func (l *sendLoad) sampleWriter(ahead int, took time.Duration) {
	average(&l.perJob, int64(took)/int64(ahead+1))
}

// sampleLag records a message frame published at publishedNs and handed
// to the sockets now.
func (l *sendLoad) sampleLag(publishedNs int64) {
	if publishedNs <= 0 {
		return
	}
	now := l.now().UnixNano()
	sample := max(0, now-publishedNs)
	if now-l.lagAt.Load() > int64(staleLag) {
		l.lag.Store(sample) // the path was idle: the old average is gone
	} else {
		average(&l.lag, sample)
	}
	l.lagAt.Store(now)
}

// average moves v towards sample by 1/2^loadSampleShift.
func average(v *atomic.Int64, sample int64) {
	for {
		old := v.Load()
		next := old + (sample-old)>>loadSampleShift
		if old == 0 {
			next = sample
		}
		if v.CompareAndSwap(old, next) {
			return
		}
	}
}

// writerWait is the estimated wait of a job behind queued others.
func (l *sendLoad) writerWait(queued int) time.Duration {
	return time.Duration(int64(queued) * l.perJob.Load())
}

// deliveryLag is the recent delivery lag, 0 when no frame came lately.
func (l *sendLoad) deliveryLag() time.Duration {
	if l.now().UnixNano()-l.lagAt.Load() > int64(staleLag) {
		return 0
	}
	return time.Duration(l.lag.Load())
}

// overloaded tells whether a send behind queued jobs should be shed.
func (l *sendLoad) overloaded(queued int) bool {
	return l.writerWait(queued) > maxWriterWait || l.deliveryLag() > maxDeliveryLag
}

// refuseBusy counts a shed send and is its refusal.
func (s *Service) refuseBusy() error {
	s.shed.Add(1)
	return errs.E(errs.RateLimited, "Plaza is busy right now and did not take this message; send it again in a moment.")
}

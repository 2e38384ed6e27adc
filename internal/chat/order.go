package chat

import (
	"context"
	"sort"
	"time"
)

// Per-conversation ordering of message frames on one node.
//
// Seqs are gapless and given at commit, but frames reach a node's bus
// subscription in publish order, which is not seq order: two nodes (or two
// transactions on one node) that commit seq 2 and 3 may publish 3 first.
// So the hub delivers each conversation's message frames through a
// sequencer: it remembers the last seq it delivered here, delivers the
// next one at once, holds later ones in a small reorder buffer, and when a
// gap stays open for ReorderWait reads the missing messages from the
// database (resync) and delivers them in order. A seq at or below the last
// delivered is a duplicate and dropped. Every open socket of a member thus
// gets every message once and in seq order.
//
// A conversation's sequencer starts when a member's socket opens here (from
// the conversation's last_seq in the database, which the socket's client
// syncs up to) or, for a conversation joined since, with the first frame
// that arrives. Sequencers no socket has named and that saw nothing for
// seqIdle are dropped.

// seqIdle is how long an unreferenced sequencer is kept.
const seqIdle = 10 * time.Minute

// maxResync is how many messages one resync reads.
const maxResync = 500

// pendingFrame is a message frame waiting for its turn.
type pendingFrame struct {
	to    []string
	frame []byte
}

// convSeq is one conversation's sequencer. The hub's seqMu guards it.
type convSeq struct {
	last      int64 // the highest seq delivered on this node
	pending   map[int64]pendingFrame
	resyncing bool // a resync timer is set or running
	refs      int  // open sockets that named this conversation at open
	touched   time.Time
	// after holds frames about a seq not yet delivered (actions_order.go).
	after map[int64][]pendingFrame
}

// Resyncer reads what the hub needs from the database (the chat Service).
type Resyncer interface {
	// LastSeqs is the last_seq of every conversation userID is in.
	LastSeqs(ctx context.Context, userID string) (map[string]int64, error)
	// Missing is the message frames of convID with seq in (after,
	// through], in seq order, each with its recipients.
	Missing(ctx context.Context, convID string, after, through int64) ([]Delivery, error)
}

// Delivery is one message frame and the users it goes to.
type Delivery struct {
	Seq   int64
	To    []string
	Frame []byte
}

// sequence delivers a message frame of conversation conv with seq in
// order. It must be called with seqMu held.
func (h *Hub) sequence(conv string, seq int64, to []string, frame []byte) {
	st := h.seqs[conv]
	if st == nil {
		if !h.hasAny(to) {
			// Nobody here to deliver to: keep no state (a socket that
			// opens later starts its conversations from the database).
			return
		}
		// First frame here of a conversation no socket named at open.
		st = &convSeq{last: seq - 1}
		h.seqs[conv] = st
	}
	st.touched = time.Now()
	switch {
	case seq <= st.last:
		h.duplicates.Inc()
		return
	case seq == st.last+1:
		h.fanOut(to, frame)
		st.last = seq
		h.drain(st)
	default:
		if st.pending == nil {
			st.pending = map[int64]pendingFrame{}
		}
		if _, dup := st.pending[seq]; dup {
			h.duplicates.Inc()
			return
		}
		st.pending[seq] = pendingFrame{to: to, frame: frame}
		h.reordered.Inc()
		if !st.resyncing {
			st.resyncing = true
			time.AfterFunc(h.ReorderWait, func() { h.resync(conv, st) })
		}
	}
}

// hasAny tells whether any of users has a socket here.
func (h *Hub) hasAny(users []string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, u := range users {
		if len(h.conns[u]) > 0 {
			return true
		}
	}
	return false
}

// drain delivers the pending frames that follow st.last. seqMu held.
func (h *Hub) drain(st *convSeq) {
	for {
		h.flushAfter(st)
		p, ok := st.pending[st.last+1]
		if !ok {
			return
		}
		delete(st.pending, st.last+1)
		h.fanOut(p.to, p.frame)
		st.last++
	}
}

// resync fills a gap that stayed open from the database, then delivers
// what was waiting.
func (h *Hub) resync(conv string, st *convSeq) {
	h.seqMu.Lock()
	if len(st.pending) == 0 {
		st.resyncing = false
		h.seqMu.Unlock()
		return
	}
	after, through := st.last, st.last
	for seq := range st.pending {
		through = max(through, seq)
	}
	h.seqMu.Unlock()

	var got []Delivery
	var err error
	if h.source != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		got, err = h.source.Missing(ctx, conv, after, min(through, after+maxResync))
		cancel()
		if err != nil {
			h.log.Warn("resyncing a conversation's frames", "conversation_id", conv, "err", err)
		}
	}
	h.resyncs.Inc()

	h.seqMu.Lock()
	defer h.seqMu.Unlock()
	for _, d := range got {
		if d.Seq != st.last+1 {
			continue // delivered meanwhile, or a hole the database has not
		}
		if p, ok := st.pending[d.Seq]; ok {
			delete(st.pending, d.Seq)
			h.fanOut(p.to, p.frame)
		} else {
			h.fanOut(d.To, d.Frame)
		}
		st.last = d.Seq
		h.drain(st)
	}
	if len(st.pending) > 0 && st.last == after {
		// The database could not fill the gap: skip to what we have
		// (clients see the gap and sync).
		keys := make([]int64, 0, len(st.pending))
		for seq := range st.pending {
			keys = append(keys, seq)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		st.last = keys[0] - 1
		h.drain(st)
	}
	if len(st.pending) > 0 {
		time.AfterFunc(h.ReorderWait, func() { h.resync(conv, st) })
		return
	}
	st.resyncing = false
}

// openSequencers starts (or references) the sequencers of the socket's
// conversations, from their last_seq, and remembers them on c.
func (h *Hub) openSequencers(ctx context.Context, c *client) {
	if h.source == nil {
		return
	}
	last, err := h.source.LastSeqs(ctx, c.userID)
	if err != nil {
		h.log.Warn("loading a socket's conversations", "err", err)
		return
	}
	h.seqMu.Lock()
	defer h.seqMu.Unlock()
	for conv, seq := range last {
		st := h.seqs[conv]
		if st == nil {
			st = &convSeq{last: seq, touched: time.Now()}
			h.seqs[conv] = st
		}
		st.refs++
		c.convs = append(c.convs, conv)
	}
}

// closeSequencers drops c's references.
func (h *Hub) closeSequencers(c *client) {
	h.seqMu.Lock()
	defer h.seqMu.Unlock()
	for _, conv := range c.convs {
		if st := h.seqs[conv]; st != nil {
			st.refs--
			st.touched = time.Now()
		}
	}
	c.convs = nil
}

// pruneSequencers drops idle sequencers no open socket references.
func (h *Hub) pruneSequencers(now time.Time) {
	h.seqMu.Lock()
	defer h.seqMu.Unlock()
	for conv, st := range h.seqs {
		if st.refs <= 0 && len(st.pending) == 0 && !st.resyncing && now.Sub(st.touched) > seqIdle {
			delete(h.seqs, conv)
		}
	}
}

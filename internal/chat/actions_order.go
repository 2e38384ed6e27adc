package chat

import "slices"

// Frames about a message (recalled, hidden) travel with After set and the
// message's seq. A hub delivers such a frame at once when it has delivered
// that seq already, else holds it until it has: a device never hears of a
// recall before the message, and the message frame (which may still carry
// the content, published before the recall) never lands after its recall.

// sequenceAfter delivers a frame about message seq of conv once seq has
// been delivered here. It must be called with seqMu held.
func (h *Hub) sequenceAfter(conv string, seq int64, to []string, frame []byte) {
	st := h.seqs[conv]
	if st == nil || seq <= st.last {
		// No sequencer: no socket here holds the conversation's stream
		// open, so nothing of it is pending either.
		h.fanOut(to, frame)
		return
	}
	if st.after == nil {
		st.after = map[int64][]pendingFrame{}
	}
	st.after[seq] = append(st.after[seq], pendingFrame{to: to, frame: frame})
}

// flushAfter delivers the held frames about seqs delivered by now. seqMu
// held.
func (h *Hub) flushAfter(st *convSeq) {
	if len(st.after) == 0 {
		return
	}
	var due []int64
	for seq := range st.after {
		if seq <= st.last {
			due = append(due, seq)
		}
	}
	slices.Sort(due)
	for _, seq := range due {
		for _, p := range st.after[seq] {
			h.fanOut(p.to, p.frame)
		}
		delete(st.after, seq)
	}
}

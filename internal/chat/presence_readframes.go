package chat

import (
	"context"
	"sync"
	"time"
)

// Read frames are coalesced: a client marks read as messages appear, and
// each mark is a transaction and a frame to every member. The first read
// frame of a user in a conversation is applied at once (its errors
// answered); those within readWindow after it are held, and only the
// highest seq among them is applied when the window ends (an invalid one
// is then dropped silently). So a conversation costs a user at most one
// read write a second, however fast messages arrive.

// readWindow is how often one user's reads of one conversation are
// applied at most.
const readWindow = time.Second

type readCoalescer struct {
	window time.Duration
	mu     sync.Mutex // guards m
	m      map[string]*readState
}

type readState struct {
	last    time.Time   // when a read was last applied
	pending int64       // the highest seq held, 0 for none
	timer   *time.Timer // applies pending at the window's end
}

func (r *readCoalescer) init(window time.Duration) {
	r.window, r.m = window, map[string]*readState{}
}

// mark applies seq now with apply, or holds it for the window's end.
func (r *readCoalescer) mark(ctx context.Context, user, conv string, seq int64, apply func(ctx context.Context, seq int64) error) error {
	key := user + "\x00" + conv
	now := time.Now()
	r.mu.Lock()
	st := r.m[key]
	if st == nil || (st.timer == nil && now.Sub(st.last) >= r.window) {
		if st == nil {
			st = &readState{}
			r.m[key] = st
			r.prune(now)
		}
		st.last = now
		r.mu.Unlock()
		return apply(ctx, seq)
	}
	st.pending = max(st.pending, seq)
	if st.timer == nil {
		st.timer = time.AfterFunc(st.last.Add(r.window).Sub(now), func() {
			r.mu.Lock()
			seq := st.pending
			st.pending, st.timer, st.last = 0, nil, time.Now()
			r.mu.Unlock()
			// An error has no one to answer now: the client marks read
			// again on its next view.
			_ = apply(context.Background(), seq)
		})
	}
	r.mu.Unlock()
	return nil
}

// prune forgets idle users' states once there are many. r.mu must be held.
func (r *readCoalescer) prune(now time.Time) {
	if len(r.m) < 4096 {
		return
	}
	for k, st := range r.m {
		if st.timer == nil && now.Sub(st.last) >= r.window {
			delete(r.m, k)
		}
	}
}

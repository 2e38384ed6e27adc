package media

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// ask is a request to the node that owns a room, on roomSubject.
type ask struct {
	Op      string `json:"op"` // play, stop, end
	ID      string `json:"id"`
	Reply   string `json:"reply"`
	Viewer  string `json:"viewer,omitempty"`
	Offer   string `json:"offer,omitempty"`
	Session string `json:"session,omitempty"`
}

// answer is the owner's reply, on replySubject of the asking node.
type answer struct {
	ID      string `json:"id"`
	SDP     string `json:"sdp,omitempty"`
	Session string `json:"session,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// remote is the bus side of a Server: asking owners and answering askers.
type remote struct {
	s   *Server
	b   *bus.Bus
	sub bus.Subscription

	mu      sync.Mutex
	pending map[string]chan answer
}

func roomSubject(roomID string) string {
	return "live.media.room." + strings.Map(func(r rune) rune {
		if r == '.' || r == '*' || r == '>' || r <= ' ' {
			return '_'
		}
		return r
	}, roomID)
}

func (s *Server) replySubject() string { return "live.media.reply." + s.cfg.NodeID }

func newRemote(s *Server) (*remote, error) {
	m := &remote{s: s, b: s.cfg.Bus, pending: map[string]chan answer{}}
	sub, err := m.b.Subscribe(s.replySubject(), func(msg *bus.Message) {
		var a answer
		if json.Unmarshal(msg.Data, &a) != nil {
			return
		}
		m.mu.Lock()
		ch := m.pending[a.ID]
		delete(m.pending, a.ID)
		m.mu.Unlock()
		if ch != nil {
			ch <- a
		}
	})
	if err != nil {
		return nil, err
	}
	m.sub = sub
	m.flush()
	return m, nil
}

// flush makes sure the server knows a new subscription before anyone is
// told about it.
func (m *remote) flush() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = m.b.Flush(ctx)
}

func (m *remote) close() { _ = m.sub.Unsubscribe() }

// serve answers other nodes' requests for room r while it is here.
func (m *remote) serve(r *room) bus.Subscription {
	sub, err := m.b.Subscribe(roomSubject(r.id), func(msg *bus.Message) {
		var q ask
		if json.Unmarshal(msg.Data, &q) != nil || q.Reply == "" {
			return
		}
		go m.handle(r, q)
	})
	if err != nil {
		m.s.log.Warn("live media: cannot serve room over the bus", "room", r.id, "err", err)
		return nil
	}
	m.flush()
	return sub
}

func (m *remote) handle(r *room, q ask) {
	a := answer{ID: q.ID}
	switch q.Op {
	case "play":
		r.mu.Lock()
		p := r.pub
		r.mu.Unlock()
		if p == nil {
			return // perhaps another node has the host now
		}
		ctx, cancel := context.WithTimeout(context.Background(), m.s.cfg.AskTimeout)
		sdp, session, err := m.s.playLocal(ctx, r, p, q.Viewer, []byte(q.Offer))
		cancel()
		if err != nil {
			a.Code, a.Message = errs.CodeOf(err), err.Error()
			if e, ok := err.(*errs.Error); ok {
				a.Message = e.Message
			}
		} else {
			a.SDP, a.Session = string(sdp), session
		}
	case "stop":
		if !m.s.stopLocal(r.id, q.Session) {
			return
		}
	case "end":
		m.s.EndRoom(r.id)
		return
	default:
		return
	}
	data, _ := json.Marshal(a)
	_ = m.b.Publish(q.Reply, data)
}

// request sends q to the room's owner and waits for its answer.
func (m *remote) request(ctx context.Context, roomID string, q ask) (answer, bool) {
	q.ID, q.Reply = ids.Token(12), m.s.replySubject()
	ch := make(chan answer, 1)
	m.mu.Lock()
	m.pending[q.ID] = ch
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		delete(m.pending, q.ID)
		m.mu.Unlock()
	}()
	data, _ := json.Marshal(q)
	if err := m.b.Publish(roomSubject(roomID), data); err != nil {
		return answer{}, false
	}
	t := time.NewTimer(m.s.cfg.AskTimeout)
	defer t.Stop()
	select {
	case a := <-ch:
		return a, true
	case <-t.C:
	case <-ctx.Done():
	}
	return answer{}, false
}

func (m *remote) play(ctx context.Context, roomID, viewerID string, offer []byte) ([]byte, string, error) {
	a, ok := m.request(ctx, roomID, ask{Op: "play", Viewer: viewerID, Offer: string(offer)})
	if !ok {
		return nil, "", errs.E(live.NotLive, "Nobody is streaming in this room right now.")
	}
	if a.Code != "" {
		return nil, "", errs.E(a.Code, "%s", a.Message)
	}
	return []byte(a.SDP), a.Session, nil
}

func (m *remote) stop(ctx context.Context, roomID, session string) error {
	if _, ok := m.request(ctx, roomID, ask{Op: "stop", Session: session}); !ok {
		return errs.E(errs.NotFound, "There is no such media session in this room.")
	}
	return nil
}

func (m *remote) end(roomID string) {
	data, _ := json.Marshal(ask{Op: "end", ID: ids.Token(8), Reply: m.s.replySubject()})
	_ = m.b.Publish(roomSubject(roomID), data)
}

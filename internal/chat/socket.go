package chat

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// Socket timing (Hub.PingEvery and Hub.PongWait override them) and limits.
const (
	pingEvery     = 30 * time.Second
	writeTimeout  = 10 * time.Second
	maxFrameBytes = 64 << 10
	frameRate     = 30  // frames a second a socket may send…
	frameBurst    = 60  // …with this burst
	maxViolations = 100 // refused frames before the socket is closed
)

// clientFrame is a frame a client sends.
type clientFrame struct {
	Type           string `json:"type"`
	ConversationID string `json:"conversation_id"`
	ClientID       string `json:"client_id"`
	Kind           string `json:"kind"`
	Text           string `json:"text"`
	MediaID        string `json:"media_id"`
	Seq            int64  `json:"seq"`
	ReplyTo        string `json:"reply_to"`

	// Groups: who the message mentions (groups.go).
	Mentions []string `json:"mentions"`

	raw []byte // the whole frame, for another component's type
}

// parseClientFrame reads one client frame. Errors: invalid_argument.
func (h *Hub) parseClientFrame(data []byte) (clientFrame, error) {
	f, err := parseClientFrame(data)
	if err != nil {
		var head struct {
			Type     string `json:"type"`
			ClientID string `json:"client_id"`
		}
		if json.Unmarshal(data, &head) == nil && head.Type != "" && h.extFrame(head.Type) != nil {
			// another component's frame (extend.go)
			return clientFrame{Type: head.Type, ClientID: head.ClientID, raw: data}, nil
		}
	}
	return f, err
}

func parseClientFrame(data []byte) (clientFrame, error) {
	var f clientFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return clientFrame{}, errs.E(errs.InvalidArgument, "The frame is not a JSON object of the socket protocol.")
	}
	f.raw = data
	switch f.Type {
	case "send":
		if f.ConversationID == "" {
			return clientFrame{}, errs.Field("conversation_id", "A send frame needs conversation_id.")
		}
	case "read":
		if f.ConversationID == "" || f.Seq < 1 {
			return clientFrame{}, errs.Field("seq", "A read frame needs conversation_id and seq.")
		}
	case "typing":
		if f.ConversationID == "" {
			return clientFrame{}, errs.Field("conversation_id", "A typing frame needs conversation_id.")
		}
	case "ping":
	case "":
		return clientFrame{}, errs.Field("type", "A frame needs a type: send, read, typing or ping.")
	default:
		return clientFrame{}, errs.Field("type", "Unknown frame type %q; use send, read, typing or ping.", f.Type)
	}
	return f, nil
}

// serveSocket runs one authenticated WebSocket until it closes.
func (h *Handler) serveSocket(w http.ResponseWriter, r *http.Request) error {
	p := httpx.Caller(r)
	conn, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{
		// Same-origin browsers only (the default check of Origin against
		// Host); clients without Origin, such as apps and plaza bench, pass.
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return nil // Accept has answered
	}
	conn.SetReadLimit(maxFrameBytes)
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	token, _ := httpx.TokenFrom(r, true)
	c := &client{userID: p.UserID, sessionID: p.SessionID, conn: conn, ctx: ctx, cancel: cancel, hub: h.Hub, wheelSlot: -1,
		sessionEnded: func(ctx context.Context) bool { return h.sessionEnded(ctx, token) }}
	if h.Hub.closeAll.Load() {
		conn.Close(websocket.StatusGoingAway, "server restarting; reconnect")
		cancel()
		return nil
	}
	// Sequencers first: from here on every message after the
	// conversations' current last_seq reaches this socket in order.
	h.Hub.openSequencers(ctx, c)
	h.Hub.add(c)
	// A session that ended between the upgrade's check and add was
	// announced before the hub knew this socket: check once more.
	if c.sessionEnded(ctx) {
		c.close(CloseSessionEnded, "signed out")
		return nil
	}
	h.Hub.wheel.add(h.Hub, c)
	c.enqueue([]byte(`{"type":"ready"}`))
	// The socket is ours now (hijacked): read it on a fresh goroutine and
	// let this one, whose stack grew deep through the middleware and the
	// session lookup, end. An idle socket then costs one small stack.
	go func() {
		defer c.close(websocket.StatusNormalClosure, "")
		h.readLoop(ctx, c)
	}()
	return nil
}

// sessionEnded reports whether the session of token has ended (signed
// out, erased) or expired. A lookup that fails otherwise (the database
// away for a moment) is not an end: the socket stays, and the next tick
// asks again.
// freshAuthenticator authenticates from the database, past any cache
// (account.Service.AuthenticateFresh).
type freshAuthenticator interface {
	AuthenticateFresh(ctx context.Context, token string) (httpx.Principal, error)
}

func (h *Handler) sessionEnded(ctx context.Context, token string) bool {
	if h.Auth == nil || h.Auth.Authn == nil {
		return false
	}
	var err error
	if f, ok := h.Auth.Authn.(freshAuthenticator); ok {
		_, err = f.AuthenticateFresh(ctx, token) // the database, not a cache
	} else {
		_, err = h.Auth.Authn.Authenticate(ctx, token)
	}
	return errs.Is(err, errs.Unauthenticated)
}

func (h *Handler) readLoop(ctx context.Context, c *client) {
	tokens, last := float64(frameBurst), time.Now()
	for {
		typ, data, err := c.conn.Read(ctx)
		if err != nil {
			return
		}
		now := time.Now()
		tokens = min(frameBurst, tokens+now.Sub(last).Seconds()*frameRate)
		last = now
		var f clientFrame
		if tokens < 1 {
			err = errs.E(errs.RateLimited, "Too many frames; slow down.")
		} else if typ != websocket.MessageText {
			err = errs.E(errs.InvalidArgument, "Frames are JSON text.")
		} else {
			tokens--
			f, err = h.Hub.parseClientFrame(data)
		}
		if err == nil && f.Type == "send" {
			if !h.startSend(ctx, c, f) {
				return
			}
			continue
		}
		if err == nil {
			err = h.handleFrame(ctx, c, f)
		}
		if err != nil && !h.refused(c, f.ClientID, err) {
			return
		}
	}
}

// refused answers a refused frame with an error frame and counts it; it
// reports false when the socket had too many and was closed. A send shed
// because the node is overloaded is not the client's fault and is not
// counted.
func (h *Handler) refused(c *client, clientID string, err error) bool {
	c.replyError(clientID, err, h)
	if errors.Is(err, errShed) {
		return true
	}
	if c.violations.Add(1) > maxViolations {
		c.close(websocket.StatusPolicyViolation, "too many refused frames")
		return false
	}
	return true
}

// sendsInFlight is how many sends one socket may have waiting for their
// commit at once. The read loop goes on reading while they wait, so a
// client that sends quickly has its messages in one batch instead of one
// batch each, and an overload is seen — and shed with rate_limited — in
// the writer's queue, not hidden in the socket's unread bytes. Their acks
// (or errors) are written in the order the sends came.
const sendsInFlight = 8

type pendingSend struct {
	clientID string
	result   SendResult
}

// startSend starts f's send and hands its outcome to the socket's
// replier; false when the socket closed while waiting for room.
func (h *Handler) startSend(ctx context.Context, c *client, f clientFrame) bool {
	if c.room == nil {
		c.room = make(chan struct{}, sendsInFlight)
	}
	select {
	case c.room <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	res := h.Service.StartSend(ctx, c.userID, SendInput{ConversationID: f.ConversationID, ClientID: f.ClientID, Kind: f.Kind, Text: f.Text, MediaID: f.MediaID, ReplyTo: f.ReplyTo, Mentions: f.Mentions})
	c.smu.Lock()
	c.sends = append(c.sends, pendingSend{clientID: f.ClientID, result: res})
	if !c.replying {
		c.replying = true
		go h.reply(c)
	}
	c.smu.Unlock()
	return true
}

// reply answers the socket's sends in flight in order, and ends when none
// is left.
func (h *Handler) reply(c *client) {
	for {
		c.smu.Lock()
		if len(c.sends) == 0 {
			c.replying = false
			c.sends = nil
			c.smu.Unlock()
			return
		}
		p := c.sends[0]
		c.sends[0] = pendingSend{}
		c.sends = c.sends[1:]
		c.smu.Unlock()
		m, _, err := p.result()
		if err != nil && c.ctx.Err() != nil && errors.Is(err, context.Canceled) {
			// The socket closed before the send started: nothing was
			// written, and there is no one to tell.
		} else if err != nil {
			h.refused(c, p.clientID, err)
		} else {
			b, _ := json.Marshal(frame{Type: "ack", ClientID: p.clientID, Message: &m})
			c.enqueue(b)
		}
		<-c.room
	}
}

func (h *Handler) handleFrame(ctx context.Context, c *client, f clientFrame) error {
	switch f.Type {
	case "read":
		return h.Hub.live.reads.mark(ctx, c.userID, f.ConversationID, f.Seq, func(ctx context.Context, seq int64) error {
			return h.Service.MarkRead(ctx, c.userID, f.ConversationID, seq)
		})
	case "typing":
		return h.typing(ctx, c, f)
	case "ping":
		c.enqueue([]byte(`{"type":"pong"}`))
	default:
		if fn := h.Hub.extFrame(f.Type); fn != nil {
			return fn(ctx, c, f.raw)
		}
	}
	return nil
}

func (c *client) replyError(clientID string, err error, h *Handler) {
	var e *errs.Error
	if !errors.As(err, &e) || e.Code == errs.Internal {
		h.Service.log.Error("socket frame failed", "err", err, "user_id", c.userID)
		e = errs.E(errs.Internal, "Internal error.")
	}
	b, _ := json.Marshal(frame{Type: "error", ClientID: clientID, Error: &frameError{Code: e.Code, Message: e.Message}})
	c.enqueue(b)
}

package nodetest

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Frame is a socket frame, decoded.
type Frame map[string]any

// Str follows a path of keys ("message.text") to a string.
func (f Frame) Str(path string) string {
	var v any = map[string]any(f)
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// Num follows a path to a number.
func (f Frame) Num(path string) int64 {
	var v any = map[string]any(f)
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return 0
		}
		v = m[k]
	}
	n, _ := v.(float64)
	return int64(n)
}

// Socket is a client's WebSocket to a node, reading frames in the
// background into a buffer that Next searches.
type Socket struct {
	Conn   *websocket.Conn
	mu     sync.Mutex
	frames []Frame
	notify chan struct{}
	done   chan struct{}
	cancel context.CancelFunc
	stall  atomic.Bool
	Err    error
}

// Dial opens the socket of c's user (bearer token) and waits for "ready".
func (c *Client) Dial(t testing.TB) *Socket {
	t.Helper()
	return c.dial(t, nil)
}

// DialSmallWindow is Dial over a connection whose receive buffer is a few
// KB, set before it connects: a client that stops reading fills the
// server's side in kilobytes rather than the megabytes a loopback
// connection's window grows to.
func (c *Client) DialSmallWindow(t testing.TB) *Socket {
	t.Helper()
	d := &net.Dialer{Control: func(_, _ string, raw syscall.RawConn) error {
		var serr error
		if err := raw.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}); err != nil {
			return err
		}
		return serr
	}}
	return c.dial(t, &http.Client{Transport: &http.Transport{DialContext: d.DialContext}})
}

func (c *Client) dial(t testing.TB, hc *http.Client) *Socket {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	url := "ws" + strings.TrimPrefix(c.Base, "http") + "/api/v1/ws"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: hc, HTTPHeader: http.Header{"Authorization": {"Bearer " + c.Token}}})
	if err != nil {
		cancel()
		t.Fatalf("dial %s: %v", url, err)
	}
	conn.SetReadLimit(1 << 20)
	s := &Socket{Conn: conn, notify: make(chan struct{}, 1), done: make(chan struct{}), cancel: cancel}
	go s.read(ctx)
	t.Cleanup(func() { s.Close() })
	s.Next(t, 5*time.Second, func(f Frame) bool { return f["type"] == "ready" })
	return s
}

func (s *Socket) read(ctx context.Context) {
	defer close(s.done)
	for {
		for s.stall.Load() {
			select {
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		_, data, err := s.Conn.Read(ctx)
		if err != nil {
			s.mu.Lock()
			s.Err = err
			s.mu.Unlock()
			s.wake()
			return
		}
		var f Frame
		if json.Unmarshal(data, &f) == nil {
			s.mu.Lock()
			s.frames = append(s.frames, f)
			s.mu.Unlock()
			s.wake()
		}
	}
}

func (s *Socket) wake() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// Next removes and returns the first buffered frame that match accepts,
// waiting up to timeout for one.
func (s *Socket) Next(t testing.TB, timeout time.Duration, match func(Frame) bool) Frame {
	t.Helper()
	f, ok := s.Wait(timeout, match)
	if !ok {
		s.mu.Lock()
		defer s.mu.Unlock()
		t.Fatalf("no matching frame within %v (socket error %v); have %v", timeout, s.Err, s.frames)
	}
	return f
}

// Wait is Next without failing: ok is false on timeout or a closed socket.
func (s *Socket) Wait(timeout time.Duration, match func(Frame) bool) (Frame, bool) {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		for i, f := range s.frames {
			if match(f) {
				s.frames = append(s.frames[:i], s.frames[i+1:]...)
				s.mu.Unlock()
				return f, true
			}
		}
		closed := s.Err != nil
		s.mu.Unlock()
		if closed {
			return nil, false
		}
		select {
		case <-s.notify:
		case <-deadline:
			return nil, false
		}
	}
}

// Take removes and returns every buffered frame that match accepts, in
// arrival order, without waiting.
func (s *Socket) Take(match func(Frame) bool) []Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out, keep []Frame
	for _, f := range s.frames {
		if match(f) {
			out = append(out, f)
		} else {
			keep = append(keep, f)
		}
	}
	s.frames = keep
	return out
}

// TakeN removes matching frames in arrival order until n have come or
// timeout has passed, and returns those it has: fewer than n on timeout or
// a closed socket (the caller judges what is missing).
func (s *Socket) TakeN(timeout time.Duration, n int, match func(Frame) bool) []Frame {
	deadline := time.After(timeout)
	var out []Frame
	for {
		out = append(out, s.Take(match)...)
		if len(out) >= n {
			return out
		}
		s.mu.Lock()
		closed := s.Err != nil
		s.mu.Unlock()
		if closed {
			return append(out, s.Take(match)...)
		}
		select {
		case <-s.notify:
		case <-deadline:
			return append(out, s.Take(match)...)
		}
	}
}

// CloseStatus is the close code the server closed the socket with (-1 while
// open or when it closed without one).
func (s *Socket) CloseStatus() websocket.StatusCode {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err == nil {
		return -1
	}
	return websocket.CloseStatus(s.Err)
}

// StopReading makes the socket stop reading (without closing it), like a
// stalled client: the server sees its TCP window close.
func (s *Socket) StopReading() { s.stall.Store(true) }

// Send writes a frame.
func (s *Socket) Send(t testing.TB, f any) {
	t.Helper()
	b, _ := json.Marshal(f)
	s.SendRaw(t, b)
}

// SendRaw writes bytes as a text frame.
func (s *Socket) SendRaw(t testing.TB, b []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Conn.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatalf("socket write: %v", err)
	}
}

// Closed waits up to timeout for the server to close the socket.
func (s *Socket) Closed(timeout time.Duration) bool {
	select {
	case <-s.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// Close closes the socket.
func (s *Socket) Close() {
	s.Conn.Close(websocket.StatusNormalClosure, "")
	s.cancel()
	<-s.done
}

// IsMessage matches message frames of a conversation.
func IsMessage(convID string) func(Frame) bool {
	return func(f Frame) bool { return f["type"] == "message" && f.Str("message.conversation_id") == convID }
}

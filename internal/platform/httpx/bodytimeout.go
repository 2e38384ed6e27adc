package httpx

import (
	"io"
	"net/http"
	"time"
)

// BodyDeadline cuts off request bodies that arrive too slowly (slowloris):
// a body must start within Grace and then keep up MinRate bytes a second
// on average (the deadline is Grace plus the time MinRate needs for what
// has arrived, so a steady slow upload is never cut while a trickle is).
// It works on the connection's read deadline through
// http.ResponseController, per request, so long-lived WebSocket upgrades
// and slow handlers are not limited as http.Server.ReadTimeout would.
type BodyDeadline struct {
	Grace   time.Duration
	MinRate float64 // bytes a second
	now     func() time.Time
}

// DefaultBodyDeadline lets a body start within 20 s and then arrive at
// 8 KiB/s or faster: a 10 MiB upload has 21 minutes, a byte every few
// seconds is cut off after 20.
var DefaultBodyDeadline = BodyDeadline{Grace: 20 * time.Second, MinRate: 8 << 10}

// Wrap applies the deadline to every request that has a body. A
// WebSocket upgrade has none, so its hijacked connection keeps no
// deadline; a request with a body is limited whatever its headers claim
// (a POST saying "Connection: Upgrade" is no way around the deadline).
func (d BodyDeadline) Wrap(next http.Handler) http.Handler {
	if d.now == nil {
		d.now = time.Now
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		start := d.now()
		if err := rc.SetReadDeadline(start.Add(d.Grace)); err != nil {
			next.ServeHTTP(w, r) // a writer without deadlines (tests)
			return
		}
		body := &slowBody{ReadCloser: r.Body, rc: rc, d: d, start: start}
		r.Body = body
		defer func() {
			// A body cut off keeps its passed deadline, so that the
			// server's drain fails at once and the connection closes.
			if !body.failed {
				rc.SetReadDeadline(time.Time{})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type slowBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	d      BodyDeadline
	start  time.Time
	read   int64
	done   bool
	failed bool // the read failed before the body's end
}

func (b *slowBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.done {
		return n, err
	}
	b.read += int64(n)
	if err == io.EOF {
		// The whole body is in: the connection is the server's again, for
		// the next request or to notice a close.
		b.done = true
		b.rc.SetReadDeadline(time.Time{})
		return n, err
	}
	if err != nil {
		b.done, b.failed = true, true
		return n, err
	}
	if n > 0 {
		allowed := b.d.Grace + time.Duration(float64(b.read)/b.d.MinRate*float64(time.Second))
		b.rc.SetReadDeadline(b.start.Add(allowed))
	}
	return n, err
}

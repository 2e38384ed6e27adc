package httpx

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// bodyServer serves h behind d on a real loopback listener; each request's
// outcome (bytes read, read error) goes to got.
func bodyServer(t *testing.T, d BodyDeadline) (addr string, got chan string) {
	t.Helper()
	got = make(chan string, 4)
	h := d.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			got <- fmt.Sprintf("%d err", len(b))
			w.WriteHeader(http.StatusRequestTimeout)
			return
		}
		got <- fmt.Sprintf("%d ok", len(b))
		w.WriteHeader(http.StatusNoContent)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), got
}

// L5: a POST whose body trickles in (here a byte every 100 ms against a
// 300 ms grace and 1 KiB/s) is cut off; the same size sent steadily, and a
// slow but steady body, are not. Claiming to be an upgrade (WebSocket
// upgrades are exempt) must not get a body past the deadline.
func TestBodyDeadlineCutsTrickle(t *testing.T) {
	for name, extra := range map[string]string{
		"post":                "",
		"post_claims_upgrade": "Connection: Upgrade\r\nUpgrade: websocket\r\n",
	} {
		t.Run(name, func(t *testing.T) { cutsTrickle(t, extra) })
	}
}

func cutsTrickle(t *testing.T, extra string) {
	addr, got := bodyServer(t, BodyDeadline{Grace: 300 * time.Millisecond, MinRate: 1024})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\n%sContent-Length: 100\r\n\r\n", extra)
	start := time.Now()
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if _, err := c.Write([]byte("x")); err != nil {
					return
				}
			}
		}
	}()
	defer close(stop)
	select {
	case s := <-got:
		if !strings.HasSuffix(s, "err") {
			t.Fatalf("trickled body: %s, want cut off", s)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Fatalf("cut off after %v", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a trickling body was still being read after 10 s")
	}
	// The connection is closed under the client at once, not drained
	// at the trickle's pace.
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	if resp, err := http.ReadResponse(br, nil); err == nil {
		resp.Body.Close()
	}
	if _, err := br.ReadByte(); err == nil || isTimeout(err) {
		t.Fatalf("connection still open after a cut-off body: %v", err)
	}
}

func TestBodyDeadlineLetsSteadyBodiesThrough(t *testing.T) {
	addr, got := bodyServer(t, BodyDeadline{Grace: 300 * time.Millisecond, MinRate: 1024})
	// 2 KiB at about 2 KiB/s: over a second, past the grace, but fast
	// enough.
	pr, pw := io.Pipe()
	go func() {
		for range 20 {
			pw.Write([]byte(strings.Repeat("y", 100)))
			time.Sleep(50 * time.Millisecond)
		}
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/", pr)
	req.ContentLength = 2000
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if s := <-got; s != "2000 ok" || resp.StatusCode != 204 {
		t.Fatalf("steady body: %s, %d", s, resp.StatusCode)
	}
	// The deadline is gone once the body is read: a keep-alive
	// connection idle past it still serves the next request.
	time.Sleep(400 * time.Millisecond) // past the grace, on purpose
	resp, err = http.Post("http://"+addr+"/", "text/plain", strings.NewReader("z"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if s := <-got; s != "1 ok" {
		t.Fatalf("next request: %s", s)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

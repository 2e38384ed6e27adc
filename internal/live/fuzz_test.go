package live_test

import (
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
)

// FuzzWHIP throws offers at the WHIP and WHEP endpoints' edges (content
// types, sizes, bodies): each answer is 201 with an SDP answer or a 4xx
// JSON error, never a panic or a 5xx.
func FuzzWHIP(f *testing.F) {
	f.Add("application/sdp", "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n", false)
	f.Add("application/sdp; charset=utf-8", "v=0\r\n", true)
	f.Add("text/plain", "v=0\r\n", false)
	f.Add("application/sdp", "", true)
	f.Add("application/sdp;;", "\x00\xff", false)
	f.Add("", strings.Repeat("a=x\r\n", 20000), true)
	e := newEnv(f, dbtest.SQLite(f, sets...))
	id := e.room()
	e.goLive(id)
	f.Fuzz(func(t *testing.T, ctype, body string, whep bool) {
		path, user := "/api/v1/live/rooms/"+id+"/whip", host
		if whep {
			path, user = "/api/v1/live/rooms/"+id+"/whep", "u_viewer"
		}
		r := e.do(user, "POST", path, body, "Content-Type", ctype)
		switch {
		case r.status == 201:
			if r.header.Get("Content-Type") != "application/sdp" || !strings.HasPrefix(r.header.Get("Location"), path+"/") {
				t.Fatalf("201 without an SDP answer: %v", r.header)
			}
		case r.status >= 400 && r.status < 500:
			if r.code(t) == "" {
				t.Fatalf("%d without an error code: %q", r.status, r.body)
			}
		default:
			t.Fatalf("status %d: %q", r.status, r.body)
		}
	})
}

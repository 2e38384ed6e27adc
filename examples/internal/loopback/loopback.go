// Package loopback gives the examples an HTTP client that reaches
// "localhost" and every "*.localhost" name on this machine, as browsers
// do and RFC 6761 (section 6.3) asks, without asking DNS: the demo runs
// Plaza as plaza.localhost, and Go's resolver would send that name to the
// network's DNS server.
package loopback

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"
)

// Client is an http.Client with a 30 s timeout that dials *.localhost at
// 127.0.0.1.
func Client() *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil {
			h := strings.TrimSuffix(strings.ToLower(host), ".")
			if h == "localhost" || strings.HasSuffix(h, ".localhost") {
				return d.DialContext(ctx, "tcp4", net.JoinHostPort("127.0.0.1", port))
			}
		}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: t}
}

// Package outbound is the HTTP client for every URL Plaza fetches on
// someone else's say (merchant notify_urls today). Anyone can become a
// merchant, so such a URL is an attacker's choice: the client refuses to
// connect to loopback, private, link-local and other non-public
// addresses, checked on the address actually dialled (after DNS, so a
// name that rebinds to 127.0.0.1 is refused too); it follows no redirect,
// takes no proxy from the environment, speaks only http and https, and
// bounds every phase of the request. Options.AllowPrivate lifts the
// address check, for demos and tests whose servers are on loopback.
package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// Options configure a client; zero durations take the defaults below.
type Options struct {
	// AllowPrivate lets requests reach any address (--allow-private-outbound).
	AllowPrivate bool
	// DialTimeout bounds the TCP connect (3 s).
	DialTimeout time.Duration
	// TLSHandshakeTimeout bounds the TLS handshake (3 s).
	TLSHandshakeTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for the answer's headers once
	// the request is written (5 s).
	ResponseHeaderTimeout time.Duration
	// Timeout bounds the whole request, body included (5 s: WeChat's
	// notification timeout).
	Timeout time.Duration
}

// MaxBody is how much of an answer's body Drain reads.
const MaxBody = 16 << 10

var (
	// ErrAddressNotAllowed is a connection refused because the address
	// is not public (see Public).
	ErrAddressNotAllowed = errors.New("outbound: address not allowed")
	// ErrInvalidURL is a URL the client does not fetch.
	ErrInvalidURL = errors.New("outbound: invalid URL")
)

// NewClient is an http.Client with the rules of the package.
func NewClient(o Options) *http.Client {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.DialTimeout, 3*time.Second)
	def(&o.TLSHandshakeTimeout, 3*time.Second)
	def(&o.ResponseHeaderTimeout, 5*time.Second)
	def(&o.Timeout, 5*time.Second)
	dialer := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second, ControlContext: o.control}
	t := &http.Transport{
		Proxy:                  nil, // never HTTP(S)_PROXY: the proxy would dial, unchecked
		DialContext:            localhostDialer(dialer),
		TLSHandshakeTimeout:    o.TLSHandshakeTimeout,
		ResponseHeaderTimeout:  o.ResponseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 16 << 10,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        30 * time.Second,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
	}
	return &http.Client{
		Transport: guard{t},
		Timeout:   o.Timeout,
		// A redirect is the answer: following it would let a public
		// server send the request on to a private one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// localhostDialer dials "localhost" and every "*.localhost" name at the
// loopback address without asking DNS, as RFC 6761 (section 6.3) says
// resolvers should: Go's resolver would send a.localhost to the network's
// DNS server. The address check still runs on the loopback address, so
// such names are refused unless private addresses are allowed (the demo's
// shop.localhost).
func localhostDialer(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err == nil {
			h := strings.TrimSuffix(strings.ToLower(host), ".")
			if h == "localhost" || strings.HasSuffix(h, ".localhost") {
				return d.DialContext(ctx, "tcp4", net.JoinHostPort("127.0.0.1", port))
			}
		}
		return d.DialContext(ctx, network, addr)
	}
}

// control runs on every connection attempt, after name resolution and
// before connect: address is the IP and port being dialled.
func (o Options) control(_ context.Context, network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("%w: network %s", ErrAddressNotAllowed, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrAddressNotAllowed, address)
	}
	if !o.AllowPrivate && !Public(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrAddressNotAllowed, ap)
	}
	return nil
}

// guard refuses what the transport should never be asked for, whoever
// built the request: other schemes, user info, no host.
type guard struct{ next http.RoundTripper }

func (g guard) RoundTrip(r *http.Request) (*http.Response, error) {
	u := r.URL
	if (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Hostname() == "" {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("%w: scheme %q", ErrInvalidURL, u.Scheme)
	}
	return g.next.RoundTrip(r)
}

// Drain reads a little of the body, so that the connection can be reused,
// and closes it.
func Drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, MaxBody))
	resp.Body.Close()
}

// Outcome is what may be told to whoever chose the URL about one attempt:
// "" for a 2xx answer, "HTTP 500" for another, or one of "refused: address
// not allowed", "refused: invalid URL", "timeout", "TLS failed",
// "connection failed". Never the error's text, which names addresses and
// ports and would make the client a port scanner; log that server-side.
func Outcome(status int, err error) string {
	var tlsVerify *tls.CertificateVerificationError
	var tlsHeader tls.RecordHeaderError
	var tlsAlert tls.AlertError
	var netErr net.Error
	switch {
	case err == nil && status >= 200 && status < 300:
		return ""
	case err == nil && status >= 300 && status < 400:
		return fmt.Sprintf("HTTP %d (redirects are not followed)", status)
	case err == nil && status > 0:
		return fmt.Sprintf("HTTP %d", status)
	case err == nil:
		return "connection failed"
	case errors.Is(err, ErrAddressNotAllowed):
		return "refused: address not allowed"
	case errors.Is(err, ErrInvalidURL):
		return "refused: invalid URL"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.As(err, &tlsVerify), errors.As(err, &tlsHeader), errors.As(err, &tlsAlert):
		return "TLS failed"
	default:
		return "connection failed"
	}
}

package outbound_test

import (
	"errors"
	"net/netip"
	"net/url"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/outbound"
)

// FuzzCheckURL: whatever CheckURL accepts is an absolute http(s) URL with
// a host and no user info, and, when private addresses are not allowed,
// not a literal non-public address; every refusal is one of its two
// errors.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://shop.example.com/notify", "http://127.0.0.1:80/n", "http://[::ffff:7f00:1]/",
		"http://%31%32%37.0.0.1/", "http://[fe80::1%25lo]/", "file:///etc/passwd", "http://u@h/", "http://0x7f.1/", "http:h"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, allowPrivate bool) {
		err := outbound.CheckURL(raw, allowPrivate)
		if err != nil {
			if !errors.Is(err, outbound.ErrInvalidURL) && !errors.Is(err, outbound.ErrAddressNotAllowed) {
				t.Fatalf("CheckURL(%q): unexpected error %v", raw, err)
			}
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.User != nil || u.Hostname() == "" {
			t.Fatalf("CheckURL accepted %q: %+v %v", raw, u, perr)
		}
		if a, err := netip.ParseAddr(u.Hostname()); err == nil && !allowPrivate && !outbound.Public(a) {
			t.Fatalf("CheckURL accepted %q, a non-public address", raw)
		}
	})
}

package outbound

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// MaxURLLength is the longest URL CheckURL accepts; callers with a
// contract of their own (WeChat's notify_url is 255) check it too.
const MaxURLLength = 2048

// CheckURL reports whether raw is a URL the client would fetch: absolute
// http or https, a host, no user info, a port in range, a host that is an
// IP address or an ASCII host name (not one of the numeric forms such as
// 127.1 or 0x7f.1 that some resolvers read as addresses). Unless
// allowPrivate, a literal IP that is not public is refused at once
// (ErrAddressNotAllowed); a host name is checked when it is dialled.
// Every other refusal wraps ErrInvalidURL.
func CheckURL(raw string, allowPrivate bool) error {
	if len(raw) > MaxURLLength {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidURL, MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: not http or https", ErrInvalidURL)
	case u.Opaque != "" || !strings.HasPrefix(raw[len(u.Scheme)+1:], "//"):
		return fmt.Errorf("%w: not an absolute URL", ErrInvalidURL)
	case u.User != nil:
		return fmt.Errorf("%w: user info", ErrInvalidURL)
	case u.Hostname() == "":
		return fmt.Errorf("%w: no host", ErrInvalidURL)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%w: port %q", ErrInvalidURL, p)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("%w: empty port", ErrInvalidURL)
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if strings.Contains(host, ":") != strings.HasPrefix(u.Host, "[") {
			return fmt.Errorf("%w: host %q", ErrInvalidURL, host)
		}
		if !allowPrivate && !Public(a) {
			return fmt.Errorf("%w: %s", ErrAddressNotAllowed, a)
		}
		return nil
	}
	if strings.HasPrefix(u.Host, "[") || !hostName(host) {
		return fmt.Errorf("%w: host %q", ErrInvalidURL, host)
	}
	return nil
}

// hostName reports whether h is a DNS name of letters, digits, hyphens
// and underscores (an optional final dot), whose last label is not
// numeric: resolvers that take inet_aton's forms would read "127.1",
// "2130706433" or "0x7f.0.0.1" as addresses.
func hostName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return !numericLabel(labels[len(labels)-1])
}

// numericLabel is a label WHATWG URL parsers and inet_aton read as a
// number: decimal digits, or 0x followed by hex digits.
func numericLabel(l string) bool {
	s := strings.ToLower(l)
	if rest, ok := strings.CutPrefix(s, "0x"); ok {
		s = rest
		for i := 0; i < len(s); i++ {
			if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package httpx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// Edge is how Plaza meets the outside world: the public URL it hands out,
// the domain mini-programs are served under, and the proxies whose
// X-Forwarded-* headers are believed. Configured once (--public-url,
// --apps-domain, --trusted-proxies); every URL, CSP, cookie flag and client
// IP is derived from it, never from what a request claims.
//
// Without a public URL Plaza keeps its loopback behaviour: links are built
// from the request's own scheme and Host, which is what a developer on
// 127.0.0.1 wants and harmless there.
type Edge struct {
	// Public is the public base URL (https://plaza.example.com), or nil.
	Public *url.URL
	// AppsDomain is the parent of mini-program origins ({appid}.AppsDomain).
	AppsDomain string
	// Trusted are the proxies whose X-Forwarded-For/-Proto are believed.
	Trusted []netip.Prefix
}

// NewEdge parses the edge flags. publicURL may be empty; proxies is a
// comma-separated list of CIDRs or addresses.
func NewEdge(publicURL, appsDomain, proxies string) (*Edge, error) {
	e := &Edge{AppsDomain: strings.ToLower(strings.TrimSpace(appsDomain))}
	if e.AppsDomain == "" {
		e.AppsDomain = "apps.localhost"
	}
	if publicURL != "" {
		u, err := url.Parse(publicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("--public-url %q: want a scheme and host only, such as https://plaza.example.com", publicURL)
		}
		u.Path, u.Host = "", strings.ToLower(u.Host)
		if (u.Scheme == "https" && u.Port() == "443") || (u.Scheme == "http" && u.Port() == "80") {
			u.Host = u.Hostname() // the origin a browser sees has no default port
			if strings.Contains(u.Host, ":") {
				u.Host = "[" + u.Host + "]"
			}
		}
		e.Public = u
	}
	for _, s := range strings.Split(proxies, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("--trusted-proxies %q: %v", s, err)
			}
			e.Trusted = append(e.Trusted, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies %q: %v", s, err)
		}
		if a := p.Addr(); a.Is4In6() { // ::ffff:10.0.0.0/104 is 10.0.0.0/8
			if p.Bits() < 96 {
				return nil, fmt.Errorf("--trusted-proxies %q: an IPv4-mapped prefix needs at least 96 bits", s)
			}
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		e.Trusted = append(e.Trusted, p.Masked())
	}
	return e, nil
}

type edgeInfo struct {
	edge   *Edge
	ip     string // the real client's address
	secure bool   // the client reached the edge over TLS
}

const keyEdge ctxKey = 100

// Wrap resolves each request's real client address and scheme once (from
// X-Forwarded-For/-Proto only when the peer is a trusted proxy) and keeps
// them, with the edge, in the request's context for ClientIP, Secure and
// BaseURL. It also sets HSTS on answers to requests that are Secure.
func (e *Edge) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(context.WithValue(r.Context(), keyEdge, e.resolve(r)))
		if Secure(r) {
			w.Header().Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

func (e *Edge) resolve(r *http.Request) *edgeInfo {
	info := &edgeInfo{edge: e, ip: peerIP(r), secure: r.TLS != nil}
	peer, err := netip.ParseAddr(info.ip)
	if err != nil || !e.trusted(peer) {
		return info
	}
	// Walk X-Forwarded-For from the right: the first address that is not
	// one of our proxies is the client (anything left of it is the
	// client's own claim and may be forged).
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for _, p := range strings.Split(h, ",") {
			if p = strings.TrimSpace(p); p != "" {
				hops = append(hops, p)
			}
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := hopAddr(hops[i])
		if !ok {
			break // garbage: stop at the last address we could trust
		}
		info.ip = a.Unmap().String()
		if !e.trusted(a) {
			break
		}
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		info.secure = strings.EqualFold(strings.TrimSpace(strings.Split(p, ",")[0]), "https")
	}
	return info
}

// hopAddr parses one X-Forwarded-For entry: an address, or (as some
// proxies write) an address with a port, IPv6 in brackets.
func hopAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone(""), true
	}
	return netip.Addr{}, false
}

func (e *Edge) trusted(a netip.Addr) bool {
	a = a.Unmap().WithZone("") // a zoned address matches no prefix
	for _, p := range e.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().WithZone("").String()
	}
	return host
}

func edgeOf(r *http.Request) *edgeInfo {
	if info, ok := r.Context().Value(keyEdge).(*edgeInfo); ok {
		return info
	}
	return nil
}

// ClientIP is the real client's address: the peer, or, behind a trusted
// proxy, the address that proxy saw.
func ClientIP(r *http.Request) string {
	if info := edgeOf(r); info != nil {
		return info.ip
	}
	return peerIP(r)
}

// Secure reports whether the client reached Plaza over TLS (directly, or
// through a trusted proxy that says so). With an https public URL it is
// always true: cookies are then Secure even if a hop in between is not.
func Secure(r *http.Request) bool {
	if info := edgeOf(r); info != nil {
		if info.edge.Public != nil {
			return info.edge.Public.Scheme == "https"
		}
		return info.secure
	}
	return r.TLS != nil
}

// BaseURL is the scheme and host Plaza's links start with: the public URL
// when one is configured, else the request's own (loopback behaviour).
func BaseURL(r *http.Request) string {
	if info := edgeOf(r); info != nil && info.edge.Public != nil {
		return info.edge.Public.String()
	}
	scheme := "http"
	if Secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// AppOrigin is the origin mini-program appid (or a trial label) is served
// from: {label}.{apps-domain} with the public URL's scheme and port, or the
// request's port without one.
func AppOrigin(r *http.Request, label string) string {
	domain := "apps.localhost"
	if info := edgeOf(r); info != nil {
		domain = info.edge.AppsDomain
		if pub := info.edge.Public; pub != nil {
			host := label + "." + domain
			if p := pub.Port(); p != "" {
				host += ":" + p
			}
			return pub.Scheme + "://" + host
		}
	}
	scheme := "http"
	if Secure(r) {
		scheme = "https"
	}
	host := label + "." + domain
	if _, port, err := net.SplitHostPort(r.Host); err == nil && port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

// AppsSource is the CSP source of every mini-program origin,
// {scheme}://*.{apps-domain}[:port] (the client's frame-src).
func AppsSource(r *http.Request) string { return AppOrigin(r, "*") }

// AppsBase is what the client builds mini-program origins from:
// {scheme}://{apps-domain}[:port]; an app's is the same with "{appid}."
// before the domain.
func AppsBase(r *http.Request) string {
	return strings.Replace(AppOrigin(r, "x"), "://x.", "://", 1)
}

// PlazaOrigins are the origins Plaza's own pages are served from, the only
// ones that may frame a mini-program: the public URL's when one is set;
// else, for loopback use, localhost, plaza.localhost and 127.0.0.1 on the
// request's scheme and port.
func PlazaOrigins(r *http.Request) []string {
	if info := edgeOf(r); info != nil && info.edge.Public != nil {
		return []string{info.edge.Public.String()}
	}
	scheme := "http"
	if Secure(r) {
		scheme = "https"
	}
	port := ""
	if _, p, err := net.SplitHostPort(r.Host); err == nil && p != "" {
		port = ":" + p
	}
	var out []string
	for _, h := range []string{"localhost", "plaza.localhost", "127.0.0.1"} {
		out = append(out, scheme+"://"+h+port)
	}
	return out
}

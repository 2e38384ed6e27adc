package outbound

import "net/netip"

// refusedV4 are the IPv4 ranges no outbound request may reach besides the
// ones netip already names (loopback, private, link-local, multicast,
// unspecified): they are either inside someone's network or not unicast
// on the Internet at all (IANA's special-purpose registry).
var refusedV4 = prefixes(
	"0.0.0.0/8",       // "this network"
	"100.64.0.0/10",   // carrier-grade NAT, shared address space
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // TEST-NET-1
	"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // TEST-NET-2
	"203.0.113.0/24",  // TEST-NET-3
	"240.0.0.0/4",     // reserved, and 255.255.255.255 broadcast
)

// refusedV6 are the special IPv6 ranges inside global unicast 2000::/3 —
// everything outside 2000::/3 is refused already.
var refusedV6 = prefixes(
	"2001::/23",     // IETF protocol assignments (Teredo, ORCHID, benchmarking…)
	"2001:db8::/32", // documentation
	"3fff::/20",     // documentation
)

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")   // well-known NAT64: embeds an IPv4 address
	sixToFour = netip.MustParsePrefix("2002::/16")      // 6to4: embeds an IPv4 address
	global6   = netip.MustParsePrefix("2000::/3")       // IPv6 global unicast
	nat64Loc  = netip.MustParsePrefix("64:ff9b:1::/48") // local-use NAT64: inside some network
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// Public reports whether an outbound request may connect to a: a unicast
// address on the public Internet. Loopback, private (RFC 1918, fc00::/7),
// link-local, multicast, unspecified, carrier-grade NAT, documentation
// and reserved ranges are not, nor IPv4-mapped, NAT64 or 6to4 forms of
// them, nor anything invalid.
func Public(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.WithZone("")
	if a.Is4In6() { // ::ffff:127.0.0.1 is 127.0.0.1
		a = a.Unmap()
	}
	if a.Is4() {
		return public4(a)
	}
	switch {
	case nat64.Contains(a):
		b := a.As16()
		return public4(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(a):
		b := a.As16()
		return public4(netip.AddrFrom4([4]byte(b[2:6])))
	case nat64Loc.Contains(a), !global6.Contains(a):
		// ::, ::1, ::/96 (IPv4-compatible), fc00::/7, fe80::/10, fec0::/10,
		// ff00::/8, 100::/64 and the rest of the unassigned space.
		return false
	}
	for _, p := range refusedV6 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

func public4(a netip.Addr) bool {
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsMulticast() || a.IsUnspecified() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range refusedV4 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

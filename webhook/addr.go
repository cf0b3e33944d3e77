package webhook

import "net/netip"

// specialRange is a block of addresses that a webhook may not reach.
type specialRange struct {
	prefix netip.Prefix
	what   string // "a loopback address"
}

// specialRanges are the IANA IPv4 and IPv6 Special-Purpose Address
// Registries (RFC 6890 and its updates), with multicast and the deprecated
// site-local block beside them: loopback, link-local (where cloud metadata
// services live), private and the rest would let whoever registers a
// webhook reach inside the network gonogo runs in, or are not meant to be
// reached at all. The narrower range comes first, for the message. IPv6
// outside global unicast (2000::/3) is refused besides, and the well-known
// NAT64 prefix is judged by the IPv4 address it carries.
var specialRanges = func() []specialRange {
	var rs []specialRange
	for _, r := range [][2]string{
		{"0.0.0.0/8", "a “this network” address"},
		{"10.0.0.0/8", "a private address"},
		{"100.64.0.0/10", "a private address (shared address space, RFC 6598)"},
		{"127.0.0.0/8", "a loopback address"},
		{"169.254.0.0/16", "a link-local address"},
		{"172.16.0.0/12", "a private address"},
		{"192.0.0.0/24", "an IETF protocol assignment"},
		{"192.0.2.0/24", "a documentation address"},
		{"192.31.196.0/24", "an AS112 service address"},
		{"192.52.193.0/24", "an AMT relay address"},
		{"192.88.99.0/24", "a 6to4 relay address"},
		{"192.168.0.0/16", "a private address"},
		{"192.175.48.0/24", "an AS112 service address"},
		{"198.18.0.0/15", "a benchmarking address"},
		{"198.51.100.0/24", "a documentation address"},
		{"203.0.113.0/24", "a documentation address"},
		{"224.0.0.0/4", "a multicast address"},
		{"255.255.255.255/32", "the broadcast address"},
		{"240.0.0.0/4", "a reserved address"},

		{"::/128", "the unspecified address"},
		{"::1/128", "a loopback address"},
		{"::/96", "an IPv4-compatible address (deprecated)"},
		{"64:ff9b:1::/48", "a local-use NAT64 address"},
		{"100::/64", "a discard-only address"},
		{"100:0:0:1::/64", "a dummy address"},
		{"2001::/32", "a Teredo address"},
		{"2001::/23", "an IETF protocol assignment"},
		{"2001:db8::/32", "a documentation address"},
		{"2002::/16", "a 6to4 address"},
		{"2620:4f:8000::/48", "an AS112 service address"},
		{"3fff::/20", "a documentation address"},
		{"5f00::/16", "a segment routing address"},
		{"fc00::/7", "a private (unique local) address"},
		{"fe80::/10", "a link-local address"},
		{"fec0::/10", "a site-local address (deprecated)"},
		{"ff00::/8", "a multicast address"},
	} {
		rs = append(rs, specialRange{netip.MustParsePrefix(r[0]), r[1]})
	}
	return rs
}()

var (
	// nat64 is the well-known NAT64 prefix (RFC 6052): 64:ff9b::a.b.c.d is
	// a.b.c.d reached through a translator, which is how an IPv6-only host
	// behind DNS64 reaches an IPv4-only receiver.
	nat64         = netip.MustParsePrefix("64:ff9b::/96")
	globalUnicast = netip.MustParsePrefix("2000::/3")
)

// ForbiddenAddr says why a webhook may not be sent to ip, or "" if it may:
// ip is in a special-purpose range (see specialRanges), or is IPv6 outside
// global unicast. An IPv4 address mapped into IPv6 or behind the
// well-known NAT64 prefix is judged as that IPv4 address.
func ForbiddenAddr(ip netip.Addr) string {
	if !ip.IsValid() {
		return "it is not an IP address"
	}
	ip = ip.WithZone("")
	shown := ip.String()
	ip = ip.Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	for _, r := range specialRanges {
		if r.prefix.Contains(ip) {
			return shown + " is " + r.what
		}
	}
	if ip.Is6() && !globalUnicast.Contains(ip) {
		return shown + " is not a global unicast address"
	}
	return ""
}

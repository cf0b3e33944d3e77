package webhook_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/gonogo/gonogo/webhook"
)

// specialPurpose are the ranges of IANA's IPv4 and IPv6 Special-Purpose
// Address Registries, with multicast, the reserved and deprecated blocks
// beside them, and everything IPv6 outside global unicast (2000::/3) that
// the registries reserve. A webhook may go to none of them.
var specialPurpose = []string{
	// IPv4
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
	"192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	"255.255.255.255/32",
	// IPv6
	"::/128", "::1/128", "::/96", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64", "2001::/23",
	"2001::/32", "2001:2::/48", "2001:db8::/32", "2002::/16", "2620:4f:8000::/48", "3fff::/20", "5f00::/16",
	"fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
}

// lastAddr is the highest address of a prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestForbiddenAddr(t *testing.T) {
	forbidden := []string{
		// Accepted before: NAT64 forms of loopback and the metadata
		// address, 6to4, site-local, Teredo, "this network", reserved,
		// benchmarking, IETF protocol assignments.
		"64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "fec0::1", "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
		"0.0.0.1", "240.0.0.1", "198.18.0.1", "192.0.0.8",
		// And the obvious ones, in every spelling.
		"127.0.0.1", "127.8.9.1", "::1", "169.254.169.254", "fe80::1", "fe80::1%eth0", "10.1.2.3", "172.16.0.9", "192.168.1.1",
		"fd00::1", "100.64.0.1", "0.0.0.0", "::", "224.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::7f00:1",
		"64:ff9b::10.0.0.1", "64:ff9b::ffff:ffff", "64:ff9b:1::8.8.8.8", "fd00:ec2::254", "ff02::1", "5f00::1",
	}
	for _, p := range specialPurpose {
		prefix := netip.MustParsePrefix(p)
		forbidden = append(forbidden, prefix.Addr().String(), lastAddr(prefix).String())
		if prefix.Addr().Is4() {
			// The same address mapped into IPv6 and behind NAT64.
			forbidden = append(forbidden, "::ffff:"+prefix.Addr().String(), "64:ff9b::"+lastAddr(prefix).String())
		}
	}
	for _, s := range forbidden {
		t.Run(s, func(t *testing.T) {
			if webhook.ForbiddenAddr(netip.MustParseAddr(s)) == "" {
				t.Errorf("%s is allowed", s)
			}
		})
	}
	// Public addresses, among them the neighbours of refused ranges; a
	// public IPv4 address behind the well-known NAT64 prefix is what an
	// IPv6-only host with DNS64 dials to reach it.
	for _, s := range []string{"93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8",
		"64:ff9b::808:808", "64:ff9b::93.184.215.14", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
		"128.0.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.0", "192.0.3.0", "198.17.255.255", "198.20.0.0", "223.255.255.255",
		"2001:200::1", "2001:db9::1", "2003::1", "3fff:1000::1", "2620:4f:8001::1"} {
		t.Run(s, func(t *testing.T) {
			if why := webhook.ForbiddenAddr(netip.MustParseAddr(s)); why != "" {
				t.Errorf("%s is refused: %s", s, why)
			}
		})
	}
	for addr, want := range map[string]string{"169.254.169.254": "link-local", "127.0.0.1": "loopback", "64:ff9b::7f00:1": "loopback",
		"::ffff:10.0.0.1": "private", "2001::1": "Teredo", "2002:7f00:1::": "6to4", "fec0::1": "site-local"} {
		if why := webhook.ForbiddenAddr(netip.MustParseAddr(addr)); !strings.Contains(why, want) {
			t.Errorf("%s: %q does not say %s", addr, why, want)
		}
	}
}

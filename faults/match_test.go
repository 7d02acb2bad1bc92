package faults

import (
	"net/netip"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"a.test", "a.test", true},
		{"a.test", "b.test", false},
		{"*.blocked.test", "www.blocked.test", true},
		{"*.blocked.test", "a.b.blocked.test", true},
		{"*.blocked.test", "blocked.test", false},
		{"*", "anything", true},
		{"*", "", true},
		{"api-*.test", "api-eu.test", true},
		{"api-*.test", "api.test", false},
		{"*cdn*", "x.cdn.example", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"a*a", "aaa", true},
		{"*.*", "nodot", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestSelectors(t *testing.T) {
	modern := &sniff.ClientHello{ServerName: "WWW.Blocked.Test", ALPN: []string{"h2", "http/1.1"},
		SupportedVersions: []uint16{0x3a3a, 0x0304, 0x0303}, LegacyVersion: 0x0303, WireLen: 1650}
	noSNI := &sniff.ClientHello{LegacyVersion: 0x0303, WireLen: 300}
	old := &sniff.ClientHello{ServerName: "legacy.test", LegacyVersion: 0x0302, WireLen: 200}
	client := netip.MustParseAddrPort("10.1.2.3:50000")
	mapped := netip.MustParseAddrPort("[::ffff:10.1.2.3]:50000")

	base := ConnInfo{Listener: "edge", Client: client, Index: 1, Hello: modern,
		JA3: "e7d705a3286e19ea42f587b344ee6865", JA4: "t13d1516h2_8daaf6152771_b0da82dd1658", HelloSegments: 2}
	with := func(f func(*ConnInfo)) ConnInfo { ci := base; f(&ci); return ci }

	tests := []struct {
		name string
		r    Rule
		ci   ConnInfo
		want bool
	}{
		{"no selectors", Rule{}, base, true},
		{"listener match", Rule{Listener: "edge"}, base, true},
		{"listener miss", Rule{Listener: "other"}, base, false},
		{"sni glob any case", Rule{SNI: "*.blocked.test"}, base, true},
		{"sni glob miss", Rule{SNI: "*.allowed.test"}, base, false},
		{"sni none on none", Rule{SNI: SNINone}, with(func(c *ConnInfo) { c.Hello = noSNI }), true},
		{"sni none on named", Rule{SNI: SNINone}, base, false},
		{"sni without hello", Rule{SNI: "*"}, with(func(c *ConnInfo) { c.Hello = nil }), false},
		{"cidr", Rule{Client: "10.0.0.0/8"}, base, true},
		{"cidr miss", Rule{Client: "192.168.0.0/16"}, base, false},
		{"cidr v4-mapped client", Rule{Client: "10.1.0.0/16"}, with(func(c *ConnInfo) { c.Client = mapped }), true},
		{"single ip", Rule{Client: "10.1.2.3"}, base, true},
		{"single ip miss", Rule{Client: "10.1.2.4"}, base, false},
		{"ja3 exact", Rule{JA3: "e7d705a3286e19ea42f587b344ee6865"}, base, true},
		{"ja3 exact miss", Rule{JA3: "e7d705a3"}, base, false},
		{"ja3 prefix", Rule{JA3: "e7d705a3*"}, base, true},
		{"ja4 prefix", Rule{JA4: "t13d*"}, base, true},
		{"ja4 prefix miss", Rule{JA4: "t12d*"}, base, false},
		{"alpn contains", Rule{ALPN: "http/1.1"}, base, true},
		{"alpn miss", Rule{ALPN: "h3"}, base, false},
		{"max offered 1.2 vs 1.3 client", Rule{MaxOfferedVersion: VersionTLS12}, base, false},
		{"max offered 1.3 vs 1.3 client", Rule{MaxOfferedVersion: VersionTLS13}, base, true},
		{"max offered 1.1 vs 1.1 client", Rule{MaxOfferedVersion: VersionTLS11}, with(func(c *ConnInfo) { c.Hello = old }), true},
		{"hello size", Rule{HelloMinSize: 1400}, base, true},
		{"hello size miss", Rule{HelloMinSize: 1400}, with(func(c *ConnInfo) { c.Hello = noSNI }), false},
		{"multi segment", Rule{HelloMultiSegment: true}, base, true},
		{"single segment", Rule{HelloMultiSegment: true}, with(func(c *ConnInfo) { c.HelloSegments = 1 }), false},
		{"first 3 at 3", Rule{ConnFirst: 3}, with(func(c *ConnInfo) { c.Index = 3 }), true},
		{"first 3 at 4", Rule{ConnFirst: 3}, with(func(c *ConnInfo) { c.Index = 4 }), false},
		{"every 3 at 6", Rule{ConnEvery: 3}, with(func(c *ConnInfo) { c.Index = 6 }), true},
		{"every 3 at 7", Rule{ConnEvery: 3}, with(func(c *ConnInfo) { c.Index = 7 }), false},
		{"after 10 at 10", Rule{ConnAfter: 10}, with(func(c *ConnInfo) { c.Index = 10 }), false},
		{"after 10 at 11", Rule{ConnAfter: 10}, with(func(c *ConnInfo) { c.Index = 11 }), true},
		{"anded all", Rule{Listener: "edge", SNI: "*.test", Client: "10.0.0.0/8", JA4: "t13*", ALPN: "h2"}, base, true},
		{"anded one miss", Rule{Listener: "edge", SNI: "*.test", Client: "10.0.0.0/8", JA4: "t13*", ALPN: "h3"}, base, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.Name, tt.r.Action = "sel", ActReset
			if err := tt.r.Validate(); err != nil {
				t.Fatal(err)
			}
			n := tt.r.normalized()
			m := compileMatcher(&n)
			v := newConnView(&tt.ci)
			if got := m.match(&v); got != tt.want {
				t.Errorf("match = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLargeHelloImpliesMultiSegment: large_hello with no size selector
// matches hellos that span more than one segment on a real path: larger
// than one full-size segment (which loopback, with its 64 KiB MTU, still
// delivers in one read), or seen in more than one read.
func TestLargeHelloImpliesMultiSegment(t *testing.T) {
	r := rule(t, Rule{Action: ActLargeHello})
	m := compileMatcher(r)
	for _, tt := range []struct {
		size, segs int
		want       bool
	}{
		{517, 1, false},            // curl's hello
		{FullSegment, 1, false},    // fits one full-size segment exactly
		{FullSegment + 1, 1, true}, // spans two on Ethernet, one read on loopback
		{1500, 1, true},            // Go's default post-quantum hello on loopback
		{1700, 2, true},
		{600, 2, true}, // a small hello a client wrote in two pieces
	} {
		h := &sniff.ClientHello{ServerName: "a.test", WireLen: tt.size}
		ci := ConnInfo{Hello: h, HelloSegments: tt.segs, Index: 1}
		v := newConnView(&ci)
		if got := m.match(&v); got != tt.want {
			t.Errorf("%d bytes in %d reads: match = %v, want %v", tt.size, tt.segs, got, tt.want)
		}
	}
	// An explicit selector replaces the default: hello_multi_segment alone
	// wants more than one read, whatever the size.
	ms := compileMatcher(rule(t, Rule{Action: ActLargeHello, HelloMultiSegment: true}))
	ci := ConnInfo{Hello: &sniff.ClientHello{ServerName: "a.test", WireLen: 1700}, HelloSegments: 1, Index: 1}
	if v := newConnView(&ci); ms.match(&v) {
		t.Error("hello_multi_segment = true matched a hello that came in one read")
	}
}

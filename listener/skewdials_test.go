package listener

import (
	"net/netip"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestSkewedDialsExpiry: an entry past its TTL is not found and is dropped
// by the Lookup that finds it; Add below the sweep size leaves old entries
// to their Lookup, and past it sweeps them.
func TestSkewedDialsExpiry(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	p := explain.PeerSkew{Listener: "proxy", Rule: "r", Skew: time.Hour}
	ap := func(port int) netip.AddrPort {
		return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	}
	later := t0.Add(2 * skewedDialTTL)

	tests := []struct {
		name    string
		old     int // entries added at t0
		wantLen int // map size after one Add at later
	}{
		{"below the sweep size old entries stay", 2, 3},
		{"past the sweep size old entries go", skewedDialsSweep, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s SkewedDials
			for i := 0; i < tc.old; i++ {
				s.Add(ap(10000+i), p, t0)
			}
			s.Add(ap(9000), p, later)
			if len(s.m) != tc.wantLen {
				t.Errorf("%d entries after the Add, want %d", len(s.m), tc.wantLen)
			}
			if _, ok := s.Lookup(ap(9000), later); !ok {
				t.Errorf("the fresh entry was not found")
			}
		})
	}

	var s SkewedDials
	s.Add(ap(10000), p, t0)
	if got, ok := s.Lookup(netip.MustParseAddrPort("[::ffff:127.0.0.1]:10000"), t0.Add(time.Second)); !ok || got != p {
		t.Fatalf("a live entry: %v, %v; want %v, true", got, ok, p)
	}
	if _, ok := s.Lookup(ap(10000), later); ok {
		t.Errorf("an expired entry was found")
	}
	if len(s.m) != 0 {
		t.Errorf("%d entries after the expired one's Lookup, want 0", len(s.m))
	}
}

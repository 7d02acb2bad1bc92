package transparent

import (
	"errors"
	"net/netip"
	"testing"
)

func TestIsSelf(t *testing.T) {
	ap := netip.MustParseAddrPort
	hostIPs := func() ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("2001:db8::5")}, nil
	}
	failing := func() ([]netip.Addr, error) { return nil, errors.New("no interfaces") }
	listeners := []netip.AddrPort{ap("0.0.0.0:8443"), ap("192.0.2.7:9443"), ap("[::1]:7443")}
	cases := []struct {
		name  string
		dst   string
		ips   func() ([]netip.Addr, error)
		wantS bool
	}{
		{"host address on a wildcard listener", "10.0.0.5:8443", hostIPs, true},
		{"v4-mapped host address", "[::ffff:10.0.0.5]:8443", hostIPs, true},
		{"host v6 address on a wildcard listener", "[2001:db8::5]:8443", hostIPs, true},
		{"loopback on a wildcard listener", "127.0.0.1:8443", nil, true},
		{"unspecified destination", "0.0.0.0:8443", nil, true},
		{"exact listener address", "192.0.2.7:9443", nil, true},
		{"exact v6 loopback listener", "[::1]:7443", nil, true},
		{"other host, same port", "198.51.100.1:8443", hostIPs, false},
		{"host address, other port", "10.0.0.5:443", hostIPs, false},
		{"other loopback address on a specific listener", "127.0.0.2:7443", nil, false},
		{"host address but the lookup fails", "10.0.0.5:8443", failing, false},
		{"host address but no lookup", "10.0.0.5:8443", nil, false},
		{"zero destination", "", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var dst netip.AddrPort
			if tc.dst != "" {
				dst = ap(tc.dst)
			}
			if got := IsSelf(dst, listeners, tc.ips); got != tc.wantS {
				t.Errorf("IsSelf(%s) = %v, want %v", tc.dst, got, tc.wantS)
			}
		})
	}
}

// TestIsSelfLooksUpOnce: the host's addresses are listed at most once per
// call, however many wildcard listeners share the port.
func TestIsSelfLooksUpOnce(t *testing.T) {
	calls := 0
	ips := func() ([]netip.Addr, error) { calls++; return nil, nil }
	ls := []netip.AddrPort{netip.MustParseAddrPort("0.0.0.0:8443"), netip.MustParseAddrPort("[::]:8443")}
	if IsSelf(netip.MustParseAddrPort("198.51.100.1:8443"), ls, ips) {
		t.Error("foreign destination reported as self")
	}
	if calls != 1 {
		t.Errorf("localIPs called %d times, want 1", calls)
	}
}

func TestLocalIPsHasLoopback(t *testing.T) {
	ips, err := LocalIPs()
	if err != nil {
		t.Fatal(err)
	}
	for _, ip := range ips {
		if ip.IsLoopback() {
			return
		}
	}
	t.Errorf("LocalIPs() = %v, want a loopback address among them", ips)
}

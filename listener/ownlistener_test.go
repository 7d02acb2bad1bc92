package listener

import (
	"errors"
	"net/netip"
	"testing"
)

// TestIsOwnListener: a transparent listener's destination is a loop only
// when it is this host's own address on the listener's port; a wildcard
// listener on the intercepted port (tproxy on 0.0.0.0:443) relays flows
// to other hosts' port 443.
func TestIsOwnListener(t *testing.T) {
	hostIPs := func() ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("10.9.8.7"), netip.MustParseAddr("2001:db8::7")}, nil
	}
	failing := func() ([]netip.Addr, error) { return nil, errors.New("netlink: permission denied") }
	cases := []struct {
		name, listen, dst string
		local             func() ([]netip.Addr, error)
		want              bool
	}{
		{"wildcard, another host on the same port", "0.0.0.0:443", "203.0.113.9:443", hostIPs, false},
		{"wildcard, this host's address", "0.0.0.0:443", "10.9.8.7:443", hostIPs, true},
		{"wildcard, loopback", "0.0.0.0:443", "127.0.0.1:443", nil, true},
		{"wildcard, another port", "0.0.0.0:8443", "10.9.8.7:443", hostIPs, false},
		{"v6 wildcard, this host's v6 address", "[::]:443", "[2001:db8::7]:443", hostIPs, true},
		{"v6 wildcard, another host", "[::]:443", "[2001:db8::99]:443", hostIPs, false},
		{"wildcard, no address list", "0.0.0.0:443", "10.9.8.7:443", nil, false},
		{"wildcard, the lookup failed", "0.0.0.0:443", "10.9.8.7:443", failing, false},
		{"specific address, itself", "192.0.2.1:8443", "192.0.2.1:8443", nil, true},
		{"specific address, another", "192.0.2.1:8443", "192.0.2.2:8443", hostIPs, false},
		{"unparsable listen", "localhost:443", "127.0.0.1:443", hostIPs, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{opts: Options{Listen: tc.listen}, deps: Deps{LocalIPs: tc.local}}
			if got := s.isOwnListener(netip.MustParseAddrPort(tc.dst)); got != tc.want {
				t.Errorf("isOwnListener(%s) on %s = %v, want %v", tc.dst, tc.listen, got, tc.want)
			}
		})
	}
}

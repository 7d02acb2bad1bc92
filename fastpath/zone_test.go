//go:build linux

package fastpath

import (
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"testing"
)

// TestZonesSurviveSockaddrs: a link-local peer keeps its zone in the
// outcome, and a link-local backend is dialled on its link, as on the
// goroutine path (the engine used to drop the zone both ways).
func TestZonesSurviveSockaddrs(t *testing.T) {
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatalf("no loopback interface: %v", err)
	}
	ll := netip.MustParseAddr("fe80::1")
	got := sockaddrAddrPort(&syscall.SockaddrInet6{Addr: ll.As16(), Port: 443, ZoneId: uint32(lo.Index)})
	if want := netip.AddrPortFrom(ll.WithZone("lo"), 443); got != want {
		t.Errorf("accepted from %v, want %v", got, want)
	}
	for _, zone := range []string{"lo", strconv.Itoa(lo.Index)} {
		sa, family, err := addrPortSockaddr(netip.AddrPortFrom(ll.WithZone(zone), 8080))
		if err != nil {
			t.Fatalf("zone %q: %v", zone, err)
		}
		if s6, ok := sa.(*syscall.SockaddrInet6); !ok || family != syscall.AF_INET6 || s6.ZoneId != uint32(lo.Index) || s6.Port != 8080 {
			t.Errorf("zone %q: sockaddr %+v family %d, want lo's index %d", zone, sa, family, lo.Index)
		}
	}
	if _, _, err := addrPortSockaddr(netip.AddrPortFrom(ll.WithZone("no-such-if0"), 80)); err == nil {
		t.Error("a zone naming no interface was accepted")
	}
	// Plain addresses are untouched.
	if got := sockaddrAddrPort(&syscall.SockaddrInet6{Addr: netip.IPv6Loopback().As16(), Port: 1}); got.Addr().Zone() != "" {
		t.Errorf("::1 got zone %q", got.Addr().Zone())
	}
}

package transparent

import (
	"fmt"
	"net"
	"net/netip"
)

// IsSelf says dst is one of tlsgate's own listeners, so relaying to it would
// loop: tlsgate would dial itself, be intercepted again, and dial itself
// once more until file descriptors run out. A destination matches a
// listener with the same port whose address is the destination itself, or a
// wildcard listener (0.0.0.0, ::) when the destination is loopback,
// unspecified, or one of the host's addresses as listed by localIPs.
//
// localIPs is consulted only for wildcard listeners and at most once; nil,
// or a failing lookup, limits the answer to the cases decidable without it.
func IsSelf(dst netip.AddrPort, listenAddrs []netip.AddrPort, localIPs func() ([]netip.Addr, error)) bool {
	d := dst.Addr().Unmap().WithZone("")
	if !d.IsValid() {
		return false
	}
	var local []netip.Addr
	looked := false
	for _, l := range listenAddrs {
		if l.Port() != dst.Port() {
			continue
		}
		la := l.Addr().Unmap().WithZone("")
		switch {
		case la == d:
			return true
		case d.IsUnspecified() && (la.IsUnspecified() || la.IsLoopback()):
			// Dialling 0.0.0.0 or :: reaches the host itself.
			return true
		case !la.IsUnspecified():
			continue
		case d.IsLoopback():
			return true
		}
		if !looked && localIPs != nil {
			looked = true
			if ips, err := localIPs(); err == nil {
				local = ips
			}
		}
		for _, ip := range local {
			if ip.Unmap().WithZone("") == d {
				return true
			}
		}
	}
	return false
}

// LocalIPs lists this host's interface addresses: the real lookup to pass to
// IsSelf.
func LocalIPs() ([]netip.Addr, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("transparent: list interface addresses: %w", err)
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		var ip net.IP
		switch v := a.(type) {
		case *net.IPNet:
			ip = v.IP
		case *net.IPAddr:
			ip = v.IP
		}
		if ap, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, ap.Unmap())
		}
	}
	return out, nil
}

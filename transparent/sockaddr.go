package transparent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
)

// Linux address family numbers as they appear in a sockaddr written by the
// kernel. They are spelled out because the syscall package's AF_INET6
// differs per OS and this layout is Linux's alone.
const (
	linuxAFInet  = 2
	linuxAFInet6 = 10
)

// errBadSockaddr marks a sockaddr the kernel should never write; seeing it
// means the wrong getsockopt was issued for the socket's family.
var errBadSockaddr = errors.New("transparent: unexpected sockaddr")

// parseSockaddr decodes the sockaddr_in (16 bytes) or sockaddr_in6 (28
// bytes) that SO_ORIGINAL_DST / IP6T_SO_ORIGINAL_DST fill in. The family and
// scope id are in host byte order, the port and address in network order.
func parseSockaddr(b []byte) (netip.AddrPort, error) {
	if len(b) < 2 {
		return netip.AddrPort{}, fmt.Errorf("%w: %d bytes, too short for a family (% x)", errBadSockaddr, len(b), b)
	}
	switch fam := binary.NativeEndian.Uint16(b[0:2]); fam {
	case linuxAFInet:
		if len(b) < 8 {
			return netip.AddrPort{}, fmt.Errorf("%w: AF_INET in %d bytes, want 8 or more (% x)", errBadSockaddr, len(b), b)
		}
		port := binary.BigEndian.Uint16(b[2:4])
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port), nil
	case linuxAFInet6:
		if len(b) < 28 {
			return netip.AddrPort{}, fmt.Errorf("%w: AF_INET6 in %d bytes, want 28 (% x)", errBadSockaddr, len(b), b)
		}
		port := binary.BigEndian.Uint16(b[2:4])
		addr := netip.AddrFrom16([16]byte(b[8:24]))
		// A link-local original destination only means something with its
		// interface; keep the index as the zone rather than drop it.
		if scope := binary.NativeEndian.Uint32(b[24:28]); scope != 0 && addr.Is6() && !addr.Is4In6() {
			addr = addr.WithZone(strconv.FormatUint(uint64(scope), 10))
		}
		return netip.AddrPortFrom(addr, port), nil
	default:
		return netip.AddrPort{}, fmt.Errorf("%w: family %d (% x)", errBadSockaddr, fam, b)
	}
}

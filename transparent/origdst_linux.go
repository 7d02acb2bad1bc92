package transparent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// Socket options for the original destination. SO_ORIGINAL_DST (SOL_IP) and
// IP6T_SO_ORIGINAL_DST (SOL_IPV6) share the number 80; neither is in the
// syscall package.
const (
	soOriginalDst     = 80
	ip6tSoOriginalDst = 80
)

// OriginalDst asks conntrack where a REDIRECTed or DNATed connection was
// going before the rewrite. The v4 or v6 call is chosen from the socket's
// local address, not its family: an IPv4 client on a dual-stack listener
// arrives on an AF_INET6 socket with a v4-mapped address, and conntrack
// tracks it as IPv4, so it needs the v4 call.
//
// Errors wrap ErrNoOriginalDst when the kernel has no rewrite to report,
// and ErrNotSocket when c has no TCP socket underneath.
func OriginalDst(c net.Conn) (netip.AddrPort, error) {
	tc, err := socketOf(c)
	if err != nil {
		return netip.AddrPort{}, err
	}
	local, remote := addrPort(tc.LocalAddr()), addrPort(tc.RemoteAddr())
	level, opt, fam, optName := syscall.SOL_IP, soOriginalDst, "IPv4", "SO_ORIGINAL_DST"
	if !local.Addr().Is4() {
		level, opt, fam, optName = syscall.SOL_IPV6, ip6tSoOriginalDst, "IPv6", "IP6T_SO_ORIGINAL_DST"
	}
	var raw []byte
	var serr error
	if err := rawControl(tc, func(fd uintptr) { raw, serr = getOrigDst(int(fd), level, opt) }); err != nil {
		return netip.AddrPort{}, fmt.Errorf("transparent: reach socket %s -> %s: %w", remote, local, err)
	}
	switch {
	case errors.Is(serr, syscall.ENOENT):
		return netip.AddrPort{}, fmt.Errorf("%w for %s -> %s: conntrack has no %s entry (%s: %w); the connection was not redirected on this host, or NAT happened on another machine",
			ErrNoOriginalDst, remote, local, fam, optName, serr)
	case errors.Is(serr, syscall.ENOPROTOOPT):
		return netip.AddrPort{}, fmt.Errorf("%w for %s -> %s: %s connection tracking is not loaded (%s: %w); no %s NAT rule exists on this host",
			ErrNoOriginalDst, remote, local, fam, optName, serr, fam)
	case serr != nil:
		return netip.AddrPort{}, fmt.Errorf("transparent: getsockopt %s on %s -> %s: %w", optName, remote, local, serr)
	}
	dst, err := parseSockaddr(raw)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("transparent: %s on %s -> %s: %w", optName, remote, local, err)
	}
	dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	// conntrack also tracks connections nothing rewrote; their entry then
	// names the listener itself, which is no destination to relay to.
	if dst == local {
		return netip.AddrPort{}, fmt.Errorf("%w for %s -> %s: conntrack shows no rewrite (original destination %s is the listener itself); the client dialled tlsgate's port directly",
			ErrNoOriginalDst, remote, local, dst)
	}
	return dst, nil
}

// getOrigDst issues the getsockopt and returns the sockaddr bytes exactly as
// the kernel wrote them. It reads into the 32-byte IPv6MTUInfo so no unsafe
// buffer handling is needed: the kernel checks only that the buffer is at
// least as large as its sockaddr (16 bytes for v4, 28 for v6), and the
// struct's fields are laid back out in host order to recover the bytes.
func getOrigDst(fd, level, opt int) ([]byte, error) {
	info, err := syscall.GetsockoptIPv6MTUInfo(fd, level, opt)
	if err != nil {
		return nil, err
	}
	var b [28]byte
	ne := binary.NativeEndian
	ne.PutUint16(b[0:2], info.Addr.Family)
	ne.PutUint16(b[2:4], info.Addr.Port)
	ne.PutUint32(b[4:8], info.Addr.Flowinfo)
	copy(b[8:24], info.Addr.Addr[:])
	ne.PutUint32(b[24:28], info.Addr.Scope_id)
	return b[:], nil
}

package transparent

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
)

// ipv6Transparent is IPV6_TRANSPARENT (SOL_IPV6), missing from the syscall
// package. It sets the same per-socket bit as IP_TRANSPARENT.
const ipv6Transparent = 75

// ErrNoCapNetAdmin says the process may not set IP_TRANSPARENT: the kernel
// demands CAP_NET_ADMIN (CAP_NET_RAW also satisfies it) and answered EPERM.
var ErrNoCapNetAdmin = errors.New("transparent: missing CAP_NET_ADMIN, which IP_TRANSPARENT needs: run as root, or grant it with `setcap cap_net_admin+ep <tlsgate binary>` or systemd AmbientCapabilities=CAP_NET_ADMIN")

// ListenConfig returns the ListenConfig for a listener. With transparent
// set, every socket it opens gets IP_TRANSPARENT (IPV6_TRANSPARENT for an
// IPv6 or dual-stack socket) before bind, which TPROXY needs to deliver
// connections addressed to other hosts. Without it the zero ListenConfig
// is returned.
//
// A refusal for lack of privilege surfaces from Listen as an error wrapping
// ErrNoCapNetAdmin.
func ListenConfig(transparent bool) net.ListenConfig {
	if !transparent {
		return net.ListenConfig{}
	}
	return net.ListenConfig{Control: setTransparent}
}

// setTransparent is the net.ListenConfig Control hook. The network string
// Go passes ("tcp4", "tcp6", "udp6"…) says which family the socket has.
func setTransparent(network, address string, rc syscall.RawConn) error {
	level, opt, name := syscall.SOL_IP, syscall.IP_TRANSPARENT, "IP_TRANSPARENT"
	if strings.HasSuffix(network, "6") {
		level, opt, name = syscall.SOL_IPV6, ipv6Transparent, "IPV6_TRANSPARENT"
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), level, opt, 1) }); err != nil {
		return fmt.Errorf("transparent: reach %s socket for %s: %w", network, address, err)
	}
	switch {
	case errors.Is(serr, syscall.EPERM):
		return fmt.Errorf("%w (setsockopt %s on %s %s: %w)", ErrNoCapNetAdmin, name, network, address, serr)
	case serr != nil:
		return fmt.Errorf("transparent: setsockopt %s on %s %s: %w", name, network, address, serr)
	}
	return nil
}

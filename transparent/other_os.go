//go:build !linux

package transparent

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ErrNoCapNetAdmin says the process may not set IP_TRANSPARENT. Off Linux
// it is never returned; it exists so callers compile everywhere.
var ErrNoCapNetAdmin = errors.New("transparent: missing CAP_NET_ADMIN, which IP_TRANSPARENT needs")

// OriginalDst is Linux-only: SO_ORIGINAL_DST is a netfilter socket option.
func OriginalDst(c net.Conn) (netip.AddrPort, error) {
	return netip.AddrPort{}, fmt.Errorf("transparent: SO_ORIGINAL_DST needs Linux netfilter: %w", errors.ErrUnsupported)
}

// ListenConfig returns the zero ListenConfig, or one whose Control fails,
// since IP_TRANSPARENT is Linux-only.
func ListenConfig(transparent bool) net.ListenConfig {
	if !transparent {
		return net.ListenConfig{}
	}
	return net.ListenConfig{Control: func(network, address string, _ syscall.RawConn) error {
		return fmt.Errorf("transparent: IP_TRANSPARENT on %s %s needs Linux: %w", network, address, errors.ErrUnsupported)
	}}
}

package transparent

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// ErrNoOriginalDst says the kernel knows no original destination for a
// connection: conntrack holds no entry for it, or its entry shows no
// rewrite. Either way the connection was not redirected on this host; the
// usual cause is NAT done on another machine, or a client that dialled
// tlsgate's port directly.
var ErrNoOriginalDst = errors.New("transparent: no original destination")

// ErrNotSocket says the connection is not backed by a TCP socket, so there
// is nothing to ask the kernel about (a test pipe, or a wrapper that hides
// its socket and offers no NetConn method).
var ErrNotSocket = errors.New("transparent: not a TCP socket")

// maxUnwrap bounds how many wrappers (tls.Conn, PROXY protocol conns, the
// listener's replay conns) are peeled off to reach the socket.
const maxUnwrap = 16

// socketOf finds the TCP socket under c. Wrappers expose the connection
// they wrap as NetConn (crypto/tls and most proxies) or Raw
// (go-proxyproto); the socket's own addresses matter here, not the ones a
// PROXY header claims.
func socketOf(c net.Conn) (*net.TCPConn, error) {
	start := c
	for range maxUnwrap {
		switch v := c.(type) {
		case *net.TCPConn:
			return v, nil
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		case interface{ Raw() net.Conn }:
			c = v.Raw()
		default:
			return nil, fmt.Errorf("%w: %T (local %v, remote %v)", ErrNotSocket, start, addrOf(start, true), addrOf(start, false))
		}
		if c == nil {
			break
		}
	}
	return nil, fmt.Errorf("%w: %T wraps no reachable *net.TCPConn", ErrNotSocket, start)
}

// addrOf reads a conn's local or remote address without trusting that the
// conn is non-nil.
func addrOf(c net.Conn, local bool) net.Addr {
	if c == nil {
		return nil
	}
	if local {
		return c.LocalAddr()
	}
	return c.RemoteAddr()
}

// addrPort turns a socket address into an AddrPort with any IPv4-mapped
// IPv6 form unmapped, so it compares equal to what the kernel reports.
func addrPort(a net.Addr) netip.AddrPort {
	ta, ok := a.(*net.TCPAddr)
	if !ok || ta == nil {
		return netip.AddrPort{}
	}
	ap := ta.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// TProxyDst returns the original destination of a connection accepted on a
// TPROXY listener: the socket's local address, which TPROXY leaves as the
// address the client dialled. It unwraps TLS and PROXY-protocol wrappers to
// read the socket itself, and returns the zero AddrPort when c has no TCP
// socket underneath.
func TProxyDst(c net.Conn) netip.AddrPort {
	tc, err := socketOf(c)
	if err != nil {
		return netip.AddrPort{}
	}
	return addrPort(tc.LocalAddr())
}

// Lookup is the original-destination lookup for a listener's transparent
// mode, shaped to fit listener.Deps.OriginalDst: "redirect" asks conntrack
// (OriginalDst), "tproxy" reads the local address (TProxyDst).
func Lookup(c net.Conn, mode string) (netip.AddrPort, error) {
	switch mode {
	case "redirect":
		return OriginalDst(c)
	case "tproxy":
		dst := TProxyDst(c)
		if !dst.IsValid() {
			_, err := socketOf(c)
			return netip.AddrPort{}, err
		}
		return dst, nil
	default:
		return netip.AddrPort{}, fmt.Errorf("transparent: unknown mode %q, want \"redirect\" or \"tproxy\"", mode)
	}
}

// rawControl runs fn on the socket's file descriptor without dup'ing it:
// conn.File() would dup the fd and, in older Go, switch it to blocking mode.
func rawControl(tc *net.TCPConn, fn func(fd uintptr)) error {
	rc, err := tc.SyscallConn()
	if err != nil {
		return err
	}
	return rc.Control(fn)
}

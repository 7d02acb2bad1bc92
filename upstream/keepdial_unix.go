//go:build unix

package upstream

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"syscall"
)

// KeepingDial is nd.DialContext that keeps what a backend sent when its
// reset (after its FIN or not) beat Go's check of the connect
// (ResetAfterConnect). Go closes a
// socket whose connect it found failed, so a duplicate of it, taken
// before the connect, is what can still read the queued bytes; it is
// closed at once after a dial that worked (two system calls per dial).
// nd's own Control runs after the duplicate is taken; a ControlContext,
// which Go prefers over Control, leaves the dial as nd's.
func KeepingDial(nd *net.Dialer) DialFunc {
	if nd.ControlContext != nil {
		return nd.DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		// The first attempt's duplicate; a second attempt (both address
		// families) makes the dial ambiguous: the duplicates could not be
		// told apart, so none is read.
		var dup atomic.Int64
		dup.Store(-1)
		var attempts atomic.Int32
		d := *nd
		d.Control = func(network, address string, rc syscall.RawConn) error {
			if err := rc.Control(func(fd uintptr) {
				if attempts.Add(1) != 1 {
					return
				}
				if nfd, err := dupCloexec(int(fd)); err == nil {
					dup.Store(int64(nfd))
				}
			}); err != nil {
				return err
			}
			if nd.Control != nil {
				return nd.Control(network, address, rc)
			}
			return nil
		}
		conn, err := d.DialContext(ctx, network, addr)
		fd := int(dup.Swap(-1))
		if fd >= 0 {
			defer syscall.Close(fd)
		}
		// A reset in SYN_SENT is ECONNREFUSED: a failed connect. One
		// after the handshake is ECONNRESET, or EPIPE when the backend's
		// FIN had come first (the socket was in CLOSE_WAIT).
		fin := errors.Is(err, syscall.EPIPE)
		if err == nil || fd < 0 || attempts.Load() != 1 || !errors.Is(err, syscall.ECONNRESET) && !fin {
			return conn, err
		}
		e := &ResetAfterConnect{Addr: addr, FIN: fin, Err: err}
		if sa, serr := syscall.Getsockname(fd); serr == nil {
			e.Local = sockaddrTCP(sa)
		}
		// The socket is closed: its reads return what is queued, then
		// the end of the stream (Go's check took the reset's error),
		// and never wait.
		buf := make([]byte, 32<<10)
		for {
			n, rerr := syscall.Read(fd, buf)
			if n <= 0 || rerr != nil {
				break
			}
			e.Tail = append(e.Tail, buf[:n]...)
		}
		return nil, e
	}
}

func dupCloexec(fd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}

func sockaddrTCP(sa syscall.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
	case *syscall.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	}
	return nil
}

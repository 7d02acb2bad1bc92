//go:build linux

package listener

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/tlsgate/tlsgate/fastpath"
)

// stopListening makes a listening socket stop listening without closing
// it: Linux then answers new SYNs with an RST, and accept fails with
// EINVAL. It returns the socket's address, taken before, for listenAgain,
// and the connections it took from the accept queue first (takeQueued,
// made into net.Conns by fileConn), which the caller serves or logs,
// even when the shutdown failed.
//
// While it does not listen the socket keeps its port to itself. Linux
// lets a bind share a port with a bound socket that does not listen when
// both reuse the address (SO_REUSEADDR, which Go's listeners and a second
// tlsgate set), so the option is cleared first and set again only by
// listenAgain. A socket bound to port 0 loses its port when it stops
// listening; it is bound to the same port again at once, so the port is
// free only for the moment in between.
func stopListening(rc syscall.RawConn, fileConn func(*os.File) (net.Conn, error)) (syscall.Sockaddr, []queuedConn, error) {
	var sa syscall.Sockaddr
	var err error
	var fds []acceptedFD
	if cerr := rc.Control(func(fd uintptr) {
		if sa, err = syscall.Getsockname(int(fd)); err != nil {
			err = fmt.Errorf("getsockname: %w", err)
			return
		}
		if err = setReuseAddr(int(fd), false); err != nil {
			return
		}
		// Right before the shutdown, which resets every connection
		// still queued, unlogged: their clients saw a connection, then a
		// reset. One that completes its handshake between the last
		// accept here and the shutdown (microseconds) is still reset
		// unseen; nothing closes that window but not listening at all.
		fds = takeQueued(int(fd))
		if err = syscall.Shutdown(int(fd), syscall.SHUT_RD); err != nil {
			err = fmt.Errorf("shutdown SHUT_RD: %w", err)
			_ = setReuseAddr(int(fd), true) // it still listens, as before
			return
		}
		// Holding the port is best effort: if another socket took it in
		// the moment it was free, listenAgain reports that.
		holdPort(int(fd), sa)
	}); cerr != nil {
		return nil, nil, fmt.Errorf("listener: %w", cerr)
	}
	queued := queuedConns(fds, fileConn)
	if err != nil {
		return nil, queued, fmt.Errorf("listener: %w", err)
	}
	return sa, queued, nil
}

// acceptedFD is a connection takeQueued accepted: its socket, the
// client's address as accept reported it, and when (real clock): its
// logged start and its peek deadline count from then, not from when its
// goroutine runs after the rest of the queue.
type acceptedFD struct {
	fd int
	sa syscall.Sockaddr
	at time.Time
}

// queueMax bounds takeQueued: the accept queue never holds more than the
// backlog plus one, and listen's backlog is at most listenBacklog, so
// only clients arriving as fast as it accepts reach the bound.
const queueMax = listenBacklog + 1

// takeQueued accepts, without waiting, the connections the kernel
// completed on the listening socket fd and nobody accepted yet. The
// engines' loops accept on duplicates of the same socket at the same
// time; a connection one of them wins is simply not here, and the loop
// serves it. It stops at the empty queue (EAGAIN) or any other failure
// (out of descriptors: what is left is reset, as before).
func takeQueued(fd int) []acceptedFD {
	var fds []acceptedFD
	for range queueMax {
		nfd, sa, err := syscall.Accept4(fd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		if errors.Is(err, syscall.EINTR) || errors.Is(err, syscall.ECONNABORTED) {
			continue // a client that reset while queued: the next one
		}
		if err != nil {
			return fds
		}
		fds = append(fds, acceptedFD{fd: nfd, sa: sa, at: time.Now()})
	}
	return fds
}

// queuedConns makes the sockets takeQueued accepted into net.Conns with
// fileConn, as an accept on the net.Listener would have. One that cannot
// be (out of descriptors for the duplicate net.FileConn makes) is reset,
// and comes back with the error and its addresses, for its one log line
// (serveQueued); none is left open.
func queuedConns(fds []acceptedFD, fileConn func(*os.File) (net.Conn, error)) []queuedConn {
	var out []queuedConn
	for _, a := range fds {
		q := queuedConn{remote: fastpath.SockaddrAddrPort(a.sa), at: a.at}
		f := os.NewFile(uintptr(a.fd), "tlsgate queued connection")
		c, err := fileConn(f)
		if err != nil {
			// The address the client reached: on a wildcard listener
			// only the socket knows it.
			if la, lerr := syscall.Getsockname(a.fd); lerr == nil {
				q.local = fastpath.SockaddrAddrPort(la)
			}
			q.err = fmt.Errorf("listener: queued connection: %w", err)
			_ = syscall.SetsockoptLinger(a.fd, syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1})
			_ = f.Close()
			out = append(out, q)
			continue
		}
		_ = f.Close() // c holds its own duplicate
		q.c = c
		out = append(out, q)
	}
	return out
}

// holdPort binds a socket that stopped listening to its address again, if
// it lost its port (bound to port 0); one that kept it fails with EINVAL.
// TIME_WAIT sockets left on the port by accepted connections conflict
// with a bind that does not reuse the address, so that bind reuses it and
// the option is cleared again after: the bind is what holds the port.
func holdPort(fd int, sa syscall.Sockaddr) {
	err := syscall.Bind(fd, sa)
	if errors.Is(err, syscall.EADDRINUSE) && setReuseAddr(fd, true) == nil {
		_ = syscall.Bind(fd, sa)
		_ = setReuseAddr(fd, false)
	}
}

// setReuseAddr sets or clears SO_REUSEADDR on fd.
func setReuseAddr(fd int, on bool) error {
	v := 0
	if on {
		v = 1
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, v); err != nil {
		return fmt.Errorf("setsockopt SO_REUSEADDR=%d: %w", v, err)
	}
	return nil
}

// listenBacklog is passed to listen(2) again: the kernel caps it at
// net.core.somaxconn, the value Go's own Listen passes.
const listenBacklog = 65535

// listenAgain makes a socket stopListening stopped listen again on addr.
// A socket bound to a given port keeps that port while it does not
// listen, and bind fails with EINVAL; one that lost its port is bound to
// the same one again first. It reuses the address again first, as Go's
// listeners do: listen conflicts with the TIME_WAIT sockets of earlier
// connections on the port otherwise. When listen fails, the socket stays
// down and keeps the port to itself.
func listenAgain(rc syscall.RawConn, addr syscall.Sockaddr) error {
	var err error
	if cerr := rc.Control(func(fd uintptr) {
		if err = setReuseAddr(int(fd), true); err != nil {
			return
		}
		defer func() {
			if err != nil {
				_ = setReuseAddr(int(fd), false)
			}
		}()
		if addr != nil {
			if e := syscall.Bind(int(fd), addr); e != nil && !errors.Is(e, syscall.EINVAL) {
				err = fmt.Errorf("bind to its port again: %w", e)
				return
			}
		}
		if e := syscall.Listen(int(fd), listenBacklog); e != nil {
			err = fmt.Errorf("listen: %w", e)
		}
	}); cerr != nil {
		return fmt.Errorf("listener: %w", cerr)
	}
	if err != nil {
		return fmt.Errorf("listener: %w", err)
	}
	return nil
}

// bindOnly makes the socket net.ListenConfig.Listen would for "tcp" and
// address, runs lc's Control on it and binds it, but does not listen: it
// is a listener that refuses until listenAgain. Like Go's, a socket on a
// wildcard address is dual-stack IPv6 where the host has IPv6, and it
// reuses the address to bind (past the TIME_WAIT sockets of an earlier
// run), then no longer until it listens (stopListening says why). It
// returns the bound address for listenAgain.
func bindOnly(lc net.ListenConfig, address string) (net.Listener, syscall.Sockaddr, error) {
	laddr, err := net.ResolveTCPAddr("tcp", address)
	if err != nil {
		return nil, nil, err
	}
	opErr := func(call string, err error) error {
		return &net.OpError{Op: "listen", Net: "tcp", Addr: laddr, Err: os.NewSyscallError(call, err)}
	}
	ip4, ip := laddr.IP.To4(), laddr.IP
	family, sa := syscall.AF_INET6, syscall.Sockaddr(nil)
	switch {
	case ip == nil || ip.IsUnspecified():
		sa = &syscall.SockaddrInet6{Port: laddr.Port}
	case ip4 != nil:
		family, sa = syscall.AF_INET, &syscall.SockaddrInet4{Port: laddr.Port, Addr: [4]byte(ip4)}
	default:
		a := &syscall.SockaddrInet6{Port: laddr.Port, Addr: [16]byte(ip.To16())}
		if laddr.Zone != "" {
			ifi, err := net.InterfaceByName(laddr.Zone)
			if err != nil {
				return nil, nil, &net.OpError{Op: "listen", Net: "tcp", Addr: laddr, Err: err}
			}
			a.ZoneId = uint32(ifi.Index)
		}
		sa = a
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, syscall.IPPROTO_TCP)
	if errors.Is(err, syscall.EAFNOSUPPORT) && family == syscall.AF_INET6 && (ip == nil || ip.IsUnspecified()) {
		// A host without IPv6: the wildcard is IPv4's, as Go's is.
		family, sa = syscall.AF_INET, &syscall.SockaddrInet4{Port: laddr.Port}
		fd, err = syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, syscall.IPPROTO_TCP)
	}
	if err != nil {
		return nil, nil, opErr("socket", err)
	}
	f := os.NewFile(uintptr(fd), "tlsgate listener "+address)
	defer f.Close() // FileListener holds its own copy of the socket
	network := "tcp4"
	if family == syscall.AF_INET6 {
		network = "tcp6"
		if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 0); err != nil {
			return nil, nil, opErr("setsockopt", err)
		}
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		return nil, nil, opErr("setsockopt", err)
	}
	if lc.Control != nil {
		rc, err := f.SyscallConn()
		if err != nil {
			return nil, nil, opErr("socket", err)
		}
		if err := lc.Control(network, laddr.String(), rc); err != nil {
			return nil, nil, &net.OpError{Op: "listen", Net: "tcp", Addr: laddr, Err: err}
		}
	}
	if err := syscall.Bind(fd, sa); err != nil {
		return nil, nil, opErr("bind", err)
	}
	if err := setReuseAddr(fd, false); err != nil {
		return nil, nil, &net.OpError{Op: "listen", Net: "tcp", Addr: laddr, Err: err}
	}
	// The bound address carries the port the kernel chose for port 0.
	bound, err := syscall.Getsockname(fd)
	if err != nil {
		return nil, nil, opErr("getsockname", err)
	}
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, nil, &net.OpError{Op: "listen", Net: "tcp", Addr: laddr, Err: err}
	}
	return ln, bound, nil
}

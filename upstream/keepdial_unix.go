//go:build unix

package upstream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
)

// KeepingDial is nd.DialContext that keeps what a backend sent when its
// reset (after its FIN or not) beat Go's check of the connect
// (ResetAfterConnect). Go closes a socket whose connect it found failed,
// so a duplicate of it, taken before the connect, is what can still read
// the queued bytes; the duplicates are closed at once after a dial that
// worked (two system calls per attempt). A dial that tries several
// addresses (a name with both address families, a Happy Eyeballs
// fallback) takes one duplicate per attempt and reads the one that
// connected (connectedAttempt). nd's own Control runs after the
// duplicate is taken; a ControlContext, which Go prefers over Control,
// leaves the dial as nd's.
func KeepingDial(nd *net.Dialer) DialFunc {
	if nd.ControlContext != nil {
		return nd.DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var k keptDups
		d := *nd
		d.Control = func(network, address string, rc syscall.RawConn) error {
			if err := rc.Control(func(fd uintptr) { k.add(address, int(fd)) }); err != nil {
				return err
			}
			if nd.Control != nil {
				return nd.Control(network, address, rc)
			}
			return nil
		}
		conn, err := d.DialContext(ctx, network, addr)
		dups := k.finish()
		defer func() {
			for _, a := range dups {
				syscall.Close(a.fd)
			}
		}()
		if err == nil {
			return conn, nil
		}
		a, fin, ok := connectedAttempt(dups, err)
		if !ok {
			return conn, err
		}
		if !errors.Is(err, syscall.ECONNRESET) && !fin {
			err = fmt.Errorf("the connect to %s completed and was found ended, where the dial reported only another attempt's failure: %w", a.addr, err)
		}
		e := &ResetAfterConnect{Addr: addr, FIN: fin, Err: err}
		if ap, perr := netipAddrPort(a.addr); perr == nil {
			e.Remote = net.TCPAddrFromAddrPort(ap)
		}
		if sa, serr := syscall.Getsockname(a.fd); serr == nil {
			e.Local = sockaddrTCP(sa)
		}
		// The socket is closed: its reads return what is queued, then
		// the end of the stream (Go's check took the reset's error),
		// and never wait.
		buf := make([]byte, 32<<10)
		for {
			n, rerr := syscall.Read(a.fd, buf)
			if n <= 0 || rerr != nil {
				break
			}
			e.Tail = append(e.Tail, buf[:n]...)
		}
		return nil, e
	}
}

// dupAttempt is the duplicate of one connect attempt's socket and the
// address that attempt dialled ("ip:port", as net.Dialer's Control gets it).
type dupAttempt struct {
	addr string
	fd   int
}

// keptDups collects the duplicates of a dial's attempts. Attempts can run
// at once (Happy Eyeballs), and a fallback attempt can still start after
// the dial returned: it takes no duplicate then, since nothing would close
// it. The first two (one per address family) need no allocation.
type keptDups struct {
	mu    sync.Mutex
	done  bool
	n     int
	first [2]dupAttempt
	rest  []dupAttempt
}

func (k *keptDups) add(address string, fd int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.done {
		return
	}
	nfd, err := dupCloexec(fd)
	if err != nil {
		return
	}
	if k.n < len(k.first) {
		k.first[k.n] = dupAttempt{addr: address, fd: nfd}
		k.n++
		return
	}
	k.rest = append(k.rest, dupAttempt{addr: address, fd: nfd})
}

// finish ends the collection and returns what it holds, for the caller to
// read and close.
func (k *keptDups) finish() []dupAttempt {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.done = true
	return append(k.first[:k.n:k.n], k.rest...)
}

// connectedAttempt picks the attempt whose connect succeeded and was found
// ended, and whether the backend's FIN came before its reset. A reset in
// SYN_SENT is ECONNREFUSED: a failed connect. One after the handshake is
// ECONNRESET, or EPIPE when the backend's FIN had come first (the socket
// was in CLOSE_WAIT): with one attempt, that is the one; among several,
// the one whose address err names (Go reports a failed attempt's error as
// a *net.OpError with the address it dialled). Go reports only the first
// address family's error when every attempt failed, so a refused ::1 hides
// a 127.0.0.1 found reset: when err is another failure, the one attempt
// whose socket had completed its handshake (connectCompleted) is it, and
// whether a FIN came first is unknown (reported as a reset). No pick when
// none or several fit: another attempt's duplicate could hold another
// backend's bytes.
func connectedAttempt(dups []dupAttempt, err error) (a dupAttempt, fin bool, ok bool) {
	fin = errors.Is(err, syscall.EPIPE)
	if fin || errors.Is(err, syscall.ECONNRESET) {
		if len(dups) == 1 {
			return dups[0], fin, true
		}
		var op *net.OpError
		if !errors.As(err, &op) || op.Addr == nil {
			return dupAttempt{}, false, false
		}
		want, perr := netipAddrPort(op.Addr.String())
		if perr != nil {
			return dupAttempt{}, false, false
		}
		for _, a := range dups {
			if ap, err := netipAddrPort(a.addr); err == nil && ap == want {
				return a, fin, true
			}
		}
		return dupAttempt{}, false, false
	}
	if len(dups) < 2 || isTimeout(err) || errors.Is(err, context.Canceled) {
		return dupAttempt{}, false, false
	}
	n := 0
	for _, d := range dups {
		if connectCompleted(d.fd) {
			a, n = d, n+1
		}
	}
	return a, false, n == 1
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

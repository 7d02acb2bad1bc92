//go:build linux

package fastpath

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
)

// The uring loop's relay. Each side has one buffer and at most one
// request on it at a time: a recv into it, then a send of what it got to
// the other side, then the next recv. So a side's FIN is read only after
// everything before it was written, and when both FINs are in nothing is
// in flight.

// dial connects to target; the client's first bytes wait in buf[0] for
// the connect's completion.
func (l *uloop) dial(u *uconn, target netip.AddrPort, now time.Time) {
	target = netip.AddrPortFrom(target.Addr().Unmap(), target.Port())
	u.target = target
	u.Consumed = nil
	sa, family, err := addrPortSockaddr(target)
	if err != nil {
		l.dialFailed(u, err)
		return
	}
	if err := u.addr.set(sa); err != nil {
		l.dialFailed(u, err)
		return
	}
	bfd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		l.dialFailed(u, os.NewSyscallError("socket", err))
		return
	}
	rawNoDelay(bfd)
	u.bfd = bfd
	u.phase, u.connecting = relaying, true
	u.deadline = now.Add(l.e.cfg.DialTimeout)
	u.last = now
	u.res.BackendRemote = target
	s := l.sqe()
	prepConnect(s, bfd, &u.addr)
	s.userData = l.slots.arm(u.slot, kConnect)
}

// dialFailed resets the client and reports an error shaped like
// net.Dial's, as the epoll loop's.
func (l *uloop) dialFailed(u *uconn, err error) {
	u.res.DialErr = &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(u.target), Err: err}
	l.finish(u, nil, true)
}

// connected handles the connect's completion.
func (l *uloop) connected(u *uconn, res int32, now time.Time) {
	if res < 0 {
		errno := syscall.Errno(-res)
		if !establishedEnd(errno) {
			l.dialFailed(u, os.NewSyscallError("connect", errno))
			return
		}
		// Up, and already ended by the backend (the epoll loop's
		// endedConnected): what it sent still goes to the client, and its
		// reset comes after; what waited for it cannot reach it.
		u.backendReset = errno == syscall.ECONNRESET
		u.n[0], u.off[0] = 0, 0
	}
	u.connecting = false
	u.last = now
	if la, err := syscall.Getsockname(u.bfd); err == nil {
		u.res.BackendLocal = sockaddrAddrPort(la)
	}
	u.buf[1] = l.getBuf()
	l.recv(u, 1, u.buf[1])
	if u.n[0] > u.off[0] {
		l.send(u, 0)
		return
	}
	u.n[0], u.off[0] = 0, 0
	l.recv(u, 0, u.buf[0])
}

// received handles a recv's completion on side from.
func (l *uloop) received(u *uconn, from int, res int32, now time.Time) {
	if res == 0 && from == 1 && u.backendReset {
		res = -int32(syscall.ECONNRESET) // taken from the socket by the connect
	}
	if res < 0 {
		errno := syscall.Errno(-res)
		if errno == syscall.ECONNRESET {
			u.resetBy(from)
		}
		l.finish(u, fmt.Errorf("fastpath: read from %s: %w", sideName(from), errno), true)
		return
	}
	if res == 0 {
		u.fin(from, now)
		to := 1 - from
		if u.side(to).rdEOF {
			l.finish(u, nil, false)
			return
		}
		u.side(to).wrShut = true
		rawShutdownWrite(u.fd(to))
		return
	}
	u.got(from, u.buf[from][:res], now)
	u.n[from], u.off[from] = int(res), 0
	l.send(u, from)
}

// sent handles the completion of a send of side from's bytes.
func (l *uloop) sent(u *uconn, from int, res int32, now time.Time) {
	to := 1 - from
	if res < 0 {
		errno := syscall.Errno(-res)
		u.writeErr(to, errno)
		l.finish(u, fmt.Errorf("fastpath: write to %s: %w", sideName(to), errno), true)
		return
	}
	if to == 1 {
		u.res.Up += int64(res)
	} else {
		u.res.Down += int64(res)
	}
	u.off[from] += int(res)
	if u.off[from] < u.n[from] {
		l.send(u, from)
		return
	}
	u.n[from], u.off[from] = 0, 0
	u.last = now
	l.recv(u, from, u.buf[from])
}

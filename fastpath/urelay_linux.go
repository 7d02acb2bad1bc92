//go:build linux

package fastpath

import (
	"fmt"
	"io"
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
		// reset comes after; what waited for it cannot reach it: never
		// written, so Up leaves it out and Undelivered counts it.
		u.backendReset = errno == syscall.ECONNRESET
		u.res.Undelivered += int64(u.n[0] - u.off[0])
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
	if res <= 0 {
		// A send that took nothing of a non-empty buffer would take
		// nothing again: an error, not a reason to send for ever.
		var werr error = syscall.Errno(-res)
		if res == 0 {
			werr = fmt.Errorf("sent 0 of %d bytes: %w", u.n[from]-u.off[from], io.ErrShortWrite)
		}
		u.writeErr(to, werr)
		err := fmt.Errorf("fastpath: write to %s: %w", sideName(to), werr)
		if to == 1 {
			l.backendRest(u, err)
			return
		}
		l.finish(u, err, true)
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

// backendRest ends a relay whose write to the backend failed as the epoll
// loop's deliverBackendRest does: what the backend sent before it goes to
// the client first, then the reset. The backend's side may still have a
// request out: a recv, or the send of its bytes to the client, which
// waits for ever on a client that stopped reading. Both sockets' requests
// are cancelled (a send cut short still reports what it sent, which Down
// counts), and endRest runs once they are back: it writes the rest
// without waiting, as deliverBackendRest does.
func (l *uloop) backendRest(u *uconn, err error) {
	u.ending = err
	if l.slots.inflight(u.slot) == 0 {
		l.endRest(u)
		return
	}
	l.cancel(u.bfd)
	l.cancel(u.cfd)
}

// endingDone handles a completion of a relay in backendRest: bytes a recv
// got before its cancel, or the rest of a send to the client, are written
// to the client without waiting; once nothing is out, endRest.
func (l *uloop) endingDone(u *uconn, kind uint8, res int32, now time.Time) {
	switch {
	case kind == kRecv1 && res > 0:
		u.got(1, u.buf[1][:res], now)
		u.n[1], u.off[1] = int(res), 0
		l.writeRest(u)
	case kind == kRecv1 && res == 0:
		u.be.rdEOF = true
	case kind == kSend1 && res > 0:
		u.res.Down += int64(res)
		u.off[1] += int(res)
		l.writeRest(u)
	}
	if l.slots.inflight(u.slot) == 0 {
		l.endRest(u)
	}
}

// writeRest writes what of buf[1] the client has not had, without waiting;
// false when the client's socket did not take it all.
func (l *uloop) writeRest(u *uconn) bool {
	for u.off[1] < u.n[1] {
		w, err := rawWrite(u.cfd, u.buf[1][u.off[1]:u.n[1]])
		if err != nil || w <= 0 {
			return false
		}
		u.res.Down += int64(w)
		u.off[1] += w
	}
	u.n[1], u.off[1] = 0, 0
	return true
}

// endRest passes on what is still queued on the backend's socket (its
// reads return it before the end, even after a reset), then resets both.
// Nothing of the loop's is out on either socket.
func (l *uloop) endRest(u *uconn) {
	for !u.be.rdEOF && l.writeRest(u) {
		n, err := rawRead(u.bfd, u.buf[1])
		if err != nil || n <= 0 {
			break
		}
		u.got(1, u.buf[1][:n], l.e.cfg.Now())
		u.n[1], u.off[1] = n, 0
	}
	l.finish(u, u.ending, true)
}

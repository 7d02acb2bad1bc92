//go:build linux

package fastpath

// The connect path of the epoll engine's relay: the dial and its first
// write, the connect's outcome, and a write that failed while the backend
// connection was new or had already ended.

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"github.com/tlsgate/tlsgate/upstream"
)

// dial starts a non-blocking connect and, without waiting for it, writes
// the client's first bytes to the backend: on loopback and near backends
// the connection is usually up by then, which saves a round of the event
// loop per connection (HAProxy does the same). A write that finds it still
// connecting returns EAGAIN and the bytes wait in pending for EPOLLOUT.
// more says the client socket may hold more (bytes or a FIN) with no
// edge to announce it.
func (l *loop) dial(c *Conn, target netip.AddrPort, now time.Time, more bool, first []byte) {
	target = netip.AddrPortFrom(target.Addr().Unmap(), target.Port())
	c.target = target
	sa, family, err := addrPortSockaddr(target)
	if err != nil {
		l.dialFailed(c, err)
		return
	}
	bfd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		l.dialFailed(c, os.NewSyscallError("socket", err))
		return
	}
	rawNoDelay(bfd)
	if err := rawConnect(bfd, sa); err != nil && err != syscall.EINPROGRESS {
		rawClose(bfd)
		l.dialFailed(c, os.NewSyscallError("connect", err))
		return
	}
	seq, err := l.watch(bfd)
	if err != nil {
		rawClose(bfd)
		l.dialFailed(c, os.NewSyscallError("epoll_ctl", err))
		return
	}
	c.bfd, c.bseq = bfd, seq
	l.conns[bfd] = c
	c.phase, c.connecting = relaying, true
	c.deadline = now.Add(l.e.cfg.DialTimeout)
	c.last = now
	c.res.BackendRemote = c.target
	if la, err := syscall.Getsockname(bfd); err == nil {
		c.res.BackendLocal = sockaddrAddrPort(la)
	}
	w, err := rawWrite(bfd, first)
	if err != nil && err != syscall.EAGAIN {
		// They wait as if the write had found the connect pending: if
		// the error says the backend had already ended an established
		// connection, endedConnected counts them as never delivered.
		c.be.pending = append([]byte(nil), first...)
		l.writeFailed(c, 1, err, now)
		return
	}
	if w > 0 {
		l.up(c)
		l.count(c, 1, w)
	}
	c.Consumed = nil
	if w < len(first) {
		c.be.pending = append([]byte(nil), first[w:]...)
		c.cl.stalled = true // flush reads on (to EOF) once these are out
		return
	}
	if more {
		l.pump(c, 0, now, true)
	}
}

// dialFailed resets the client, as BIG-IP does when no pool member
// answers, and reports an error shaped like net.Dial's.
func (l *loop) dialFailed(c *Conn, err error) {
	c.res.DialErr = &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(c.target), Err: err}
	l.finish(c, nil, true)
}

// connectEvent handles the backend socket's events until the connect is
// known to have succeeded; false when the connection ended.
func (l *loop) connectEvent(c *Conn, ev uint32, now time.Time) bool {
	if ev&(syscall.EPOLLERR|syscall.EPOLLHUP) != 0 {
		errno, err := syscall.GetsockoptInt(c.bfd, syscall.SOL_SOCKET, syscall.SO_ERROR)
		if err == nil && errno != 0 {
			err = syscall.Errno(errno)
		} else if err == nil {
			err = syscall.ECONNREFUSED // a failed write already took the error
		}
		if establishedEnd(err) {
			l.endedConnected(c, err, now)
			return c.phase == relaying
		}
		l.dialFailed(c, os.NewSyscallError("connect", err))
		return false
	}
	if ev&syscall.EPOLLOUT == 0 {
		return true
	}
	l.up(c)
	c.last = now // the idle clock starts with the relay, not the dial
	return l.flush(c, 1, now)
}

// establishedEnd says err, met while the loop still waited for a connect
// to finish, ended a connection that was established: Linux reports a
// reset in SYN_SENT as ECONNREFUSED, and one after the handshake as
// ECONNRESET (EPIPE once the peer's FIN had come, or once the reset's
// error was taken). A backend that accepted, wrote and reset (or closed
// over our unread bytes) before the loop looked gets here.
func establishedEnd(err error) bool {
	return err == syscall.ECONNRESET || err == syscall.EPIPE
}

// endedConnected handles a connect found to have succeeded only once the
// connection had already ended (establishedEnd): it was up, so what the
// backend sent is still queued on its socket and goes to the client, and
// the reset is then the backend's, after those bytes, as it would be in
// mid-relay; never a dial failure. The check that found the error took
// it from the socket, whose reads now end in a plain EOF: backendReset
// makes that EOF the reset again. What still waited for the backend
// (the client's first bytes) cannot reach it any more: it was never
// written, so Up leaves it out and Undelivered counts it.
func (l *loop) endedConnected(c *Conn, err error, now time.Time) {
	l.up(c)
	c.last = now
	c.backendReset = err == syscall.ECONNRESET
	c.res.Undelivered += int64(len(c.be.pending))
	c.be.pending = nil
	l.pump(c, 1, now, true)
}

// up records that the backend connection is established.
func (l *loop) up(c *Conn) {
	c.connecting = false
	delete(l.waiting, c)
}

// writeFailed ends the connection after a write error: a dial failure
// while the connect was still pending (unless the error says the
// connection was up: endedConnected), a reset otherwise.
func (l *loop) writeFailed(c *Conn, to int, err error, now time.Time) {
	if to == 1 && c.connecting {
		if establishedEnd(err) {
			l.endedConnected(c, err, now)
			return
		}
		l.dialFailed(c, os.NewSyscallError("connect", err))
		return
	}
	// A peer that sent its FIN and closed outright resets what still
	// comes: the normal end of many connections, not its failure. The FIN
	// may not have been read yet: Linux reports a reset that came after it
	// as EPIPE to the first call that meets it (ECONNRESET before it), and
	// then nothing but the FIN is left unread.
	c.writeErr(to, err)
	if to == 1 {
		l.deliverBackendRest(c)
	}
	l.finish(c, fmt.Errorf("fastpath: write to %s: %w", sideName(to), err), true)
}

// writeErr records what a failed write to socket to says about who ended
// the relay (both engines' write paths).
func (c *Conn) writeErr(to int, err error) {
	// A backend that sent nothing has no such excuse: it ended before any
	// answer, and the reset of the request is that failure's end (as
	// upstream's resetSide decides for the goroutine engine).
	finFirst := c.side(to).rdEOF || err == syscall.EPIPE && rawUnread(c.fd(to)) == 0
	silent := to == 1 && c.res.DownHeadLen == 0
	if (err == syscall.ECONNRESET || err == syscall.EPIPE) && (!finFirst || silent) {
		c.resetBy(to)
	}
}

// deliverBackendRest writes to the client what the backend sent before a
// write to it failed and the relay had not yet passed on: what waits for
// the client, then what is still queued on the backend's socket (its reads
// return that before the end, even after a reset). The client's reset
// follows, but only after these bytes, as when the relay reads the reset
// itself. Writes never wait: what the client's socket buffer cannot take
// at once is dropped with the reset, as it would be anyway.
func (l *loop) deliverBackendRest(c *Conn) {
	cl, be := c.side(0), c.side(1)
	if be.rdEOF && len(cl.pending) == 0 {
		return
	}
	for len(cl.pending) > 0 {
		w, err := rawWrite(c.cfd, cl.pending)
		if err != nil || w <= 0 {
			return
		}
		l.count(c, 0, w)
		cl.pending = cl.pending[w:]
	}
	for !be.rdEOF {
		n, err := rawRead(c.bfd, l.buf)
		if err != nil || n <= 0 {
			return
		}
		if c.res.DownHeadLen < upstream.HeadSize {
			c.res.DownHeadLen += uint8(copy(c.res.DownHead[c.res.DownHeadLen:], l.buf[:n]))
		}
		if c.Watch != nil {
			c.Watch.Read(true, l.buf[:n])
		}
		w, err := rawWrite(c.cfd, l.buf[:n])
		if w > 0 {
			l.count(c, 0, w)
		}
		if err != nil || w < n {
			return
		}
	}
}

// resetBy records that side's socket reset the relay, and for the
// backend whether the client had ended its side first (read before finish
// resets the client socket).
func (c *Conn) resetBy(side int) {
	c.res.ResetBy = sideName(side)
	if side == 1 {
		c.res.AfterClientEnd = c.side(0).rdEOF || rawTCPState(c.cfd) == tcpCloseWait
	}
}

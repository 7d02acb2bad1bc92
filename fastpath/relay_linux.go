//go:build linux

package fastpath

import (
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/tlsgate/tlsgate/upstream"
)

// side returns the relay state of socket i: 0 the client, 1 the backend.
func (c *Conn) side(i int) *side {
	if i == 0 {
		return &c.cl
	}
	return &c.be
}

func (c *Conn) fd(i int) int {
	if i == 0 {
		return c.cfd
	}
	return c.bfd
}

// pump copies from socket `from` to the other until the source is drained,
// ends, or the destination is full (the rest waits in pending for its
// EPOLLOUT). Without drain a short read counts as drained: with
// edge-triggered events, bytes that arrive later bring a new edge. With
// drain it reads on to EAGAIN, for when an edge was spent elsewhere (by
// the first read, or while stalled) or a hang-up came with the data.
func (l *loop) pump(c *Conn, from int, now time.Time, drain bool) {
	to := 1 - from
	src, dst := c.side(from), c.side(to)
	if src.rdEOF || c.phase != relaying {
		return
	}
	if len(dst.pending) > 0 {
		src.stalled = true
		return
	}
	for {
		n, err := rawRead(c.fd(from), l.buf)
		if err == syscall.EAGAIN {
			return
		}
		if n == 0 && err == nil && from == 1 && c.backendReset {
			err = syscall.ECONNRESET // taken from the socket by the connect check
		}
		if err != nil {
			if err == syscall.ECONNRESET {
				c.resetBy(from)
			}
			l.finish(c, fmt.Errorf("fastpath: read from %s: %w", sideName(from), err), true)
			return
		}
		if n == 0 {
			c.fin(from, now)
			l.eof(c, from)
			return
		}
		c.got(from, l.buf[:n], now)
		w, err := rawWrite(c.fd(to), l.buf[:n])
		if err != nil && err != syscall.EAGAIN {
			if to == 1 && c.connecting {
				// Read and never written: endedConnected counts them.
				dst.pending = append(dst.pending[:0], l.buf[:n]...)
			}
			l.writeFailed(c, to, err, now)
			return
		}
		if w > 0 && to == 1 && c.connecting {
			l.up(c)
		}
		l.count(c, to, w)
		if w < n {
			dst.pending = append(dst.pending[:0], l.buf[w:n]...)
			src.stalled = true
			return
		}
		if n < len(l.buf) && !drain {
			return
		}
	}
}

// flush writes what waits for socket to; false when the connection ended.
func (l *loop) flush(c *Conn, to int, now time.Time) bool {
	dst := c.side(to)
	for len(dst.pending) > 0 {
		w, err := rawWrite(c.fd(to), dst.pending)
		if err == syscall.EAGAIN {
			return true
		}
		if err != nil {
			l.writeFailed(c, to, err, now)
			return c.phase == relaying
		}
		if to == 1 && c.connecting {
			l.up(c)
		}
		l.count(c, to, w)
		dst.pending = dst.pending[w:]
	}
	dst.pending = nil
	c.last = now
	src := c.side(1 - to)
	if src.rdEOF {
		l.eof(c, 1-to)
		return c.phase == relaying
	}
	if src.stalled {
		src.stalled = false
		l.pump(c, 1-to, now, true)
	}
	return c.phase == relaying
}

func (l *loop) count(c *Conn, to, n int) {
	if to == 1 {
		c.res.Up += int64(n)
	} else {
		c.res.Down += int64(n)
	}
}

// eof passes a FIN from socket from to the other side once everything
// before it was written; when both sides have sent FIN the connection is
// done (close sends our last FIN, so no second shutdown call).
func (l *loop) eof(c *Conn, from int) {
	to := 1 - from
	if len(c.side(to).pending) > 0 || c.connecting {
		// flush calls back here when it drains; connectEvent flushes.
		// (shutdown on a socket still connecting would abort it.)
		return
	}
	if c.side(to).rdEOF {
		if len(c.side(from).pending) == 0 {
			l.finish(c, nil, false)
		}
		return
	}
	if !c.side(to).wrShut {
		c.side(to).wrShut = true
		rawShutdownWrite(c.fd(to))
	}
}

// finish closes both sockets (with a reset when reset is set) and reports.
func (l *loop) finish(c *Conn, err error, reset bool) {
	if c.phase == done {
		return
	}
	for _, fd := range []int{c.cfd, c.bfd} {
		if fd < 0 {
			continue
		}
		delete(l.conns, fd)
		if reset {
			rstClose(fd)
		} else {
			rawClose(fd)
		}
	}
	delete(l.waiting, c)
	c.phase = done
	c.res.Err = err
	l.load.Add(-1)
	l.ended = append(l.ended, c)
}

// sweep enforces the peek and dial deadlines and, once a second, the idle
// timeout, and re-arms a paused accept.
func (l *loop) sweep(now time.Time) {
	l.swept = now
	if l.lfd >= 0 && !l.paused.IsZero() && !now.Before(l.paused) {
		l.paused = time.Time{}
		_ = l.watchListener()
	}
	idle := l.e.cfg.IdleTimeout
	for c := range l.waiting {
		switch c.overdue(now, idle, false) {
		case peekOver:
			// The goroutine path reads with the same deadline, already
			// past, and diagnoses the silence.
			l.handoff(c, nil)
		case dialOver:
			l.dialFailed(c, os.ErrDeadlineExceeded)
		}
	}
	if !idleDue(now, l.idled, idle) {
		return
	}
	l.idled = now
	for fd, c := range l.conns {
		if fd == c.cfd && c.overdue(now, idle, true) == idleOver {
			l.finish(c, idleErr(idle), true)
		}
	}
}

// abortAll resets everything this loop owns.
func (l *loop) abortAll() {
	for fd, c := range l.conns {
		if fd != c.cfd {
			continue
		}
		if c.phase == peeking {
			l.handoff(c, ErrAborted)
			continue
		}
		l.finish(c, ErrAborted, true)
	}
}

// fin records the FIN just read from socket from (both engines' reads).
func (c *Conn) fin(from int, now time.Time) {
	c.side(from).rdEOF = true
	if c.Watch != nil {
		upstream.WatchEnd(c.Watch, from == 1)
	}
	if from == 0 {
		c.res.ClientFINFirst = c.res.Down == 0
	}
	if !c.side(1 - from).rdEOF {
		// The first FIN: the loop's time of this batch, no clock read.
		c.res.FirstFIN, c.res.FirstFINAfter = sideName(from), now.Sub(c.Accepted)
	}
}

// got records b, just read from socket from, in the heads and last read
// the Result keeps (both engines' reads), and shows it to the Watch.
func (c *Conn) got(from int, b []byte, now time.Time) {
	c.last = now
	if c.Watch != nil {
		c.Watch.Read(from == 1, b)
	}
	if from == 1 {
		if c.res.DownHeadLen < upstream.HeadSize {
			// At most 8 bytes, once per connection: one compare per
			// read is all the rest of a relay pays.
			c.res.DownHeadLen += uint8(copy(c.res.DownHead[c.res.DownHeadLen:], b))
		}
		return
	}
	if c.res.UpHeadLen < upstream.UpHeadSize {
		c.res.UpHeadLen += uint8(copy(c.res.UpHead[c.res.UpHeadLen:], b))
	}
	copy(c.res.UpLast[:], b)
	c.res.UpLastLen = len(b)
}

func sideName(i int) string {
	if i == 0 {
		return "client"
	}
	return "backend"
}

//go:build linux

package fastpath

import (
	"os"
	"syscall"
	"time"
)

// How the uring loop ends connections: a hand-off, the end of a relay,
// and what waits for their last requests (late); deadlines (sweep), Abort
// (abortAll) and a ring that failed (failRing).

// handoff gives the client socket to the handler once no request of the
// loop's is left on it (late collects what they read).
func (l *uloop) handoff(u *uconn, why error) {
	l.done(u)
	u.handing, u.why = true, why
	if l.slots.inflight(u.slot) > 0 {
		// Counted and retired before the cancel is queued, so that no
		// completion can find u live again.
		l.draining++
		l.slots.retire(u.slot)
		l.cancel(u.cfd)
		return
	}
	l.slots.retire(u.slot)
	l.handOver(u)
}

func (l *uloop) handOver(u *uconn) {
	if u.n[0] > 0 {
		u.Consumed = append([]byte(nil), u.buf[0][:u.n[0]]...)
	}
	l.putBufs(u)
	if u.why != nil {
		rstClose(u.cfd)
		l.e.h.Handoff(&u.Conn, nil, u.why)
		return
	}
	handOver(l.e.h, &u.Conn)
}

func (l *uloop) cancel(fd int) {
	s := l.sqe()
	prepCancelFD(s, fd)
	s.userData = tagNone(kIgnore)
}

// late handles a completion for a connection the loop is done with: a
// hand-off keeps the bytes a recv got before its cancel; drained does
// what waited for the last request.
func (l *uloop) late(u *uconn, kind uint8, res int32, drained bool) {
	if u.handing && kind == kRecv0 {
		switch {
		case res > 0:
			u.n[0] += int(res)
		case res < 0 && res != -int32(syscall.ECANCELED) && u.ReadErr == nil:
			u.ReadErr = os.NewSyscallError("read", syscall.Errno(-res))
		}
	}
	if !drained {
		return
	}
	l.draining--
	if u.handing {
		l.handOver(u)
		return
	}
	if u.closeFD {
		closeBoth(u)
		l.putBufs(u)
		l.release(u)
	}
}

func closeBoth(u *uconn) {
	for _, fd := range []int{u.cfd, u.bfd} {
		if fd >= 0 {
			rawClose(fd)
		}
	}
}

// done takes u out of the loop's live connections.
func (l *uloop) done(u *uconn) {
	delete(l.live, u)
	u.phase = done
	l.load.Add(-1)
}

// finish ends a relay (or a failed dial): a reset sets SO_LINGER 0 at
// once, and the sockets close when the loop's last request on them is
// back (a close would not end those requests).
func (l *uloop) finish(u *uconn, err error, reset bool) {
	if u.phase == done {
		return
	}
	l.done(u)
	u.res.Err = err
	u.holds = 2
	l.ended = append(l.ended, u)
	if reset {
		for _, fd := range []int{u.cfd, u.bfd} {
			if fd >= 0 {
				_ = syscall.SetsockoptLinger(fd, syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1, Linger: 0})
			}
		}
	}
	if l.slots.inflight(u.slot) == 0 {
		l.slots.retire(u.slot)
		closeBoth(u)
		l.putBufs(u)
		l.release(u)
		return
	}
	u.closeFD = true
	l.draining++
	l.slots.retire(u.slot)
	for _, fd := range []int{u.cfd, u.bfd} {
		if fd >= 0 {
			l.cancel(fd)
		}
	}
}

// sweep enforces the deadlines (overdue, shared with the epoll loop) with
// the uring loop's actions.
func (l *uloop) sweep(now time.Time) {
	l.swept = now
	if !l.paused.IsZero() && !now.Before(l.paused) {
		l.paused = time.Time{}
		if l.lfd >= 0 && !l.stopping && !l.notListening {
			l.armAccepts()
		}
	}
	idle := l.e.cfg.IdleTimeout
	checkIdle := idleDue(now, l.idled, idle)
	if checkIdle {
		l.idled = now
	}
	for u := range l.live {
		switch u.overdue(now, idle, checkIdle) {
		case peekOver:
			l.handoff(u, nil)
		case dialOver:
			l.dialFailed(u, os.ErrDeadlineExceeded)
		case idleOver:
			l.finish(u, idleErr(idle), true)
		}
	}
}

func (l *uloop) abortAll() {
	for u := range l.live {
		if u.phase == peeking {
			l.handoff(u, ErrAborted)
			continue
		}
		l.finish(u, ErrAborted, true)
	}
}

// failRing ends the loop on a ring that no longer takes requests
// (l.fail): it stops listening, resets every connection it owns and
// reports each with l.fail, since nothing it queued would ever complete.
// The ring's fd closes first, so the kernel ends their requests; the
// memory those point at stays reachable from the slot table, which is
// left as it is.
func (l *uloop) failRing() {
	l.r.close()
	if l.lfd >= 0 {
		_ = syscall.Close(l.lfd)
		l.lfd = -1
	}
	for i := range l.slots.s {
		u := l.slots.s[i].v
		if u == nil {
			continue
		}
		_, live := l.live[u]
		if live {
			l.done(u)
		}
		switch {
		case u.handing || live && u.phase == peeking:
			if u.n[0] > 0 {
				u.Consumed = append([]byte(nil), u.buf[0][:u.n[0]]...)
			}
			rstClose(u.cfd)
			l.e.h.Handoff(&u.Conn, nil, l.fail)
		case live:
			u.res.Err = l.fail // release keeps nothing once the ring failed
			l.ended = append(l.ended, u)
			fallthrough
		default: // draining: reported already
			for _, fd := range []int{u.cfd, u.bfd} {
				if fd >= 0 {
					rstClose(fd)
				}
			}
		}
	}
	l.draining = 0
}

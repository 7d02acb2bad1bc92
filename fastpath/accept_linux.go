//go:build linux

package fastpath

// A new connection on the epoll engine: its accept, the read of its first
// bytes and the handler's decision on them, and a hand-off to the
// goroutine path.

import (
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

func (l *loop) accept(now time.Time) {
	if now.Before(l.paused) {
		return
	}
	// Read before accepting: a Listening that comes after an accept
	// found the socket not listening then moves listens past it.
	seen := l.e.listens.Load()
	for range acceptMax {
		nfd, sa, err := rawAccept(l.lfd)
		if err != nil {
			// Level-triggered: leaving the socket watched would spin.
			switch err {
			case syscall.EINVAL:
				// The socket does not listen (shut down by a refuse
				// rule, so SYNs get an RST) and reports EPOLLHUP until
				// it listens again on the same port. The loop keeps it,
				// unwatched, until Engine.Listening says it listens.
				l.notListening, l.listensSeen = true, seen
				_ = syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_DEL, l.lfd, nil)
			case syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM:
				// Unwatch it for a tick; sweep watches it again.
				l.paused = now.Add(tick)
				_ = syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_DEL, l.lfd, nil)
			}
			return // EAGAIN: another loop took it, or the queue is empty
		}
		c := l.e.newConn()
		v := l.e.open(c, nfd, sa, now)
		if v == Refuse {
			continue
		}
		if v == Handoff {
			l.load.Add(1)
			l.handoff(c, nil)
			continue
		}
		if s := l.lighter(); s != nil && s.give(c) {
			continue
		}
		l.load.Add(1)
		l.adopt(c, now)
	}
}

// adopt watches a new client socket, accepted here or given by a sibling,
// until its first bytes come or its peek deadline passes.
func (l *loop) adopt(c *Conn, now time.Time) {
	c.deadline = c.Accepted.Add(l.e.cfg.PeekTimeout)
	l.conns[c.cfd] = c
	l.waiting[c] = struct{}{}
	// Read before watching: a client that connects and sends at once
	// (most do) has its first bytes queued by the time it is accepted,
	// and reading them now spares a round of the loop per connection, as
	// HAProxy's read after accept does. Watching after the read, not
	// before, keeps the bytes just read from being reported again; what
	// arrives in between is reported by the add itself.
	l.peek(c, syscall.EPOLLIN, now)
	if c.phase == done {
		return
	}
	seq, err := l.watch(c.cfd)
	c.cseq = seq
	if err != nil {
		err = fmt.Errorf("fastpath: epoll_ctl add client socket: %w", err)
		if c.phase == peeking {
			l.handoff(c, err)
			return
		}
		l.finish(c, err, true)
	}
}

// peek reads the client's first bytes and asks the handler. What it reads
// stays in c.Consumed until a decision: a relay writes it to the backend,
// a hand-off passes it on. Errors and hang-ups seen before any read go to
// the goroutine path untouched, so it reads and diagnoses them itself.
func (l *loop) peek(c *Conn, ev uint32, now time.Time) {
	if ev&(syscall.EPOLLERR|syscall.EPOLLHUP) != 0 {
		l.handoff(c, nil)
		return
	}
	if ev&(syscall.EPOLLIN|syscall.EPOLLRDHUP) == 0 {
		return
	}
	have := len(c.Consumed)
	n, err := rawRead(c.cfd, l.buf[:l.e.cfg.PeekMax-have])
	if err == syscall.EAGAIN {
		return
	}
	if err != nil || n <= 0 {
		// EOF stays readable for the goroutine path. A reset does not (it
		// usually arrives as EPOLLERR, handled above, but can land between
		// the event and this read), so it travels with the connection.
		if err != nil {
			c.ReadErr = os.NewSyscallError("read", err)
		}
		l.handoff(c, nil)
		return
	}
	b := l.buf[:n]
	if have > 0 {
		c.Consumed = append(c.Consumed, b...)
		b = c.Consumed
	}
	v, target := l.e.h.Decide(c, b)
	if v == Relay && target.IsValid() {
		// A read that filled the buffer may have left bytes queued, and
		// a FIN may have come with the data: either way no new edge will
		// tell, so the relay reads on to EAGAIN first.
		more := ev&syscall.EPOLLRDHUP != 0 || n == l.e.cfg.PeekMax-have
		l.dial(c, target, now, more, b)
		return
	}
	if have == 0 {
		c.Consumed = append([]byte(nil), b...)
	}
	if v == Wait && len(b) < l.e.cfg.PeekMax && ev&syscall.EPOLLRDHUP == 0 {
		return // more bytes come with a new edge; the deadline bounds the wait
	}
	l.handoff(c, nil)
}

// handoff gives the client socket to the handler as a net.Conn. The
// duplicate that net.FileConn makes keeps the socket open after ours
// closes, so it must leave our epoll set explicitly.
func (l *loop) handoff(c *Conn, why error) {
	delete(l.conns, c.cfd)
	delete(l.waiting, c)
	l.load.Add(-1)
	_ = syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_DEL, c.cfd, nil)
	c.phase = done
	if why != nil {
		// Keep what the client sent and the loop had not read yet: the
		// handler logs it as the evidence of what this connection was.
		if have := len(c.Consumed); have < l.e.cfg.PeekMax {
			if n, err := rawRead(c.cfd, l.buf[:l.e.cfg.PeekMax-have]); err == nil && n > 0 {
				c.Consumed = append(c.Consumed, l.buf[:n]...)
			}
		}
		rstClose(c.cfd)
		l.e.h.Handoff(c, nil, why)
		return
	}
	handOver(l.e.h, c)
}

// handOver gives the client socket, which no loop watches or reads any
// more, to h as a net.Conn (both engines' hand-offs).
func handOver(h Handler, c *Conn) {
	f := os.NewFile(uintptr(c.cfd), "fastpath-client")
	nc, err := net.FileConn(f)
	if err != nil {
		// Reset, as the listener's log line says (accept_failed): a FIN
		// would read as an empty answer to a request the loop had read.
		_ = syscall.SetsockoptLinger(c.cfd, syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1, Linger: 0})
		err = fmt.Errorf("fastpath: handing off the client socket: %w", err)
	}
	_ = f.Close()
	h.Handoff(c, nc, err)
}

// open fills c for socket nfd, just accepted from sa, and asks the
// handler (both engines' accepts). A refused socket is closed here.
func (e *Engine) open(c *Conn, nfd int, sa syscall.Sockaddr, now time.Time) Verdict {
	*c = Conn{cfd: nfd, bfd: -1, Remote: sockaddrAddrPort(sa), Local: e.local, Accepted: now}
	if !c.Local.IsValid() {
		if la, err := syscall.Getsockname(nfd); err == nil {
			c.Local = sockaddrAddrPort(la)
		}
	}
	if !e.noDelay {
		rawNoDelay(nfd)
	}
	v := e.h.Open(c)
	if v == Refuse {
		rstClose(nfd)
	}
	return v
}

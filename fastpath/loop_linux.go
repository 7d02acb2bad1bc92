//go:build linux

package fastpath

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"time"
)

// Ticks: deadlines are checked this often, so a peek or dial deadline
// fires up to one tick late; idle timeouts every eighth of the timeout,
// at most once a second.
const (
	tick      = 50 * time.Millisecond
	idleTick  = time.Second
	acceptMax = 64 // accepts per wake, so one busy listener cannot starve relays
	relayBuf  = 64 << 10
)

// sockEvents: edge-triggered, so a byte that arrives while we wait for the
// backend wakes nobody, and a peek (which leaves bytes queued) does not
// wake us again until more arrive.
const sockEvents uint32 = syscall.EPOLLIN | syscall.EPOLLOUT | syscall.EPOLLRDHUP | (syscall.EPOLLET & 0xffffffff)

// loop is one event loop: its own epoll instance, its own duplicate of the
// listening socket, and the connections it accepted. Only its goroutine
// touches its fields.
type loop struct {
	e       *Engine
	ep      int
	epf     *os.File        // ep, registered with Go's netpoller
	eprc    syscall.RawConn // waits on ep through the netpoller
	lfd     int             // -1 once closed
	conns   map[int]*Conn
	waiting map[*Conn]struct{} // peeking or connecting: deadlines to check
	buf     []byte
	evs     []syscall.EpollEvent
	swept   time.Time
	idled   time.Time
	paused  time.Time    // accept paused until then (out of file descriptors)
	seq     int32        // last registration tag handed out
	load    atomic.Int32 // client connections owned, inbox included (Engine.Live sums them)
	parked  atomic.Bool  // in park: a sibling that gives must ring the eventfd
	in      inbox
	wakeBy  time.Time // read deadline on epf: the longest a park lasts
	// ended holds connections closed in this round. Their reports (the
	// handler diagnoses and logs) wait until every event of the round
	// was handled, so other connections' bytes are not held up by them.
	ended []*Conn
	// notListening: accept found the socket not listening (a refuse
	// rule), and the loop stopped watching it until Engine.Listening
	// moves e.listens past listensSeen.
	notListening bool
	listensSeen  uint64
}

// report hands the round's ended connections to the handler.
func (l *loop) report() {
	for i, c := range l.ended {
		l.e.h.Closed(c, c.res)
		l.ended[i] = nil
		l.e.reuse(c)
	}
	l.ended = l.ended[:0]
}

// watch adds fd to the loop's epoll set with a fresh tag.
func (l *loop) watch(fd int) (int32, error) {
	l.seq++
	ev := syscall.EpollEvent{Events: sockEvents, Fd: int32(fd), Pad: l.seq}
	return l.seq, syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_ADD, fd, &ev)
}

func newLoop(e *Engine, lfd int) (*loop, error) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	// A loop with nothing to do parks in Go's netpoller, waiting for its
	// epoll fd to turn readable, instead of sleeping in epoll_wait: a
	// thread blocked in a syscall makes sysmon hand its P to another
	// thread, and at high connection rates those hand-offs cost more than
	// the relaying (BENCHMARKS.md, "What the epoll engine changed"; waiting
	// in epoll_wait itself was tried twice and lost, "Session 5").
	if err := syscall.SetNonblock(ep, true); err != nil {
		_ = syscall.Close(ep)
		return nil, fmt.Errorf("epoll fd non-blocking: %w", err)
	}
	epf := os.NewFile(uintptr(ep), "fastpath-epoll")
	rc, err := epf.SyscallConn()
	if err != nil {
		_ = epf.Close()
		return nil, fmt.Errorf("epoll fd: %w", err)
	}
	efd, err := newEventfd()
	if err != nil {
		_ = epf.Close()
		return nil, err
	}
	l := &loop{e: e, ep: ep, epf: epf, eprc: rc, lfd: lfd, conns: make(map[int]*Conn), waiting: make(map[*Conn]struct{}),
		buf: make([]byte, max(relayBuf, e.cfg.PeekMax)), evs: make([]syscall.EpollEvent, 128)}
	l.in.efd = efd
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(efd)}
	if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, efd, &ev); err != nil {
		l.closeFiles()
		return nil, fmt.Errorf("epoll_ctl add eventfd: %w", err)
	}
	if err := l.watchListener(); err != nil {
		l.closeFiles()
		return nil, err
	}
	return l, nil
}

func (l *loop) watchListener() error {
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | epollExclusive, Fd: int32(l.lfd)}
	if err := syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_ADD, l.lfd, &ev); err != nil {
		return fmt.Errorf("epoll_ctl add listener: %w", err)
	}
	return nil
}

// relisten watches the listening socket again once Engine.Listening said
// it listens, after accept found it not listening.
func (l *loop) relisten() {
	if !l.notListening || l.lfd < 0 || l.e.listens.Load() == l.listensSeen {
		return
	}
	l.notListening = false
	_ = l.watchListener()
}

// close releases a loop that never ran.
func (l *loop) close() {
	if l.lfd >= 0 {
		_ = syscall.Close(l.lfd)
		l.lfd = -1
	}
	l.closeFiles()
}

// closeFiles closes the epoll fd and the inbox's eventfd. The inbox is
// closed first, under its lock, so no ring (Engine.Listening, even on a
// loop that never ran) writes to the eventfd's number after.
func (l *loop) closeFiles() {
	_ = l.epf.Close()
	l.in.mu.Lock()
	l.in.closed = true
	if l.in.efd >= 0 {
		_ = syscall.Close(l.in.efd)
		l.in.efd = -1
	}
	l.in.mu.Unlock()
}

func (l *loop) run() {
	defer l.closeFiles()
	active := false // the last round had events
	for {
		wait := 2 * tick
		if len(l.waiting) > 0 {
			wait = tick
		}
		n := rawEpollPoll(l.ep, l.evs)
		if n == 0 {
			n = l.wait(wait, active)
		}
		active = n > 0
		now := l.e.cfg.Now()
		for i := range n {
			ev := l.evs[i]
			fd := int(ev.Fd)
			if fd == l.lfd {
				l.accept(now)
				continue
			}
			if fd == l.in.efd {
				l.takeInbox(now)
				continue
			}
			c := l.conns[fd]
			if c == nil || fd == c.cfd && ev.Pad != c.cseq || fd == c.bfd && ev.Pad != c.bseq {
				continue // a socket closed earlier in this batch
			}
			l.event(c, fd, ev.Events, now)
		}
		if l.in.has.Load() {
			l.takeInbox(now)
		}
		if now.Sub(l.swept) >= tick {
			l.sweep(now)
		}
		l.report()
		if l.e.stop.Load() && l.lfd >= 0 {
			_ = syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_DEL, l.lfd, nil)
			_ = syscall.Close(l.lfd)
			l.lfd = -1
		}
		if l.e.abort.Load() {
			l.abortAll()
			l.report()
		}
		if l.lfd < 0 && len(l.conns) == 0 {
			if l.closeInbox() {
				return
			}
			l.takeInbox(now)
		}
	}
}

// park waits in Go's netpoller for ep's next events, at most about wait
// from now, and returns how many it read into l.evs (0 at the deadline).
func (l *loop) park(wait time.Duration) int {
	// One deadline serves many parks: re-arming a timer on every park
	// costs more than an early wake-up now and then.
	if t := time.Now(); l.wakeBy.Before(t) || l.wakeBy.After(t.Add(wait)) {
		l.wakeBy = t.Add(wait)
		_ = l.epf.SetReadDeadline(l.wakeBy)
	}
	n := 0
	l.parked.Store(true)
	// Poll on every call, the first included: Read begins by clearing
	// the readiness the netpoller recorded for ep, so an event that came
	// after the caller's last poll would be forgotten, and the loop would
	// sleep to its deadline (up to 100 ms) with a connection waiting on it.
	err := l.eprc.Read(func(uintptr) bool {
		if l.in.has.Load() {
			return true // given while we were running: run() takes it
		}
		n = rawEpollPoll(l.ep, l.evs)
		return n > 0
	})
	l.parked.Store(false)
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		// Only a broken epoll fd gets here; end every connection rather
		// than spin.
		l.e.abort.Store(true)
	}
	return n
}

func (l *loop) event(c *Conn, fd int, ev uint32, now time.Time) {
	switch c.phase {
	case peeking:
		if fd == c.cfd {
			l.peek(c, ev, now)
		}
	case relaying:
		from := 0
		if fd == c.bfd {
			from = 1
			if c.connecting && !l.connectEvent(c, ev, now) {
				return
			}
		}
		if ev&syscall.EPOLLOUT != 0 && len(c.side(from).pending) > 0 {
			if !l.flush(c, from, now) {
				return
			}
		}
		if ev&(syscall.EPOLLIN|syscall.EPOLLRDHUP|syscall.EPOLLHUP|syscall.EPOLLERR) != 0 {
			l.pump(c, from, now, ev&(syscall.EPOLLRDHUP|syscall.EPOLLHUP|syscall.EPOLLERR) != 0)
		}
	}
}

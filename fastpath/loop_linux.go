//go:build linux

package fastpath

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"
)

// Ticks: deadlines are checked this often, so a peek or dial deadline
// fires up to one tick late; idle timeouts (minutes) once a second.
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
	lfd     int // -1 once closed
	conns   map[int]*Conn
	waiting map[*Conn]struct{} // peeking or connecting: deadlines to check
	buf     []byte
	evs     []syscall.EpollEvent
	swept   time.Time
	idled   time.Time
	paused  time.Time // accept paused until then (out of file descriptors)
	seq     int32     // last registration tag handed out
	idle    bool      // a whole wait passed without events: park next time
	busy    time.Time // the last wait that returned events
	// ended holds connections closed in this round. Their reports (the
	// handler diagnoses and logs) wait until every event of the round
	// was handled, so other connections' bytes are not held up by them.
	ended []*Conn
}

// report hands the round's ended connections to the handler.
func (l *loop) report() {
	for i, c := range l.ended {
		l.e.h.Closed(c, c.res)
		l.ended[i] = nil
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
	// Non-blocking, so that a duplicate of it can park in Go's netpoller
	// (park); epoll_wait itself ignores the flag.
	if err := syscall.SetNonblock(ep, true); err != nil {
		_ = syscall.Close(ep)
		return nil, fmt.Errorf("epoll fd non-blocking: %w", err)
	}
	l := &loop{e: e, ep: ep, lfd: lfd, conns: make(map[int]*Conn), waiting: make(map[*Conn]struct{}),
		buf: make([]byte, max(relayBuf, e.cfg.PeekMax)), evs: make([]syscall.EpollEvent, 128)}
	if err := l.watchListener(); err != nil {
		_ = syscall.Close(ep)
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

// close releases a loop that never ran.
func (l *loop) close() {
	if l.lfd >= 0 {
		_ = syscall.Close(l.lfd)
		l.lfd = -1
	}
	_ = syscall.Close(l.ep)
}

func (l *loop) run() {
	defer func() { _ = syscall.Close(l.ep) }()
	for {
		wait := 2 * tick
		if len(l.waiting) > 0 {
			wait = tick
		}
		n := l.poll(wait)
		now := l.e.cfg.Now()
		for i := range max(n, 0) {
			ev := l.evs[i]
			fd := int(ev.Fd)
			if fd == l.lfd {
				l.accept(now)
				continue
			}
			c := l.conns[fd]
			if c == nil || fd == c.cfd && ev.Pad != c.cseq || fd == c.bfd && ev.Pad != c.bseq {
				continue // a socket closed earlier in this batch
			}
			l.event(c, fd, ev.Events, now)
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
			return
		}
	}
}

// poll returns the next events, waiting up to wait for them.
//
// With Config.Procs set, a busy loop waits in epoll_wait itself and keeps
// its P, as an event loop in C would: the kernel wakes this thread
// directly. Parking in Go's netpoller instead costs an extra thread
// wake-up and two more epoll calls per wait, and left the CPUs idle 5%
// more of the time at high connection rates (BENCHMARKS.md, "Waiting in
// epoll_wait"). A loop that saw nothing for a whole wait parks in the
// netpoller, so an idle tlsgate holds no P and wakes nobody.
//
// A signal interrupts the wait at once; it is most often the runtime
// asking this goroutine to stop for a garbage collection, so yield.
func (l *loop) poll(wait time.Duration) int {
	if l.e.cfg.Procs != nil && !l.idle {
		n := rawEpollWait(l.ep, l.evs, max(int(wait/time.Millisecond), 1))
		if n > 0 {
			l.busy = time.Now()
			return n
		}
		if n < 0 {
			runtime.Gosched()
		}
		// sysmon's preemption signal ends a wait every 10 ms, so count
		// the quiet time rather than timeouts.
		l.idle = time.Since(l.busy) >= wait
		return 0
	}
	n := l.park(wait)
	if n > 0 {
		l.idle, l.busy = false, time.Now()
	}
	return n
}

// park waits for events in Go's netpoller, through a duplicate of the
// epoll fd registered for this wait only: a registration that outlived
// it would wake a netpoller thread for every event the loop then handles
// in epoll_wait.
func (l *loop) park(wait time.Duration) int {
	fd, err := dupCloexec(l.ep)
	if err != nil {
		time.Sleep(time.Millisecond) // out of descriptors: poll slowly
		return max(rawEpollWait(l.ep, l.evs, 0), 0)
	}
	f := os.NewFile(uintptr(fd), "fastpath-epoll")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		time.Sleep(time.Millisecond)
		return max(rawEpollWait(l.ep, l.evs, 0), 0)
	}
	_ = f.SetReadDeadline(time.Now().Add(wait))
	n := 0
	err = rc.Read(func(uintptr) bool {
		n = max(rawEpollWait(l.ep, l.evs, 0), 0)
		return n > 0
	})
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		// Only a broken epoll fd gets here; end every connection
		// rather than spin.
		l.e.abort.Store(true)
	}
	return n
}

func (l *loop) accept(now time.Time) {
	if now.Before(l.paused) {
		return
	}
	for range acceptMax {
		nfd, sa, err := rawAccept(l.lfd)
		if err != nil {
			if err == syscall.EMFILE || err == syscall.ENFILE || err == syscall.ENOBUFS || err == syscall.ENOMEM {
				// Level-triggered: leaving the socket watched would spin.
				// Unwatch it for a tick; sweep watches it again.
				l.paused = now.Add(tick)
				_ = syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_DEL, l.lfd, nil)
			}
			return // EAGAIN: another loop took it, or the queue is empty
		}
		c := &Conn{cfd: nfd, bfd: -1, Remote: sockaddrAddrPort(sa), Local: l.e.local, Accepted: now}
		if !c.Local.IsValid() {
			if la, err := syscall.Getsockname(nfd); err == nil {
				c.Local = sockaddrAddrPort(la)
			}
		}
		rawNoDelay(nfd)
		v := l.e.h.Open(c)
		if v == Refuse {
			rstClose(nfd)
			continue
		}
		l.e.live.Add(1)
		if v == Handoff {
			l.handoff(c, nil)
			continue
		}
		seq, err := l.watch(nfd)
		c.cseq = seq
		if err != nil {
			l.handoff(c, fmt.Errorf("fastpath: epoll_ctl add client socket: %w", err))
			continue
		}
		c.deadline = now.Add(l.e.cfg.PeekTimeout)
		l.conns[nfd] = c
		l.waiting[c] = struct{}{}
	}
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
		// EOF stays readable for the goroutine path; a reset read here
		// will look like EOF there (rare: a reset usually arrives as
		// EPOLLERR, handled above).
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
	l.e.live.Add(-1)
	_ = syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_DEL, c.cfd, nil)
	c.phase = done
	if why != nil {
		rstClose(c.cfd)
		l.e.h.Handoff(c, nil, why)
		return
	}
	f := os.NewFile(uintptr(c.cfd), "fastpath-client")
	nc, err := net.FileConn(f)
	_ = f.Close()
	if err != nil {
		err = fmt.Errorf("fastpath: handing off %s: %w", c.Remote, err)
	}
	l.e.h.Handoff(c, nc, err)
}

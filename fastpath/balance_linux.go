//go:build linux

package fastpath

import (
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Balancing. A connection belongs to the loop that accepted it, and the
// kernel's exclusive wake-up picks that loop without regard to how many
// connections it already has. Between two loops that can leave one with
// most of the connections in flight: its CPU then takes turns with the
// backend and the client it wakes, while the other loop's CPU sits idle
// (BENCHMARKS.md, "Session 7"). So a loop that accepts a connection while
// a sibling owns fewer passes it on, as HAProxy's listeners do, through
// the sibling's inbox and an eventfd that wakes it.

// inbox holds connections other loops accepted for this one.
type inbox struct {
	mu     sync.Mutex
	conns  []*Conn
	closed bool // the loop has ended: give nothing more
	efd    int  // eventfd in the loop's epoll set; -1 once closed
	rung   bool // efd was written since the loop last took the inbox
	// has says conns is not empty, read without the lock: a running loop
	// looks at it every round, so only a parked one needs the eventfd.
	has atomic.Bool
}

// newEventfd makes the eventfd that wakes a loop for its inbox.
func newEventfd() (int, error) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		return -1, fmt.Errorf("eventfd2: %w", errno)
	}
	return int(r), nil
}

// lighter returns the sibling that owns the fewest connections, when it
// owns fewer than l; nil keeps the connection here.
func (l *loop) lighter() *loop {
	var best *loop
	least := l.load.Load()
	for _, s := range l.e.loops {
		if s == l {
			continue
		}
		if n := s.load.Load(); n < least {
			best, least = s, n
		}
	}
	return best
}

// give queues c for l; false when l has ended and c stays with the giver.
// The eventfd is written only when l is parked, and once per batch: a
// running loop sees has at the end of its round. give stores has before
// it loads parked, and park stores parked before it loads has, so one of
// the two always sees the other (sync/atomic is sequentially consistent).
func (l *loop) give(c *Conn) bool {
	l.in.mu.Lock()
	if l.in.closed {
		l.in.mu.Unlock()
		return false
	}
	l.in.conns = append(l.in.conns, c)
	l.load.Add(1)
	l.in.has.Store(true)
	if l.parked.Load() {
		l.ringLocked()
	}
	l.in.mu.Unlock()
	return true
}

// ring wakes l through its eventfd whether or not it is parked (Engine.
// Listening: rare, so a running loop is woken once more rather than
// missing the news until its next sweep).
func (l *loop) ring() {
	l.in.mu.Lock()
	if !l.in.closed {
		l.ringLocked()
	}
	l.in.mu.Unlock()
}

// ringLocked writes l's eventfd once until l drains it; l.in.mu is held:
// once l ends it closes the eventfd, and a write after that could land on
// whatever reused the number.
func (l *loop) ringLocked() {
	if l.in.rung || l.in.efd < 0 {
		return
	}
	l.in.rung = true
	one := uint64(1)
	_, _, _ = syscall.RawSyscall(syscall.SYS_WRITE, uintptr(l.in.efd), uintptr(unsafe.Pointer(&one)), 8)
}

// takeInbox adopts what other loops gave l.
func (l *loop) takeInbox(now time.Time) {
	l.in.mu.Lock()
	cs := l.in.conns
	l.in.conns = nil
	l.in.has.Store(false)
	if l.in.rung {
		// Level-triggered: drain the count, or every poll reports it.
		var v uint64
		_, _, _ = syscall.RawSyscall(syscall.SYS_READ, uintptr(l.in.efd), uintptr(unsafe.Pointer(&v)), 8)
		l.in.rung = false
	}
	l.in.mu.Unlock()
	for _, c := range cs {
		l.adopt(c, now)
	}
	// The ring may have been Engine.Listening's.
	l.relisten()
}

// closeInbox ends l's inbox if it is empty; false when connections came
// in since the caller looked, which l must adopt before it ends.
func (l *loop) closeInbox() bool {
	l.in.mu.Lock()
	defer l.in.mu.Unlock()
	if len(l.in.conns) > 0 {
		return false
	}
	l.in.closed = true
	return true
}

package listener

import (
	"net"
	"sync/atomic"

	"github.com/tlsgate/tlsgate/faults"
)

// lease is a connection's claim on its listener: its max_connections slot
// and its place in the wait group Shutdown waits on. The handler holds one
// share. A fault that holds the client's socket open after the handler is
// done (faults.Held: a black hole lets no FIN through) takes another, so
// the slot is freed and Shutdown stops waiting only when the socket is
// really closed, not when the connection was logged.
type lease struct {
	s *Server
	c net.Conn // the accepted socket, as tracked
	n atomic.Int32
}

func (s *Server) newLease(c net.Conn) *lease {
	l := &lease{s: s, c: c}
	l.n.Store(1)
	return l
}

// share takes one more share; false when the lease has ended already and
// nothing can be counted any more.
func (l *lease) share() bool {
	for {
		n := l.n.Load()
		if n <= 0 {
			return false
		}
		if l.n.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// end gives back one share; the last frees the slot.
func (l *lease) end() {
	if l.n.Add(-1) == 0 {
		l.s.release()
		l.s.wg.Done()
	}
}

// hold is the connection's faults.WrapDeps.Hold: a held socket keeps the
// lease and joins the sockets Shutdown cuts at the end of its grace.
func (l *lease) hold(h *faults.Held) (closed func()) {
	s := l.s
	if !l.share() {
		_ = h.Reset() // no lease to count it under: end it rather than leak it
		return func() {}
	}
	s.mu.Lock()
	// The held socket replaces the accepted one, which is closed now, so
	// Active counts the connection once.
	delete(s.conns, l.c)
	s.holds[h] = struct{}{}
	// As with a hand-off: Shutdown sets cut before it takes mu to cut, so
	// one of the two always finds the other.
	cut := s.cut.Load()
	s.mu.Unlock()
	if cut {
		_ = h.Reset()
	}
	return func() {
		// Under mu, so that whoever no longer sees the socket in Active
		// finds its slot free too.
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.holds, h)
		l.end()
	}
}

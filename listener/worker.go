package listener

import (
	"net"
	"time"

	"github.com/tlsgate/tlsgate/upstream"
)

// workerIdle is how long a worker with nothing to do waits for the next
// connection before it exits. A burst leaves at most its own concurrency
// of workers behind, each gone this long after the burst.
const workerIdle = 5 * time.Second

// worker is one goroutine that handles connections one after another.
//
// Why not a goroutine per connection: a new goroutine starts on a small
// stack and grows it, copying the whole stack each time, on the way down
// through dialing and relaying, and each connection allocated its relay
// buffers afresh. Profiles of the plain-HTTP connection rate put both among
// the largest costs after the syscalls themselves. A worker keeps its grown
// stack (until the garbage collector shrinks an idle one) and its buffers
// for the next connection.
type worker struct {
	bufs upstream.Buffers
}

// runWorker handles c, then whatever Serve hands it, until it has been idle
// for workerIdle or the listener shuts down.
func (s *Server) runWorker(c net.Conn) {
	s.workers.Add(1)
	defer s.workers.Add(-1)
	w := &worker{}
	// Since Go 1.23 Reset discards a tick that fired while a connection
	// ran, so one timer serves every wait.
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		s.serveConn(c, w)
		idle.Reset(workerIdle)
		select {
		case c = <-s.handoff:
		case <-idle.C:
			return
		case <-s.quit:
			return
		}
	}
}

// serveConn runs one tracked connection and releases its slot, once any
// hold of its socket ended too (see lease).
func (s *Server) serveConn(c net.Conn, w *worker) {
	l := s.newLease(c)
	defer l.end()
	defer s.untrack(c)
	s.handle(c, w, l)
}

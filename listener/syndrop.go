package listener

import (
	"net"
	"syscall"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/faults"
)

// Under a syn_drop refuse rule the listener is down as under
// listener_down (its socket does not listen, its engines wait for
// Listening) and a dropper holds the port, so SYNs go unanswered instead
// of getting an RST (syndrop_linux.go says how). The gate keeps the
// dropper; the lines say which of the two a client meets, from the
// dropper's presence, not from the rule's mode, so that a dropper that
// could not start is not logged as dropping.

// Dropping reports whether a syn_drop refuse rule holds the listener
// down now with its port dropping SYNs (Down says whether it is down).
func (s *Server) Dropping() bool { return s.dropping() }

// dropping reports whether a dropper holds the port now.
func (s *Server) dropping() bool {
	_, ok := s.dropPort()
	return ok
}

// dropPort is the port the dropper holds, and whether one does.
func (s *Server) dropPort() (uint16, bool) {
	g := &s.down
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.drop == nil {
		return 0, false
	}
	return g.drop.port(), true
}

// matchMode makes the down listener refuse the way rule, the refuse rule
// holding it, says: it starts a dropper for syn_drop, or drains and closes
// the dropper for listener_down (a rule of the other mode took over). It
// reports whether the port refuses as the rule says; a dropper that
// cannot start is logged, the port keeps refusing with RSTs, and the
// watcher tries again.
func (s *Server) matchMode(rc syscall.RawConn, ln net.Listener, rule string) bool {
	want := s.deps.Faults.RefuseMode(rule) == faults.ModeSynDrop
	g := &s.down
	g.mu.Lock()
	d, addr := g.drop, g.addr
	g.mu.Unlock()
	switch {
	case want && d == nil:
		d, err := startDropping(rc, addr)
		if err != nil {
			s.deps.Logger.Error(reasonDropFail,
				zap.String("listener", s.opts.Name), zap.String("listen", ln.Addr().String()),
				zap.String("rule", rule), zap.Error(err))
			_, downs := s.Down()
			s.announceFailure(DownEvent{Kind: DropFailed, Listen: ln.Addr().String(), Rule: rule, Downs: downs,
				Reason: reasonDropFail, Symptom: symptomRefused, Err: err.Error()})
			return false
		}
		g.mu.Lock()
		g.drop = d
		g.mu.Unlock()
	case !want && d != nil:
		s.stopDropping()
	}
	return true
}

// stopDropping closes the dropper, if any, and serves the clients'
// connections that were in its queue, as stopListening's are.
func (s *Server) stopDropping() {
	g := &s.down
	g.mu.Lock()
	d := g.drop
	g.drop = nil
	g.mu.Unlock()
	if d == nil {
		return
	}
	if queued := d.drain(s.fileConn); len(queued) > 0 {
		go s.serveQueued(queued)
	}
}

// startDropAtListen starts the dropper for a syn_drop rule that holds the
// listener from the start, right after Listen bound its socket without
// listening, so a client connecting during start-up times out as every
// later one does. One that cannot start is left to startDown, whose
// first applyDown tries again and logs why.
func (s *Server) startDropAtListen(ln net.Listener, rule string) {
	if s.deps.Faults.RefuseMode(rule) != faults.ModeSynDrop {
		return
	}
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	g := &s.down
	g.mu.Lock()
	addr := g.addr
	g.mu.Unlock()
	if d, err := startDropping(rc, addr); err == nil {
		g.mu.Lock()
		g.drop = d
		g.mu.Unlock()
	}
}

// downWords are the reason and symptom of a down line: refused with an
// RST, or (dropping) timed out.
func downWords(dropping bool, refused, dropped string) (reason, symptom string) {
	if dropping {
		return dropped, symptomDropped
	}
	return refused, symptomRefused
}

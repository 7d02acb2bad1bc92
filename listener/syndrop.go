package listener

import (
	"context"
	"net"
	"syscall"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/faults"
)

// Under a syn_drop refuse rule the listener is down (Down says so, and
// the down and up lines are logged as under listener_down), but its
// socket keeps listening with a filter that drops SYNs unanswered
// (syndrop_linux.go says how), so its engines keep accepting: the
// connections the kernel completed before are served as usual. Under a
// listener_down rule the socket stops listening instead, and SYNs get an
// RST. The gate records which (drop); the lines say which of the two a
// client meets from it, not from the rule's mode, so that a filter that
// could not be attached is not logged as dropping.

// Dropping reports whether a syn_drop refuse rule holds the listener
// down now with its port dropping SYNs (Down says whether it is down).
func (s *Server) Dropping() bool { return s.dropping() }

// dropping reports whether the socket drops SYNs now.
func (s *Server) dropping() bool {
	_, ok := s.dropPort()
	return ok
}

// dropPort is the port dropping SYNs, and whether one does.
func (s *Server) dropPort() (uint16, bool) {
	g := &s.down
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.drop, g.drop != 0
}

// portOf is ln's port: the one its socket is bound to, which it keeps
// (or is bound to again) while a refuse rule holds it.
func portOf(ln net.Listener) uint16 {
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		return uint16(a.Port)
	}
	return 0
}

// matchMode makes the down listener refuse the way rule, the refuse rule
// holding it now, says: a socket that does not listen (listener_down, or
// a filter that failed before) starts dropping SYNs for syn_drop, and a
// dropping one stops listening for listener_down (a rule of the other
// mode took over). It reports whether the port refuses as the rule says;
// a failure is logged and the watcher tries again.
func (s *Server) matchMode(rc syscall.RawConn, ln net.Listener, rule string) bool {
	want := s.deps.Faults.RefuseMode(rule) == faults.ModeSynDrop
	switch dropping := s.dropping(); {
	case want && !dropping:
		return s.dropAgain(rc, ln, rule)
	case !want && dropping:
		return s.refuseInstead(rc, ln, rule)
	}
	return true
}

// dropAgain makes a socket that does not listen drop SYNs: the filter
// first, then listen, so that it never listens without it. Its engines
// were waiting for it to listen (the accept loop on the gate's up
// channel, the event loops for fastpath.Engine.Listening): they accept
// again, and only what the filter lets through arrives.
func (s *Server) dropAgain(rc syscall.RawConn, ln net.Listener, rule string) bool {
	g := &s.down
	g.mu.Lock()
	addr := g.addr
	g.mu.Unlock()
	err := attachDrop(rc)
	if err == nil {
		if err = listenAgain(rc, addr); err != nil {
			_ = detachDrop(rc) // it does not listen, and must not drop once it does
		}
	}
	if err != nil {
		s.dropFailed(ln, rule, err)
		return false
	}
	g.mu.Lock()
	up := g.up
	g.up, g.drop = nil, portOf(ln)
	g.mu.Unlock()
	if up != nil {
		close(up)
	}
	s.listening()
	return true
}

// refuseInstead makes a dropping socket refuse SYNs with an RST: it stops
// listening as takeDown's does (its queue served), then loses the filter,
// which does nothing while it does not listen and must be gone when it
// listens again. A shutdown that fails leaves it dropping.
func (s *Server) refuseInstead(rc syscall.RawConn, ln net.Listener, rule string) bool {
	if !s.stopAccepting(rc, ln, rule) {
		return false
	}
	// It fails only on a socket without a filter (ENOENT, taken as
	// success): nothing here locks one in (SO_LOCK_FILTER).
	_ = detachDrop(rc)
	g := &s.down
	g.mu.Lock()
	g.drop = 0
	g.mu.Unlock()
	return true
}

// dropFailed logs that the port could not be made to drop SYNs for rule:
// it refuses them with an RST instead until the watcher's next try.
func (s *Server) dropFailed(ln net.Listener, rule string, err error) {
	s.deps.Logger.Error(reasonDropFail,
		zap.String("listener", s.opts.Name), zap.String("listen", ShownAddr(s.opts.Listen, ln.Addr()).String()),
		zap.String("rule", rule), zap.Error(err))
	_, downs := s.Down()
	s.announceFailure(DownEvent{Kind: DropFailed, Listen: ShownAddr(s.opts.Listen, ln.Addr()).String(), Rule: rule, Downs: downs,
		Reason: reasonDropFail, Symptom: symptomRefused, Err: err.Error()})
}

// listenDropping is Listen for a syn_drop rule that holds the listener
// from the start: the socket listens with the filter attached before
// listen, so a client connecting during start-up times out as every later
// one does. A filter that cannot be attached fails it; Listen then binds
// without listening, and startDown's first applyDown tries again and logs
// why.
func (s *Server) listenDropping(ctx context.Context, lc net.ListenConfig) (net.Listener, error) {
	control := lc.Control
	lc.Control = func(network, address string, c syscall.RawConn) error {
		if control != nil {
			if err := control(network, address, c); err != nil {
				return err
			}
		}
		return attachDrop(c)
	}
	return lc.Listen(ctx, "tcp", s.opts.Listen)
}

// downWords are the reason and symptom of a down line: refused with an
// RST, or (dropping) timed out.
func downWords(dropping bool, refused, dropped string) (reason, symptom string) {
	if dropping {
		return dropped, symptomDropped
	}
	return refused, symptomRefused
}

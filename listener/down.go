package listener

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// A refuse rule (the catalog's tcp.refuse, mode listener_down) takes the
// whole listener down: the listening socket stops listening, so the kernel
// answers each new SYN with an RST and the client's connect fails with
// "connection refused" (curl (7)). It cannot select by client, since one
// listening socket serves every client, nor by SNI, since no ClientHello
// arrives, so it is listener-wide: it takes effect when the rule is
// added (config at start, the admin API at runtime) or its start_after
// passes, and ends when the rule is removed or disabled or its duration
// runs out. Connections already accepted are left alone, and so are those
// the kernel completed but nobody accepted yet: stopping the socket would
// reset them, unlogged, so stopListening accepts them first and
// serveQueued serves them as arrivals from before the rule.
//
// The socket stays open while down (shutdown SHUT_RD on a listening socket
// makes Linux stop listening without closing it) and listens again on the
// same port. It does not reuse the address (SO_REUSEADDR) while down, so
// nothing else can take the port in between: Linux lets a bind share the
// port of a bound socket that does not listen when both reuse it.
// Refusals make no connection to log; the listener logs its own lines: one
// when it goes down, one when it comes back, and one when it stays down
// because the rule that held it ended while another refuse rule holds it
// (naming both). It counts the times it went down.
// Neither engine polls the socket while it does not listen: the goroutine accept
// loop waits on the gate's up channel, and the epoll loops for
// fastpath.Engine.Listening, which bringUp calls.
// A syn_drop rule holds the listener down too, but its socket keeps
// listening, and a filter on it drops SYNs unanswered instead (syndrop.go):
// its engines keep accepting, and nothing arrives.

// errNoDown: a listening socket that stops listening while it stays open
// is Linux behaviour (shutdown on a listening socket); elsewhere a refuse
// rule has no mechanism.
var errNoDown = errors.New("listener: refuse mode listener_down needs Linux")

// downGate is the listener's up/down state under a refuse rule. Only the
// watcher goroutine changes it; the accept loop and the stats read it.
type downGate struct {
	mu    sync.Mutex
	rule  string        // the refuse rule holding the listener down; "" while up
	since time.Time     // when it went down
	up    chan struct{} // closed when the socket listens again; nil while up
	downs int64         // times the listener went down
	// addr is the socket's own address, taken before the first shutdown:
	// a socket bound to port 0 loses its port when it stops listening and
	// is bound to it again before it listens.
	addr syscall.Sockaddr
	// lastFail is the last failure announced (kind, rule, error), so a
	// retried one is announced once; any other event clears it.
	lastFail string
	// drop is the port while a syn_drop rule holds the listener down and
	// its socket listens with the filter that drops SYNs (syndrop.go); 0
	// otherwise (up, or refusing with RSTs).
	drop uint16
}

// Down reports whether a refuse rule holds the listener down now, and how
// many times one took it down since start.
func (s *Server) Down() (down bool, downs int64) {
	g := &s.down
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rule != "", g.downs
}

// waitUp is the accept loop's answer to an accept error: true when it came
// from a socket a refuse rule shut down (EINVAL), after waiting until the
// socket listens again or Shutdown begins, so the loop neither ends nor
// spins while the listener is down.
func (s *Server) waitUp(err error) bool {
	if !errors.Is(err, syscall.EINVAL) {
		return false
	}
	g := &s.down
	g.mu.Lock()
	// up is set before the shutdown, downs after it: an accept that
	// failed in between sees the first.
	ours, up := g.up != nil || g.downs > 0, g.up
	g.mu.Unlock()
	if !ours {
		return false // the listener was never taken down
	}
	if up != nil {
		select {
		case <-up:
		case <-s.quit:
		}
	}
	return true
}

// watchDown follows the fault rules for this listener until Shutdown:
// whenever they change, or a refuse rule's schedule starts or ends, it
// takes the listening socket down or brings it back up.
func (s *Server) watchDown(rc syscall.RawConn, ln net.Listener) {
	f := s.deps.Faults
	for {
		changed := f.Changed()
		next, ok := s.applyDown(rc, ln)
		if !ok {
			// A failed syscall is tried again.
			if retry := f.Now().Add(retryDown); next.IsZero() || retry.Before(next) {
				next = retry
			}
		}
		s.alsoHeld(ln)
		// The boundary is waited for on the engine's clock, the one its
		// schedule runs on: with a fake clock it passes when the clock is
		// moved, not after real time.
		var fire <-chan time.Time
		if !next.IsZero() {
			fire = f.At(next)
		}
		select {
		case <-changed:
		case <-fire:
		case <-s.quit:
		}
		select {
		case <-s.quit:
			return
		default:
		}
	}
}

// retryDown is how soon a failed shutdown or listen is tried again.
const retryDown = time.Second

// applyDown brings the socket to the state the rules want and reports
// whether it got there, and when a refuse rule's schedule next starts or
// ends (zero when none will). Only watchDown (and Serve, before it starts)
// calls it, so transitions never race each other.
func (s *Server) applyDown(rc syscall.RawConn, ln net.Listener) (next time.Time, ok bool) {
	g := &s.down
	g.mu.Lock()
	cur, since := g.rule, g.since
	g.mu.Unlock()
	// Down names cur while it still holds the listener down: the rule
	// that took it down keeps its name on it.
	rule, down, next := s.deps.Faults.Down(s.opts.Name, cur)
	switch {
	case down && cur == "":
		return next, s.takeDown(rc, ln, rule)
	case down:
		// A rule of the other mode may have taken over, or the filter
		// failed before: the line below says what clients meet.
		ok := s.matchMode(rc, ln, rule)
		if rule != cur {
			// The rule that took it down ended, and another refuse rule
			// holds it: it stays down, under that rule now.
			g.mu.Lock()
			g.rule = rule
			g.mu.Unlock()
			s.stillDown(ln, cur, rule)
		}
		return next, ok
	case cur != "":
		return next, s.bringUp(rc, ln, cur, since)
	}
	return next, true
}

// takeDown takes the listener down for rule: for syn_drop its socket
// keeps listening and drops SYNs (syndrop.go), or, for listener_down and
// when the filter cannot be attached, it stops listening.
func (s *Server) takeDown(rc syscall.RawConn, ln net.Listener, rule string) bool {
	g := &s.down
	g.mu.Lock()
	g.rule, g.since = rule, s.deps.Faults.Now()
	g.mu.Unlock()
	ok := true
	if s.deps.Faults.RefuseMode(rule) == faults.ModeSynDrop {
		err := attachDrop(rc)
		if err == nil {
			g.mu.Lock()
			g.drop = portOf(ln)
			g.mu.Unlock()
			s.wentDown(ln, rule)
			return true
		}
		// The port refuses with RSTs until the watcher's next try, and
		// the down line says so.
		s.dropFailed(ln, rule, err)
		ok = false
	}
	if !s.stopAccepting(rc, ln, rule) {
		g.mu.Lock()
		g.rule, g.since = "", time.Time{}
		g.mu.Unlock()
		return false
	}
	s.wentDown(ln, rule)
	return ok
}

// stopAccepting stops the socket listening for rule, serving what its
// queue held; a failure is logged, and the socket listens on as before.
func (s *Server) stopAccepting(rc syscall.RawConn, ln net.Listener, rule string) bool {
	g := &s.down
	// The gate is down before the socket is, so an accept that fails
	// with EINVAL always finds a channel to wait on.
	up := make(chan struct{})
	g.mu.Lock()
	g.up = up
	g.mu.Unlock()
	addr, queued, err := stopListening(rc, s.fileConn)
	if len(queued) > 0 {
		// Off the watcher: a full queue is thousands of connections
		// (and refusals, each counted and maybe logged), and the down
		// line should not wait for them.
		go s.serveQueued(queued)
	}
	if err != nil {
		g.mu.Lock()
		g.up = nil
		g.mu.Unlock()
		close(up)
		s.deps.Logger.Error(reasonDownFail,
			zap.String("listener", s.opts.Name), zap.String("listen", ShownAddr(s.opts.Listen, ln.Addr()).String()),
			zap.String("rule", rule), zap.Error(err))
		s.announceFailure(DownEvent{Kind: DownFailed, Listen: ShownAddr(s.opts.Listen, ln.Addr()).String(), Rule: rule, Reason: reasonDownFail, Err: err.Error()})
		return false
	}
	// The first shutdown's address is the port's: listenAgain binds to it.
	g.mu.Lock()
	if g.addr == nil {
		g.addr = addr
	}
	g.mu.Unlock()
	return true
}

// queuedConn is a connection the kernel had completed but nobody had
// accepted when a refuse rule took the socket down (stopListening): c, or
// err when its socket could not become one (it was reset), with the
// addresses accept and the socket reported and when it was accepted, on
// the real clock.
type queuedConn struct {
	c             net.Conn
	err           error
	remote, local netip.AddrPort
	at            time.Time
}

// serveQueued serves the connections stopListening took from the accept
// queue as connections that arrived before the rule: on the goroutine
// path, on every engine (the loops hand connections to it too), under
// max_connections, each logged once, and one that could not be served
// logged as that failure. After Shutdown began they are closed, as Serve
// closes one it accepted then.
func (s *Server) serveQueued(queued []queuedConn) {
	for i, q := range queued {
		if q.err != nil {
			s.lostQueued(q)
			continue
		}
		admitted, stopping := s.admit(q.c)
		if stopping {
			for _, q := range queued[i:] {
				if q.c != nil {
					_ = q.c.Close()
				}
			}
			return
		}
		if !admitted {
			continue
		}
		go func() {
			l := s.newLease(q.c)
			defer l.end()
			defer s.untrack(q.c)
			pre := &accepted{id: s.deps.NextID(), start: s.queuedStart(q.at), at: q.at, remote: q.remote}
			s.handleFrom(q.c, &worker{}, pre, l)
		}()
	}
}

// queuedStart is the Outcome's start (the injected clock) of a queued
// connection accepted at at (the real clock): now less the time it has
// waited since, so its duration counts the wait behind the rest of the
// queue. takeQueued stamps the real clock, as the loops stamp theirs
// (fastpath.Conn.Accepted): it runs under the listening socket's Control
// for up to a backlog of accepts, no place to call out to a clock a test
// may hold.
func (s *Server) queuedStart(at time.Time) time.Time {
	return s.deps.Now().Add(-time.Since(at))
}

// lostQueued logs a queued connection whose socket could not become a
// net.Conn, reset by queuedConns: its one line, as the epoll engine logs
// a hand-off that failed the same way (acceptFailed). After Shutdown
// began it gets none, as a served one then gets none either.
func (s *Server) lostQueued(q queuedConn) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1) // Shutdown returns after its line, as after any connection's
	s.mu.Unlock()
	defer s.wg.Done()
	o := s.newOutcome(q.remote, q.local, s.deps.NextID(), s.queuedStart(q.at))
	acceptFailed(o, nil, q.err)
	o.Duration = s.deps.Now().Sub(o.Start)
	s.markCut(o)
	d := explain.DiagnoseBrief(o)
	s.log(o, &d)
}

// wentDown records that the socket stopped listening (or never listened)
// for rule: it counts the time and logs the one down line.
func (s *Server) wentDown(ln net.Listener, rule string) {
	g := &s.down
	g.mu.Lock()
	g.downs++
	downs, since := g.downs, g.since
	g.mu.Unlock()
	s.fired(rule)
	check, holds := s.upAdvice(rule)
	reason, symptom := downWords(s.dropping(), reasonDown, reasonDropDown)
	s.deps.Logger.Warn(reason,
		zap.String("listener", s.opts.Name), zap.String("listen", ShownAddr(s.opts.Listen, ln.Addr()).String()),
		zap.String("rule", rule), zap.Int64("downs", downs),
		zap.String("symptom", symptom),
		zap.String("check", check))
	// It went down at since, the time the up event's since and down_for
	// count from.
	s.announce(DownEvent{Kind: DownWent, Time: since, Listen: ShownAddr(s.opts.Listen, ln.Addr()).String(), Rule: rule, Holding: holds,
		Downs: downs, Reason: reason, Symptom: symptom, Check: check})
}

// stillDown logs that the listener stays down under rule after ended,
// the rule that held it, ended, and counts it as rule's firing, as
// wentDown counts the rule that took it down: without it the operator
// removes the rule the down line named and finds the port still refused
// with no line naming the rule that refuses it.
func (s *Server) stillDown(ln net.Listener, ended, rule string) {
	s.fired(rule)
	check, holds := s.upAdvice(rule)
	reason, symptom := downWords(s.dropping(), reasonStillDown, reasonDropStill)
	s.deps.Logger.Warn(reason,
		zap.String("listener", s.opts.Name), zap.String("listen", ShownAddr(s.opts.Listen, ln.Addr()).String()),
		zap.String("rule", rule), zap.String("ended", ended),
		zap.String("check", check))
	_, downs := s.Down()
	s.announce(DownEvent{Kind: DownStill, Listen: ShownAddr(s.opts.Listen, ln.Addr()).String(), Rule: rule, Ended: ended, Holding: holds,
		Downs: downs, Reason: reason, Symptom: symptom, Check: check})
}

// fired counts a refuse rule's firing where every rule's firings are
// counted: the rule's fires (fault ls) and, through OnFiring, the firings
// metric, which other rules reach through their connection's Outcome.
func (s *Server) fired(rule string) {
	if s.deps.Faults.Took(rule) && s.deps.OnFiring != nil {
		s.deps.OnFiring(rule, string(faults.ActRefuse))
	}
}

// upAdvice is the down lines' check: how to make the listener listen
// again, with the refuse rules holding it that it names. Without an admin
// API the rule came from the config file, and only the file and a restart
// end it.
func (s *Server) upAdvice(rule string) (string, []faults.Hold) {
	var adminURL string
	if s.deps.AdminURL != nil {
		adminURL = s.deps.AdminURL()
	}
	holds := s.holders(rule)
	check := upAdviceFor(holds, adminURL, s.deps.AdminToken, s.deps.Faults.Now())
	if port, ok := s.dropPort(); ok {
		check += "; " + dropAdvice(s.deps.Lang, port)
	}
	return check, holds
}

// bringUp makes the socket listen again on its port after rule held it
// down since then, or, if it drops SYNs, answer them again.
func (s *Server) bringUp(rc syscall.RawConn, ln net.Listener, rule string, since time.Time) bool {
	g := &s.down
	g.mu.Lock()
	addr := g.addr
	g.mu.Unlock()
	dropped := s.dropping()
	var err error
	if dropped {
		// It listens: the filter alone goes.
		err = detachDrop(rc)
	} else {
		err = listenAgain(rc, addr)
	}
	if err != nil {
		s.deps.Logger.Error(reasonUpFail,
			zap.String("listener", s.opts.Name), zap.String("listen", ShownAddr(s.opts.Listen, ln.Addr()).String()),
			zap.String("rule", rule), zap.Error(err))
		_, downs := s.Down()
		_, symptom := downWords(dropped, "", "")
		s.announceFailure(DownEvent{Kind: UpFailed, Listen: ShownAddr(s.opts.Listen, ln.Addr()).String(), Rule: rule, Since: since,
			Downs: downs, Reason: reasonUpFail, Symptom: symptom, Err: err.Error()})
		return false
	}
	g.mu.Lock()
	up, downs := g.up, g.downs
	g.rule, g.since, g.up, g.drop = "", time.Time{}, nil, 0
	g.mu.Unlock()
	if up != nil {
		close(up)
	}
	if !dropped {
		s.listening()
	}
	downFor := s.deps.Faults.Now().Sub(since)
	reason, _ := downWords(dropped, reasonUp, reasonDropUp)
	s.deps.Logger.Info(reason,
		zap.String("listener", s.opts.Name), zap.String("listen", ShownAddr(s.opts.Listen, ln.Addr()).String()),
		zap.String("rule", rule), zap.Duration("down_for", downFor))
	s.announce(DownEvent{Kind: DownUp, Listen: ShownAddr(s.opts.Listen, ln.Addr()).String(), Rule: rule, Since: since, DownFor: downFor,
		Downs: downs, Reason: reason})
	return true
}

// listening tells the epoll and io_uring engines' loops that the socket
// listens again: they stopped watching it when accept found it not
// listening, and wait for this instead of checking the socket. One that
// is not there yet starts after this (serveFast sets s.eng before its
// loops run), so it finds the socket listening.
func (s *Server) listening() {
	s.mu.Lock()
	eng := s.eng
	s.mu.Unlock()
	if eng != nil {
		eng.Listening()
	}
}

// startDown applies the refuse rules once, before the first accept, so a
// rule from the config file refuses from the start, and then follows them.
// Serve took one count of wg for the watcher: it is the watcher's to
// release, or released here when there is none.
func (s *Server) startDown(ln net.Listener) {
	if s.deps.Faults == nil {
		s.wg.Done()
		return
	}
	sc, ok := ln.(syscall.Conn)
	var rc syscall.RawConn
	var err error
	if ok {
		rc, err = sc.SyscallConn()
	}
	if !ok || err != nil {
		// Only a listener without a socket (a test's or a wrapper's)
		// gets here; refuse rules then have nothing to act on.
		if rule, down, _ := s.deps.Faults.Down(s.opts.Name, ""); down {
			err = fmt.Errorf("listener: %T: %v", ln, err)
			s.deps.Logger.Error(reasonNoSocket,
				zap.String("listener", s.opts.Name), zap.String("rule", rule), zap.Error(err))
			s.announceFailure(DownEvent{Kind: DownFailed, Listen: ShownAddr(s.opts.Listen, ln.Addr()).String(), Rule: rule, Reason: reasonNoSocket, Err: err.Error()})
		}
		s.wg.Done()
		return
	}
	// Listen held the socket down for held (bound it without listening,
	// or listening with the filter for syn_drop) when the gate names a
	// rule and never went down: only Listen sets one before the first
	// takeDown, which counts. The down line and the count wait for Serve:
	// run.go logs each listener's "listening" line between the two, and a
	// start-up that fails after Listen never serves at all.
	g := &s.down
	g.mu.Lock()
	unsaid, held := g.rule != "" && g.downs == 0, g.rule
	g.mu.Unlock()
	if unsaid {
		// That went down for held, even if the rules changed since
		// (applyDown then brings it up, with its own line).
		s.wentDown(ln, held)
	}
	s.applyDown(rc, ln)
	// Counted (by Serve), so Shutdown returns only once the watcher is
	// done with the socket.
	go func() {
		defer s.wg.Done()
		s.watchDown(rc, ln)
	}()
}

package listener

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/fastpath"
	"github.com/tlsgate/tlsgate/sniff"
	"github.com/tlsgate/tlsgate/upstream"
)

// FastPathBlocker says why a listener with these options cannot be served
// by the epoll engine, or "" when it can (with the default dialer). The
// config check asks it too, so `config check` refuses what run would. Every listener feature not listed here is compatible because
// the engine hands such connections to the goroutine path untouched.
func FastPathBlocker(o Options) string {
	switch {
	case runtime.GOOS != "linux":
		return "the epoll engine runs on Linux only"
	case o.Mode != Plaintext && o.Mode != Passthrough && o.Mode != Auto:
		return fmt.Sprintf("mode = %q decrypts every connection", o.Mode)
	case o.Connect != "":
		return "connect = \"tunnel\" reads each CONNECT on the goroutine path"
	case o.ProxyProtocol != "":
		return "proxy_protocol needs the PROXY header parsed on the goroutine path"
	case o.BackendProxyProtocol != "":
		return "backend_proxy_protocol writes a header on the goroutine path"
	case o.Transparent != "":
		return "transparent needs each connection's original destination"
	case o.Capture != "":
		return "capture records packets on the goroutine path"
	case o.ServerSSL != nil:
		return "server_ssl re-encrypts to the backend"
	}
	for _, b := range []struct{ key, addr string }{{"backend", o.Backend}, {"plain_backend", o.PlainBackend}} {
		if b.addr == "" {
			continue
		}
		if _, err := netip.ParseAddrPort(b.addr); err != nil {
			return fmt.Sprintf("%s %q is not an IP:port (names are resolved on the goroutine path)", b.key, b.addr)
		}
	}
	return ""
}

// fastEngine returns the event-loop engine for ln when the listener's
// engine option and its features allow it; nil and no error means serve
// with goroutines. With engine = "epoll" anything in the way is an error.
func (s *Server) fastEngine(ln net.Listener) (*fastpath.Engine, error) {
	if s.opts.Engine == EngineGoroutines {
		return nil, nil
	}
	why := s.epollBlocker(ln)
	tl, _ := ln.(*net.TCPListener)
	required := s.opts.Engine == EngineEpoll || s.opts.Engine == EngineUring
	if why != "" {
		if required {
			return nil, fmt.Errorf("listener %s: engine = %q cannot serve it: %s", s.opts.Name, s.opts.Engine, why)
		}
		return nil, nil
	}
	idle := s.opts.IdleTimeout
	if idle <= 0 {
		idle = -1 // as upstream.Pump: no idle timeout
	}
	poll := s.opts.BusyPoll
	if poll <= 0 {
		poll = -1 // fastpath's zero is its default
	}
	eng, err := fastpath.New(tl, s.FastHandler(), fastpath.Config{PeekMax: s.opts.PeekMax,
		PeekTimeout: s.opts.PeekTimeout, DialTimeout: s.opts.DialTimeout, IdleTimeout: idle, BusyPoll: poll,
		Uring: s.opts.Engine == EngineUring, UringHoldP: s.deps.UringHoldP})
	if err != nil && required {
		return nil, fmt.Errorf("listener %s: engine = %q: %w", s.opts.Name, s.opts.Engine, err)
	}
	if err != nil {
		return nil, nil // not Linux: goroutines serve everything
	}
	return eng, nil
}

// FastHandler is what the fastpath engine (its epoll or its io_uring
// loops) calls for this listener's connections. Serve hands it to the engine; a benchmark or test can call
// it with fastpath.Conn values of its own, to measure a connection's work
// on a loop without sockets or the kernel's share.
func (s *Server) FastHandler() fastpath.Handler {
	// FastPathBlocker has checked that both parse, for Serve.
	h := fastHandler{s: s}
	h.backend, _ = netip.ParseAddrPort(s.opts.Backend)
	h.plain, _ = netip.ParseAddrPort(s.opts.PlainBackend)
	return h
}

// epollBlocker is FastPathBlocker plus what only Serve knows: the
// listener's type and the dialer.
func (s *Server) epollBlocker(ln net.Listener) string {
	if why := FastPathBlocker(s.opts); why != "" {
		return why
	}
	if _, ok := ln.(*net.TCPListener); !ok {
		return fmt.Sprintf("the listener is a %T, not a TCP socket", ln)
	}
	if !s.defaultDial {
		return "backends are dialled through an injected dialer"
	}
	return ""
}

// EngineFor says which engine Serve(ln) will run, and why not epoll when
// it will not, for the "listening" log line.
func (s *Server) EngineFor(ln net.Listener) (Engine, string) {
	if s.opts.Engine == EngineGoroutines {
		return EngineGoroutines, "engine = \"goroutines\""
	}
	if why := s.epollBlocker(ln); why != "" {
		return EngineGoroutines, why
	}
	if s.opts.Engine == EngineUring {
		return EngineUring, ""
	}
	return EngineEpoll, ""
}

// serveFast runs the engine until Shutdown stops it.
func (s *Server) serveFast(eng *fastpath.Engine) error {
	s.mu.Lock()
	closing := s.closing
	s.eng = eng
	s.mu.Unlock()
	if closing {
		eng.Stop() // never served: Stop releases its loops and sockets
		return nil
	}
	return eng.Serve()
}

// fastState is one connection's data while the engine owns it. The
// Outcome, fault plans, first bytes, request, Diagnosis and log call live
// in it rather than behind pointers of their own: one allocation per
// connection instead of eight (BENCHMARKS.md, "Session 18"). A relayed
// connection's state is reused once its line is written and the engine
// is done with it (Deps.Reuse); the admin event ring, which encodes its
// Outcome only when someone asks, holds it until it calls done
// (OnOutcomeLent). A handed-off connection's state is never reused.
type fastState struct {
	o     *explain.Outcome // &out
	pre   accepted
	reads int // Decide calls: the segments the first flight came in, roughly
	// tail is what Decide's bytes held past the hello, ahead of the
	// relay's up head.
	tail helloTail

	out   explain.Outcome
	fx    connFaults // pre.fx points here when the listener has faults
	first [firstBytesKept]byte
	d     explain.Diagnosis
	log   connLog
	req   sniff.HTTPRequest // o.HTTP, when the first bytes were a request
	// answers follows a passed-through stream's records (Conn.Watch).
	answers answerWatch
	// free is reuse(st), made once per state (not per connection) for
	// OnOutcomeLent's done: nil until the state's first reusable end, and
	// kept across reuses.
	free func()
}

// fastHandler adapts a Server to fastpath.Handler. Its methods run on the
// engine's loops, so they only compute and log.
type fastHandler struct {
	s              *Server
	backend, plain netip.AddrPort // Options.Backend and PlainBackend, parsed once
}

// Open takes a max_connections slot, starts the Outcome and plans the
// accept-stage faults, as Serve and handle do on the goroutine path. A
// connection an accept rule selects goes to the goroutine path at once,
// before anything is read, with its plan.
func (h fastHandler) Open(c *fastpath.Conn) fastpath.Verdict {
	s := h.s
	if s.sem != nil {
		select {
		case s.sem <- struct{}{}:
		default:
			s.countRefusal()
			return fastpath.Refuse
		}
	}
	s.mu.Lock()
	if s.closing {
		// Shutdown has begun (its Wait must not race this Add).
		s.mu.Unlock()
		s.release()
		return fastpath.Refuse
	}
	s.wg.Add(1)
	s.mu.Unlock()
	st := s.newFastState()
	o := &st.out
	s.startOutcome(o, c.Remote, c.Local, s.deps.NextID(), s.deps.Now())
	st.o = o
	st.pre = accepted{id: o.ID, start: o.Start, at: c.Accepted, remote: c.Remote, local: c.Local}
	c.State = st
	if s.deps.Faults != nil {
		// Even without rules: planning numbers the connection, as the
		// goroutine path does, for index selectors and seeded draws.
		st.pre.fx = &st.fx
		s.computeAccept(o.Client, st.pre.fx)
		if !st.pre.fx.plan.Empty() {
			return fastpath.Handoff
		}
	}
	return fastpath.Wait
}

// Decide is handle's peek and route, for the cases that end in a relay.
// Anything else (a mismatch to diagnose, a hello to terminate, a fault
// rule that selects it) goes to the goroutine path, which starts its peek
// from the bytes the engine read.
func (h fastHandler) Decide(c *fastpath.Conn, b []byte) (fastpath.Verdict, netip.AddrPort) {
	s := h.s
	st := c.State.(*fastState)
	st.reads++
	k, err := sniff.Classify(b)
	if err != nil {
		if errors.Is(err, sniff.ErrNeedMore) && s.settled(b) {
			// Plaintext that a TLS listener's non_ssl action answers,
			// or a plaintext or auto listener relays, without more
			// bytes: the goroutine path does, now, and names the
			// bytes from what the relay reads after them (nameLater).
			return fastpath.Handoff, netip.AddrPort{}
		}
		return fastpath.Wait, netip.AddrPort{}
	}
	o := st.o
	var target netip.AddrPort
	addr := s.opts.Backend // as configured, for the Outcome
	switch {
	case k == sniff.TLSHandshake:
		if s.opts.Mode == Plaintext || s.terminates() {
			return fastpath.Handoff, netip.AddrPort{}
		}
		hello, err := sniff.ParseClientHello(b)
		if errors.Is(err, sniff.ErrNeedMore) {
			return fastpath.Wait, netip.AddrPort{}
		}
		if err != nil {
			return fastpath.Handoff, netip.AddrPort{}
		}
		o.Hello = hello
		_, o.JA3 = sniff.JA3(hello)
		o.JA4 = sniff.JA4(hello)
		o.Route, target = "passthrough", h.backend
	case k.IsTLS(), k == sniff.ProxyV1, k == sniff.ProxyV2, s.opts.Mode == Passthrough:
		return fastpath.Handoff, netip.AddrPort{}
	default:
		if k == sniff.HTTP1 {
			r := &st.req
			err := sniff.ParseHTTPRequestInto(r, b)
			if err != nil {
				r = nil // as ParseHTTPRequest answers: a request that did not parse is none
			}
			if errors.Is(err, sniff.ErrNeedMore) || err == nil && r.Host == "" && !headersDone(b) {
				if s.relaysPlainAtOnce() {
					// A plaintext or auto listener relays the request
					// without its Host; the goroutine path learns it
					// from the relay.
					return fastpath.Handoff, netip.AddrPort{}
				}
				return fastpath.Wait, netip.AddrPort{}
			}
			o.HTTP = r
		}
		o.Route, target = "plain", h.backend
		if s.opts.Mode == Auto {
			target, addr = h.plain, s.opts.PlainBackend
		}
	}
	if !target.IsValid() {
		return fastpath.Handoff, netip.AddrPort{} // no plain_backend: the goroutine path explains
	}
	o.Kind, o.PeekEnd = k, explain.PeerSpoke
	if fx := st.pre.fx; fx != nil {
		// Plan the later stages here, once (an engine without rules
		// answers at once). A rule that selects this connection needs
		// the goroutine path's wrappers.
		s.computeHello(o, st.reads, fx, s.choose(o))
		if !fx.plan.Empty() {
			return fastpath.Handoff, netip.AddrPort{}
		}
	}
	// keepFirst's copy, into st's own bytes.
	o.FirstBytes, o.FirstLen = append(st.first[:0], b[:min(len(b), firstBytesKept)]...), len(b)
	st.tail = tailOf(o, b)
	o.Backend.Addr, o.Backend.Attempted = addr, true
	if explain.PassesTLS(o) {
		st.answers.start(b)
		c.Watch = &st.answers
	} else if k == sniff.HTTP2 {
		c.Watch = newH2Watch(b)
	}
	return fastpath.Relay, target
}

// Handoff runs the goroutine path on a connection the engine gave back,
// keeping the ID, start time and peek deadline it began with.
func (h fastHandler) Handoff(c *fastpath.Conn, nc net.Conn, err error) {
	s := h.s
	st := c.State.(*fastState)
	o := st.o
	if err != nil {
		// The socket is gone (shutdown abort, or out of descriptors): log
		// what is known so the connection still has its one line.
		acceptFailed(o, c.Consumed, err)
		s.finishFast(st, false)
		return
	}
	if late := time.Now().Add(deadlineGrace); st.pre.at.Add(s.opts.PeekTimeout).Before(late) {
		// Handed off at the peek deadline. A read under a deadline that
		// has passed fails before it looks at the socket, so the bytes a
		// client sent before going quiet would be lost to the Outcome:
		// give the goroutine path a moment to read what is queued.
		st.pre.at = late.Add(-s.opts.PeekTimeout)
	}
	s.mu.Lock()
	s.conns[nc] = struct{}{}
	// A loop sees Abort only at the end of its round, so a hand-off can
	// come after Shutdown cut the live connections: cut it too, or it
	// would be served past the grace and Shutdown would wait for it.
	// Shutdown sets cut before it takes mu to cut, so one of the two
	// always finds the other.
	cut := s.cut.Load()
	s.mu.Unlock()
	if cut {
		abort(nc)
	}
	// Take what the goroutine needs of c now: it keeps nothing of c, so
	// the engine's rules for c after Handoff never matter to it.
	st.pre.buf, st.pre.readErr = c.Consumed, c.ReadErr
	go func() {
		l := s.newLease(nc)
		defer l.end()
		defer s.untrack(nc)
		s.handleFrom(nc, &worker{}, &st.pre, l)
	}()
}

// Closed records a relay's end like pump and dialBackend do.
func (h fastHandler) Closed(c *fastpath.Conn, r fastpath.Result) {
	s := h.s
	st := c.State.(*fastState)
	o := st.o
	if r.DialErr != nil {
		recordBackendErr(o, &upstream.DialError{Addr: o.Backend.Addr, Err: r.DialErr,
			Refused: errors.Is(r.DialErr, syscall.ECONNREFUSED), TimedOut: errors.Is(r.DialErr, os.ErrDeadlineExceeded)})
	} else if !o.Backend.Attempted {
		o.Route, o.PeekEnd = "closed", explain.PeerClosed // aborted before a decision
	}
	if r.DialErr == nil {
		// As on the goroutine path, a dial that failed made no flow to
		// name: its socket's ephemeral port means nothing to an operator.
		o.Backend.Local, o.Backend.Remote = r.BackendLocal, r.BackendRemote
	}
	o.BytesUp, o.BytesDown, o.BytesUpUndelivered = r.Up, r.Down, r.Undelivered
	o.FirstFIN, o.FirstFINAfter = r.FirstFIN, r.FirstFINAfter
	o.End = relayEnd(errors.Is(r.Err, fastpath.ErrIdle), r.ResetBy, closeRace(o, r.AfterClientEnd, r.Down, r.UpLast[:], r.UpLastLen))
	recordHelloAlert(o, r.DownHead[:r.DownHeadLen])
	recordClientEnd(o, st.tail, r.UpHead[:r.UpHeadLen], r.DownHead[:r.DownHeadLen], r.ClientFINFirst)
	switch w := c.Watch.(type) {
	case *answerWatch:
		o.Backend.Exchange = w.result(r.Down)
	case *h2Watch:
		o.H2 = w.result(r.Up, r.Down)
	}
	// Keep nothing of c: the engine reuses it once Closed returns.
	c.State, c.Watch = nil, nil
	s.finishFast(st, true)
}

// newFastState returns a zeroed state, reused when one is free.
func (s *Server) newFastState() *fastState {
	if st, ok := s.states.Get().(*fastState); ok {
		return st
	}
	return &fastState{}
}

// reuse zeroes st for a later connection, once nothing refers to it: its
// line is written, the engine is done with it and OnOutcomeLent's hook
// gave it back.
func (s *Server) reuse(st *fastState) {
	free := st.free
	*st = fastState{free: free}
	s.states.Put(st)
}

// finishFast logs a connection the engine ended and frees its slot. st
// is reused afterwards when reusable (the engine is done with it) and
// Deps allow: without Reuse, or with OnOutcome, a core or the hook may
// still hold its Outcome, and st is left to the collector.
func (s *Server) finishFast(st *fastState, reusable bool) {
	o := st.o
	o.Duration = s.deps.Now().Sub(o.Start)
	if o.FirstFINAfter > o.Duration {
		// The loop times the FIN from accept, a few µs before Open
		// started o's clock: no FIN comes after the connection's end.
		o.FirstFINAfter = o.Duration
	}
	s.markCut(o)
	st.d = explain.DiagnoseBrief(o)
	var done func()
	if reusable && s.deps.Reuse && s.deps.OnOutcome == nil {
		if st.free == nil {
			st.free = func() { s.reuse(st) }
		}
		done = st.free
	}
	// Nothing may touch st after logIn: done can run inside it.
	s.logIn(&st.log, o, &st.d, done)
	s.release()
	s.wg.Done()
}

// deadlineGrace is how long the goroutine path may still read after a
// hand-off at the peek deadline: enough to drain what is already queued.
const deadlineGrace = 10 * time.Millisecond

// accepted carries what the engine already knew about a connection into
// the goroutine path: its ID and start (injected clock, for the Outcome),
// and when it was accepted on the real clock (the peek deadline counts
// from then).
type accepted struct {
	id        uint64
	start, at time.Time
	fx        *connFaults // fault plans already evaluated; nil when none were
	buf       []byte      // bytes already read from the client, to peek on from
	// remote and local are the endpoints accept reported. A socket the
	// client reset before the hand-off no longer knows its peer
	// (getpeername fails), so its net.Conn has no RemoteAddr.
	remote, local netip.AddrPort
	readErr       error // the engine's read failed with this: the next read must too
}

// readFailed is a hand-off whose first read already failed on the loop
// (fastpath.Conn.ReadErr): every read reports that error, as the socket
// itself would have, instead of the end of stream it shows afterwards.
type readFailed struct {
	net.Conn
	err error
}

func (r *readFailed) Read([]byte) (int, error) {
	return 0, &net.OpError{Op: "read", Net: "tcp", Source: r.LocalAddr(), Addr: r.RemoteAddr(), Err: r.err}
}

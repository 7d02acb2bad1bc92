package listener

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"time"

	proxyproto "github.com/pires/go-proxyproto"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/fastpath"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/sniff"
	"github.com/tlsgate/tlsgate/transparent"
)

// firstBytesKept bounds the evidence copied into the Outcome.
const firstBytesKept = 64

// firstBytes copies the start of what a client sent, as an Outcome keeps
// it: b is usually a read buffer that will be reused.
func firstBytes(b []byte) []byte {
	return append([]byte(nil), b[:min(len(b), firstBytesKept)]...)
}

// keepFirst records what a client sent before the decision: its first
// bytes as evidence, and how many came in all.
func keepFirst(o *explain.Outcome, b []byte) {
	o.FirstBytes, o.FirstLen = firstBytes(b), len(b)
}

// acceptFailed records a connection the listener accepted and reset
// without serving it, err saying why: its socket could not become a
// net.Conn (out of descriptors: an epoll hand-off, a refuse rule's queue)
// or a loop could not keep it. It is tlsgate's failure, not a client that
// left, and the error is its evidence; the addresses are the Outcome's
// already. A hand-off Shutdown aborted is only closed: markCut says that
// tlsgate ended it. consumed is what the client had sent, the evidence of
// what it was.
func acceptFailed(o *explain.Outcome, consumed []byte, err error) {
	o.Route, o.PeekEnd = "closed", explain.PeerClosed
	if !errors.Is(err, fastpath.ErrAborted) {
		o.Route, o.AcceptErr = "accept_failed", err.Error()
	}
	if len(consumed) > 0 {
		keepFirst(o, consumed)
		if k, err := sniff.Classify(consumed); err == nil {
			o.Kind = k
		}
	}
}

// handle runs one connection from accept to its single log line, on the
// worker w, under the lease l.
func (s *Server) handle(c net.Conn, w *worker, l *lease) { s.handleFrom(c, w, nil, l) }

// newOutcome starts a connection's Outcome with what is known at accept.
func (s *Server) newOutcome(remote, local netip.AddrPort, id uint64, start time.Time) *explain.Outcome {
	o := new(explain.Outcome)
	s.startOutcome(o, remote, local, id, start)
	return o
}

// startOutcome is newOutcome into o, a zero Outcome, which the epoll path
// allocates with the rest of its connection's state. It sets the fields
// one by one: assigning a whole Outcome literal built it aside and copied
// all of it, with a write barrier per pointer, for every connection.
func (s *Server) startOutcome(o *explain.Outcome, remote, local netip.AddrPort, id uint64, start time.Time) {
	o.ID = id
	o.SessionSalt = s.deps.SessionSalt
	o.Listener = s.opts.Name
	o.Mode = string(s.opts.Mode)
	o.NonSSL = string(s.opts.NonSSL)
	o.Connect.Tunnel = s.opts.Connect != ""
	o.Client, o.Peer = remote, remote
	o.Virtual, o.ListenerAddr = local, local
	o.Start = start
	o.PeekTimeout, o.IdleTimeout = s.opts.PeekTimeout, s.opts.IdleTimeout
	o.ClientTLS.AlertSent, o.ClientTLS.AlertRecv = -1, -1
	o.SNIRequired = s.opts.ClientSSL != nil && s.opts.ClientSSL.SNIRequire
	o.Proxy.Policy = s.opts.ProxyProtocol
	o.CAFile = s.deps.CAFile
	if s.deps.FaultAdmin != nil {
		o.FaultAdmin = s.deps.FaultAdmin()
	}
	o.Backend.TLS.AlertSent, o.Backend.TLS.AlertRecv = -1, -1
}

// handleFrom is handle for a connection that pre, when not nil, says the
// event-loop engine accepted and peeked at before handing it over. A held
// socket (faults.Held) keeps l after the handler ends; l nil: it is not
// counted.
func (s *Server) handleFrom(c net.Conn, w *worker, pre *accepted, l *lease) {
	// Socket deadlines run on the real clock; the injected one only stamps
	// the outcome.
	var id uint64
	var start, at time.Time
	remote, local := addrPort(c.RemoteAddr()), addrPort(c.LocalAddr())
	if pre != nil {
		id, start, at = pre.id, pre.start, pre.at
		if pre.remote.IsValid() {
			remote = pre.remote
		}
		if pre.local.IsValid() {
			local = pre.local
		}
		if pre.readErr != nil {
			c = &readFailed{Conn: c, err: pre.readErr}
		}
	} else {
		id, start, at = s.deps.NextID(), s.deps.Now(), time.Now()
	}
	o := s.newOutcome(remote, local, id, start)
	cc := &connCtx{bufs: &w.bufs}
	if pre != nil && pre.fx != nil {
		cc.fx = *pre.fx
	}
	if l != nil {
		cc.fx.deps.Hold = l.hold
	}
	defer func() {
		recordFaults(o, &cc.fx)
		cc.closeCapture()
		if o.Transparent != "" && o.Backend.Local.IsValid() {
			s.ownDials.Delete(o.Backend.Local)
		}
		o.Duration = s.deps.Now().Sub(start)
		s.markCut(o)
		s.notePeerSkew(o)
		d := explain.DiagnoseBrief(o)
		s.log(o, &d)
	}()

	cc.start = at
	deadline := cc.start.Add(s.opts.PeekTimeout)
	c = s.startCapture(c, o, cc)
	if s.opts.Transparent != "" && !s.learnDestination(c, o) {
		abort(c)
		return
	}
	c, ok := s.planAccept(c, o, &cc.fx)
	if !ok {
		return
	}
	p := &peeked{}
	if pre != nil && len(pre.buf) > 0 {
		p.buf, p.reads = pre.buf, 1
	}
	classify(c, p, s.opts.PeekMax, deadline, s.settled)
	if !s.handleProxyIn(c, o, p, deadline) {
		abort(c)
		return
	}
	if s.isConnect(p) {
		// An explicit proxy's CONNECT: what follows its 200 is the
		// connection's real first flight.
		if deadline, ok = s.openTunnel(c, o, p, cc, deadline); !ok {
			return
		}
	}
	o.PeekEnd = p.end
	o.Kind = p.kind
	if p.kind == sniff.TLSHandshake || p.kind == sniff.TLSOther && sniff.HelloMayFollow(p.buf) {
		// A warning alert first is a record crypto/tls drops before the
		// hello, and so does sniff: the hello after it is what the
		// client offers, for routing and fault rules as for the log.
		if hd := cc.start.Add(s.opts.HandshakeTimeout); s.terminates() && s.opts.HandshakeTimeout > 0 && hd.Before(deadline) {
			// Once the bytes are a handshake, BIG-IP's client-ssl
			// handshake timeout bounds the rest of the hello too.
			deadline, o.HelloTimeout = hd, s.opts.HandshakeTimeout
		}
		// Without termination no handshake timeout applies, by design: a
		// hello still short at the peek deadline is relayed as it is and
		// the relay runs until the backend, the client or idle_timeout
		// ends it. A BIG-IP virtual server without a client-ssl profile
		// has no handshake timeout either (its TCP idle timeout governs),
		// HAProxy forwards at tcp-request inspect-delay, and ending the
		// connection here would refuse a slow client the backend might
		// still serve. The diagnosis tells that story (explain's
		// relayed stall), with the connection's real end and length.
		hello, err := readHello(c, p, s.opts.PeekMax, deadline)
		o.PeekEnd = p.end
		if err != nil {
			o.HelloErr = err.Error()
			o.HelloTooLarge = errors.Is(err, sniff.ErrTooLarge)
		} else {
			o.Hello = hello
			_, o.JA3 = sniff.JA3(hello)
			o.JA4 = sniff.JA4(hello)
			// A TLS handshake as crypto/tls reads it; the dropped
			// alerts stay in the first bytes and in Hello.Skipped.
			p.kind, o.Kind = sniff.TLSHandshake, sniff.TLSHandshake
		}
	} else if p.kind == sniff.SSLv2Hello {
		if hd := cc.start.Add(s.opts.HandshakeTimeout); s.terminates() && s.opts.HandshakeTimeout > 0 && hd.Before(deadline) {
			deadline, o.HelloTimeout = hd, s.opts.HandshakeTimeout // as for a TLS hello, above
		}
		h, err := readSSLv2Hello(c, p, s.opts.PeekMax, deadline)
		o.PeekEnd = p.end
		if err == nil {
			o.SSLv2 = h
		} else {
			o.HelloErr = err.Error()
			o.HelloTooLarge = errors.Is(err, sniff.ErrTooLarge)
		}
	} else if p.kind == sniff.HTTP1 && (s.plainMode() || s.expectsTLS() && !s.nonSSLNeedsRequest()) {
		// reset, allow and a plaintext or auto listener's relay need no
		// request line (see settled): the request is evidence only,
		// taken from what has come, and from what the relay reads after
		// it (nameLater) when its Host has not come yet.
		o.HTTP, _ = sniff.ParseHTTPRequest(p.buf)
	} else if p.kind == sniff.HTTP1 {
		o.HTTP = readHTTP(c, p, s.opts.PeekMax, deadline)
		o.PeekEnd = p.end // a client that left mid-request is not "ok"
	}
	keepFirst(o, p.buf)
	_ = c.SetReadDeadline(time.Time{})
	c, naming := s.nameLater(c, p)
	// Recorded before the plan acts: a fault that refuses the hello
	// stands in for the handshake route would have run.
	ch := s.choose(o)
	o.Terminated = ch.terminates()
	if c, ok = s.planHello(c, o, p, &cc.fx, ch); !ok {
		return
	}
	s.route(c, o, p, cc, ch)
	naming.name(o)
}

// handleProxyIn enforces the listener's PROXY protocol policy. It consumes a
// valid header from p.buf and re-classifies what follows it. It returns false
// when the connection must end (the outcome says why).
func (s *Server) handleProxyIn(c net.Conn, o *explain.Outcome, p *peeked, deadline time.Time) bool {
	isHdr := p.kind == sniff.ProxyV1 || p.kind == sniff.ProxyV2
	policy := proxyPolicy(s.opts.ProxyProtocol)
	if !isHdr {
		refuse := func(route, why string) bool {
			o.Route, o.Proxy.Err = route, why
			keepFirst(o, p.buf)
			o.Kind, o.PeekEnd = p.kind, p.end
			return false
		}
		if p.end != explain.PeerSpoke && s.unfinishedHeader(p.buf) {
			// "PRO", then FIN or the deadline: a header begun and never
			// finished, which must not be relayed as the client's data.
			return refuse("proxy_malformed", proxyIncomplete(p.end, len(p.buf), s.opts.PeekMax))
		}
		// A required header that did not come is refused whatever came
		// instead: bytes that cannot begin one, even when the client
		// stopped after them, and silence too. A relayed silent client
		// would reach the backend without the client address the header
		// carries, and with backend_proxy_protocol set, under a header
		// made up from the socket's peer: the load balancer's address.
		if policy == proxyproto.REQUIRE {
			return refuse("proxy_missing", s.missingHeader(p))
		}
		return true
	}
	o.Kind = p.kind
	if policy == proxyproto.REJECT {
		o.Route = "proxy_unexpected"
		o.Proxy.Err = "a PROXY header arrived on a listener with proxy_protocol unset"
		keepFirst(o, p.buf)
		o.PeekEnd = p.end
		return false
	}
	h, n, err := s.readProxyHeader(c, p, p.kind, deadline)
	fail := func(msg string) bool {
		o.Route = "proxy_malformed"
		o.Proxy.Err = msg
		keepFirst(o, p.buf)
		o.PeekEnd = p.end
		return false
	}
	if err != nil {
		return fail(err.Error())
	}
	wantV := map[string]byte{"v1": 1, "v2": 2}[s.opts.ProxyProtocol]
	if wantV != 0 && h.Version != wantV {
		return fail("expected a PROXY " + s.opts.ProxyProtocol + " header, got version " + strconv.Itoa(int(h.Version)))
	}
	applyProxy(o, h)
	// What follows the header is the real first flight: classify it afresh.
	rest := append([]byte(nil), p.buf[n:]...)
	*p = peeked{buf: rest}
	classify(c, p, s.opts.PeekMax, deadline, s.settled)
	if v := secondHeader(p); v != 0 {
		s.refuseSecond(c, o, p, h, v, deadline)
		return false
	}
	return true
}

// missingHeader says what came instead of a required PROXY header: the
// kind of the first bytes, or how the client stopped without sending any.
func (s *Server) missingHeader(p *peeked) string {
	got := p.kind.String()
	if len(p.buf) == 0 {
		switch p.end {
		case explain.PeerSilent:
			got = "nothing within the peek timeout of " + s.opts.PeekTimeout.String()
		case explain.PeerClosed:
			got = "nothing before the client closed the connection"
		case explain.PeerReset:
			got = "nothing before the client reset the connection"
		}
	}
	return "expected a PROXY " + s.opts.ProxyProtocol + " header, got " + got
}

// unfinishedHeader says b, after which the client stopped, may begin a
// header the listener's policy accepts. With "optional" the bytes may as
// well be plaintext: "P" to "PRO" begin POST, PROPFIND and the HTTP/2
// preface too, and "\r\n\r\n" blank lines, so only "PROX" and the first
// five bytes of the v2 signature count there.
func (s *Server) unfinishedHeader(b []byte) bool {
	v1, v2 := sniff.ProxyPrefix(b)
	switch s.opts.ProxyProtocol {
	case "v1":
		return v1
	case "v2":
		return v2
	case "optional":
		return v1 && len(b) >= len("PROX") || v2 && len(b) >= len("\r\n\r\n\x00")
	}
	return false
}

// proxyIncomplete says why a PROXY header never ended: the peek cap (only
// when it is set below the 16+MaxV2HeaderSize bytes of the largest v2
// header go-proxyproto takes; proxyHeaderLen refuses longer ones from
// their length field), the deadline, or the client leaving.
func proxyIncomplete(end explain.PeerEnd, have, limit int) string {
	why := "when the client stopped sending"
	switch {
	case have >= limit:
		why = "within the peek cap of " + strconv.Itoa(limit) + " bytes (a larger v2 header is not accepted)"
	case end == explain.PeerSilent || end == explain.PeerPartial:
		why = "when the peek deadline passed"
	case end == explain.PeerClosed:
		why = "when the client closed the connection"
	case end == explain.PeerReset:
		why = "when the client reset the connection"
	}
	return "PROXY header incomplete " + why + " (" + strconv.Itoa(have) + " bytes)"
}

// abort closes with RST (SO_LINGER 0), as BIG-IP does for refused flows,
// through any fault wrapper or TLS layer in front of the socket.
func abort(c net.Conn) {
	_ = faults.Reset(c)
}

// addrPort converts a socket address for the Outcome; unknown types give the
// zero value rather than an error, since they only feed the log.
func addrPort(a net.Addr) netip.AddrPort {
	switch v := a.(type) {
	case *net.TCPAddr:
		ap := v.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	case nil:
		return netip.AddrPort{}
	default:
		ap, _ := netip.ParseAddrPort(a.String())
		return ap
	}
}

// learnDestination finds where a transparently intercepted client was
// really going. It refuses the two classic set-up faults: no original
// destination (the NAT happened on another box, or no rule redirected this
// flow) and a destination that is tlsgate itself (a loop).
func (s *Server) learnDestination(c net.Conn, o *explain.Outcome) bool {
	o.Transparent = s.opts.Transparent
	// The listening socket's address as bound, for the doctor hint.
	s.mu.Lock()
	if s.ln != nil {
		o.ListenerBind = ShownAddr(s.opts.Listen, s.ln.Addr()).String()
	}
	s.mu.Unlock()
	dst, err := s.deps.OriginalDst(c, s.opts.Transparent)
	if err != nil {
		o.Route = "no_original_dst"
		o.OrigDstErr = err.Error()
		return false
	}
	o.OrigDst = dst
	_, ownDial := s.ownDials.Load(o.Peer)
	if ownDial || dst == o.Virtual && s.opts.Transparent == TransparentRedirect || s.isOwnListener(dst) {
		// ownDial: an interception rule caught tlsgate's own upstream
		// connection (an OUTPUT-chain REDIRECT without an owner match).
		o.Route = "transparent_loop"
		return false
	}
	return true
}

// isOwnListener says dst is this listener's own address: a client that
// dialled tlsgate directly, which a transparent listener would relay to
// itself forever. A wildcard listener's port alone does not say so: a
// tproxy listener on 0.0.0.0:443 intercepting flows to other hosts' port
// 443 sees that port on every connection, and only a destination that is
// this host's (loopback, or one of Deps.LocalIPs) is a loop.
func (s *Server) isOwnListener(dst netip.AddrPort) bool {
	ap, err := netip.ParseAddrPort(s.opts.Listen)
	if err != nil {
		return false
	}
	return transparent.IsSelf(dst, []netip.AddrPort{ap}, s.deps.LocalIPs)
}

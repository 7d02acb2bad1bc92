package listener

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// inspect decrypts both legs: it first completes TLS to the real server
// (so the leaf it mints can copy the server's names and ALPN), then
// terminates the client with a lab-CA leaf, and relays between the two.
func (s *Server) inspect(c net.Conn, o *explain.Outcome, p *peeked, cc *connCtx) {
	dest := s.backendAddr(o)
	if reason := s.bypassReason(o); reason != "" {
		o.Route, o.Bypass = "bypass", reason
		s.relay(c, o, p.buf, dest, cc)
		return
	}
	if o.SNIRequired && o.Hello.ServerName == "" {
		// The client-ssl profile applies to what is decrypted, not to a
		// bypass, and refuses before the real server is dialled.
		leg := &o.ClientTLS
		leg.Attempted = true
		leg.Local, leg.Remote = addrPort(c.LocalAddr()), addrPort(c.RemoteAddr())
		leg.MinVersion, leg.MaxVersion, leg.OurCiphers = s.clientTLS.MinVersion, s.clientTLS.MaxVersion, s.clientTLS.CipherSuites
		refuseNoSNI(c, o, false)
		return
	}
	o.Route = "inspect"
	sni := o.Hello.ServerName
	d := s.dialer(cc)
	ucfg := s.upstreamConfig(sni, dest, &o.Backend.TLS)
	// Offer the server what the client offered, so the server's choice
	// can be handed back to the client unchanged.
	ucfg.NextProtos = append([]string(nil), o.Hello.ALPN...)
	// Offer the server the key-exchange groups the client offered (those Go
	// knows), so the server leg is not costlier than the client asked for:
	// a classic client does not pay for a post-quantum share upstream.
	ucfg.CurvePreferences = clientGroups(o.Hello.SupportedGroups)
	s.skewUpstream(ucfg, d, &cc.fx)
	ucfg = downgradeALPN(ucfg, &cc.fx)
	d.TLS = ucfg
	o.Backend.TLS.Attempted, o.Backend.TLS.ServerName = true, ucfg.ServerName
	// The leg's ServerName is replaced by the SNI actually sent once the
	// handshake is done ("" for an IP); the name verified stays this one.
	o.Backend.TLS.VerifyName = ucfg.ServerName
	o.Backend.TLS.ALPNOffered = ucfg.NextProtos
	o.Backend.TLS.MinVersion, o.Backend.TLS.MaxVersion = ucfg.MinVersion, ucfg.MaxVersion
	ustart := time.Now()
	bc, ok := s.dialBackend(c, o, dest, d, nil)
	o.Backend.TLS.Duration = time.Since(ustart)
	if !ok {
		upstreamSkewed(o, &cc.fx)
		return
	}
	uc := bc.(*tls.Conn)
	ust := uc.ConnectionState()
	recordUpstreamLeg(o, uc, ust, ucfg.InsecureSkipVerify)

	leaf, err := s.inspectLeaf(o, ust)
	if err != nil {
		o.ClientTLS.Attempted = true
		o.ClientTLS.Err = err.Error()
		_ = uc.Close()
		abort(c)
		return
	}
	cfg := s.clientTLS.Clone()
	cfg.GetCertificate = nil
	cfg.Certificates = []tls.Certificate{*leaf}
	cfg.NextProtos = nil
	if ust.NegotiatedProtocol != "" {
		// Offer the client exactly what the server chose, so h2 stays h2
		// end to end and the two legs cannot disagree.
		cfg.NextProtos = []string{ust.NegotiatedProtocol}
	}
	o.ClientTLS.OurKey = servedKeyType(cfg)
	cfg = downgradeALPN(s.policyConfig(cfg, o, &cc.fx), &cc.fx)
	tc, ok := s.clientHandshake(c, o, p, cfg, cc.start, cc.fx.auth)
	if !ok {
		alpnRefused(o, &cc.fx)
		_ = uc.Close()
		return
	}
	client, ok := s.afterHandshake(tc, o, &cc.fx)
	if !ok {
		_ = uc.Close()
		return
	}
	if cc.fx.plan.Abort() != nil {
		// The rule answers the requests itself, as a proxy in front of
		// the server would: the server leg carries none.
		_ = uc.Close()
		s.serveAbort(client, o, cc.fx.plan)
		return
	}
	s.relayDecrypted(client, uc, o, cc)
}

// recordUpstreamLeg fills the server leg facts after a good handshake.
func recordUpstreamLeg(o *explain.Outcome, uc *tls.Conn, st tls.ConnectionState, insecure bool) {
	b := &o.Backend.TLS
	recordLeg(b, st, false)
	b.Local, b.Remote = addrPort(uc.LocalAddr()), addrPort(uc.RemoteAddr())
	b.VerifySkipped = insecure
}

// inspectLeaf mints the certificate shown to the client: a copy of the real
// server's names when MimicUpstream is set, else the SNI or the IP.
func (s *Server) inspectLeaf(o *explain.Outcome, st tls.ConnectionState) (*tls.Certificate, error) {
	if s.deps.Minter == nil {
		return nil, errors.New("listener: inspect mode needs the lab CA to mint leaves")
	}
	name := o.Hello.ServerName
	if name == "" {
		name = o.OrigDst.Addr().String()
		if !o.OrigDst.IsValid() {
			name = o.Virtual.Addr().String()
		}
	}
	o.LeafName = name
	if s.opts.MimicUpstream && len(st.PeerCertificates) > 0 {
		o.Mimicked = true
		return s.deps.Minter.Mimic(name, st.PeerCertificates[0])
	}
	return s.deps.Minter.Leaf(name)
}

// clientHandshake runs the client-side handshake with cfg and records the
// leg. On failure it resets the client and returns false. auth is the
// connection's client_auth rule at work, nil without one.
func (s *Server) clientHandshake(c net.Conn, o *explain.Outcome, p *peeked, cfg *tls.Config, realStart time.Time, auth *faults.ClientAuthRun) (*tls.Conn, bool) {
	leg := &o.ClientTLS
	leg.Attempted = true
	leg.Local, leg.Remote = addrPort(c.LocalAddr()), addrPort(c.RemoteAddr())
	leg.MinVersion, leg.MaxVersion = cfg.MinVersion, cfg.MaxVersion
	leg.OurCiphers = cfg.CipherSuites
	rc := &recordingConn{Conn: c, replay: p.buf, recording: true, auth: auth}
	tc := tls.Server(rc, cfg)
	ctx, cancel := context.WithDeadline(context.Background(), realStart.Add(s.opts.HandshakeTimeout))
	start := time.Now()
	err := tc.HandshakeContext(ctx)
	cancel()
	leg.Duration = time.Since(start)
	rc.recording = false
	if err != nil {
		recordHandshakeErr(leg, err, rc)
		noteClientAuthAlert(leg, auth)
		o.FailStreak = s.streaks.fail(o)
		closeAfterHandshakeError(c, leg)
		return nil, false
	}
	s.streaks.ok(o)
	recordLeg(leg, tc.ConnectionState(), true)
	return tc, true
}

// inspectUnread serves TLS on an inspect listener whose first bytes
// tlsgate's parser did not read as a ClientHello: one beyond its cap, an
// SSLv2 hello, a stray record. An address bypass holds without a hello, so
// it splices them untouched as it does a parsed one; the rest go to
// crypto/tls (terminate), which answers them with a lab-CA leaf and, for
// an SNI bypass, reads the SNI the parser could not (see readsHello).
func (s *Server) inspectUnread(c net.Conn, o *explain.Outcome, p *peeked, cc *connCtx) {
	if why := s.addressBypass(o); why != "" {
		o.Route, o.Bypass = "bypass", why
		s.relay(c, o, p.first(), s.backendAddr(o), cc)
		return
	}
	o.Route = "terminate"
	s.terminate(c, o, p, cc)
}

// clientGroups keeps the groups crypto/tls implements, in the client's
// order; nil (Go's defaults) when none is left.
func clientGroups(offered []uint16) []tls.CurveID {
	var out []tls.CurveID
	for _, g := range offered {
		switch id := tls.CurveID(g); id {
		case tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521:
			out = append(out, id)
		}
	}
	return out
}

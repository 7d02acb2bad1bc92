package listener

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/pki"
	"github.com/tlsgate/tlsgate/sniff"
	"github.com/tlsgate/tlsgate/upstream"
)

// connFaults is one connection's fault plan. The plan is decided twice at
// fixed points (at accept without the hello, after the peek with it) and
// never changes after that, so runtime rule edits only reach new
// connections.
type connFaults struct {
	engine *faults.Engine // nil: no fault engine at all (the cheap path)
	plan   *faults.Plan
	ci     faults.ConnInfo
	deps   faults.WrapDeps
	// late is the client conn carrying request, response and idle
	// wrappers, nil without any; early the one carrying client_hello and
	// server_flight wrappers. A trigger there (a reset, close, alert or
	// plaintext reply) fires mid-stream, and a rewrite rule fires only when
	// it acts, so recordFaults asks them afterwards what happened.
	late, early net.Conn
	// accept carries the accept stage's wrappers, nil without any: an MTU
	// rule there fires only if it stalled, which Settle asks it too.
	accept net.Conn
	// acceptPlanned and helloPlanned: the event-loop engine already
	// evaluated that stage's rules (each evaluation counts toward
	// max_fires and draws, so it must happen once).
	acceptPlanned, helloPlanned bool
	// reached: afterHandshake ran, so the stages after a decrypted
	// handshake began. A decrypted connection that ended before them
	// (a failed handshake, an unreachable backend) keeps none of their
	// rules as fired (faults.Plan.Unreached).
	reached bool
	// stopped is the rule whose stop applyStop carried out, nil when none
	// did: it acted at its own stage, or at stoppedAt when that is set.
	stopped   *faults.Rule
	stoppedAt faults.Stage
	// auth enforces a client_auth rule on the handshake, nil without one:
	// the client conn passes crypto/tls's writes through it so a refusal
	// carries the rule's alert (see terminate).
	auth *faults.ClientAuthRun
}

// computeAccept evaluates the accept-stage rules into fx.
func (s *Server) computeAccept(client netip.AddrPort, fx *connFaults) {
	fx.engine = s.deps.Faults
	fx.acceptPlanned = true
	if fx.engine == nil {
		return
	}
	idx := s.connIndex.Add(1)
	fx.ci = faults.ConnInfo{Listener: s.opts.Name, Client: client, Index: idx}
	fx.deps.Index = idx // Hold, set by the handler, stays
	// The effects read the listener's injected clock (an http_date rule
	// dates a response with it), not the wall clock.
	fx.deps.Now = s.deps.Now
	if fx.engine.Empty() {
		// Nothing to plan (most listeners, most of the time): PlanAccept
		// would answer nil after copying fx.ci to the heap, which the
		// plan it returns may keep.
		return
	}
	fx.plan = fx.engine.PlanAccept(fx.ci)
}

// computeHello evaluates the later stages' rules once the first bytes are
// known, merging them into fx.plan.
func (s *Server) computeHello(o *explain.Outcome, segments int, fx *connFaults, ch choice) {
	fx.helloPlanned = true
	if fx.engine == nil {
		return
	}
	fx.ci.Client = o.Client
	fx.ci.Hello, fx.ci.JA3, fx.ci.JA4 = o.Hello, o.JA3, o.JA4
	if o.Hello != nil {
		fx.deps.ServerName = o.Hello.ServerName // a Host check compares requests with it
	}
	fx.ci.HelloSegments = segments
	fx.ci.Plain = !explain.BeganTLS(o)
	fx.ci.Decrypted = s.decrypts(o)
	fx.ci.VerifiesUpstream = fx.ci.Decrypted && s.opts.VerifiesUpstream()
	fx.ci.ListenerEnds = s.endsAtFirstBytes(ch)
	fx.ci.ClientLeft = len(o.FirstBytes) == 0 && (o.PeekEnd == explain.PeerClosed || o.PeekEnd == explain.PeerReset)
	if fx.engine.Empty() {
		return // as in computeAccept; merging nil changes nothing
	}
	fx.plan = fx.plan.Merge(fx.engine.Plan(fx.ci))
}

// decrypts says whether this listener will terminate the connection's
// TLS, as route decides once the first bytes are known: TLS on a
// terminating listener, unless inspect mode's bypass splices it.
func (s *Server) decrypts(o *explain.Outcome) bool {
	return o.Kind.IsTLS() && s.terminates() && (s.opts.Mode != Inspect || s.bypassReason(o) == "")
}

// bypassPlan narrows the plan of a connection planned as decrypted whose
// route became bypass (an SNI glob matched on a hello only crypto/tls
// read): the rules that need tlsgate's handshake or the decrypted stream
// never act on bytes relayed untouched, so they must not be logged or
// counted as fired. The request, response and idle stages' wrappers that
// remain go on the client's raw conn, as on TLS passed through (planHello
// put only the early stages' there). It returns the conn to relay over.
func bypassPlan(c net.Conn, fx *connFaults) net.Conn {
	if fx.engine == nil || fx.plan.Empty() {
		return c
	}
	fx.ci.Decrypted, fx.ci.VerifiesUpstream = false, false
	fx.auth = nil
	fx.plan = fx.plan.Narrow(fx.ci)
	fx.deps.RawTLS = true
	if ws := fx.plan.Wrappers(faults.StageRequest, faults.StageResponse, faults.StageIdle); len(ws) > 0 {
		c = faults.Wrap(c, ws, faults.FacingClient, fx.deps)
		fx.late = c
	}
	return c
}

// planAccept evaluates accept-stage rules before anything is read. It
// returns the (possibly wrapped) conn and false when a fault ended it.
func (s *Server) planAccept(c net.Conn, o *explain.Outcome, fx *connFaults) (net.Conn, bool) {
	if !fx.acceptPlanned {
		s.computeAccept(o.Client, fx)
	}
	if fx.engine == nil || fx.plan.Empty() {
		return c, true
	}
	if ws := fx.plan.Wrappers(faults.StageAccept); len(ws) > 0 {
		c = faults.Wrap(c, ws, faults.FacingClient, fx.deps)
		fx.accept = c
	}
	if r := fx.plan.Stop(faults.StageAccept); r != nil {
		s.applyStop(c, o, r, nil, fx)
		return c, false
	}
	return c, true
}

// planHello evaluates the remaining rules once the ClientHello (or first
// bytes) are known, installs their wrappers, and carries out a stop at
// client_hello. It returns false when a fault ended the connection.
func (s *Server) planHello(c net.Conn, o *explain.Outcome, p *peeked, fx *connFaults, ch choice) (net.Conn, bool) {
	if fx.engine == nil {
		return c, true
	}
	if !fx.helloPlanned {
		s.computeHello(o, p.reads, fx, ch)
	}
	if fx.plan.Empty() {
		return c, true
	}
	stages := []faults.Stage{faults.StageClientHello, faults.StageServerFlight}
	later := []faults.Stage{faults.StageRequest, faults.StageResponse, faults.StageIdle}
	switch {
	case fx.ci.Plain && !fx.ci.Decrypted:
		// Plain HTTP: the peeked bytes are the request itself, so the
		// request stage's wrappers must see them, not only what follows
		// (a block page would let the request through, a reset at
		// request wait for a second one). The client_hello stage's act
		// after them, as on TLS.
		if ws := fx.plan.Wrappers(stages...); len(ws) > 0 {
			c = faults.Wrap(c, ws, faults.FacingClient, fx.deps)
			fx.early = c
		}
		if ws := fx.plan.Wrappers(later...); len(ws) > 0 {
			c = faults.Wrap(&replayConn{Conn: c, first: p.buf}, ws, faults.FacingClient, fx.deps)
			fx.late, p.replayed = c, true
		}
	case !fx.ci.Decrypted:
		// TLS passed through: the client-facing socket carries every
		// later stage too, after the hello, in records tlsgate does not
		// decrypt.
		stages = append(stages, later...)
		fx.deps.RawTLS = true
		fallthrough
	default:
		if ws := fx.plan.Wrappers(stages...); len(ws) > 0 {
			c = faults.Wrap(c, ws, faults.FacingClient, fx.deps)
			fx.early = c
			if !fx.ci.Decrypted {
				fx.late = c
			}
		}
	}
	if r := fx.plan.Stop(faults.StageClientHello); r != nil {
		s.applyStop(c, o, r, o.Hello, fx)
		return c, false
	}
	if pol := fx.plan.TLSPolicy(); !pol.IsZero() && o.Hello != nil {
		// A passthrough listener has no tls.Server to enforce a policy
		// with, so it answers as one would: a hand-written alert. A
		// terminating one lets crypto/tls enforce versions, suites and
		// groups, but crypto/tls has no knob for signature algorithms.
		refusal := pol.Refusal
		if fx.ci.Decrypted {
			refusal = pol.SigAlgRefusal
		}
		if alert, refused := refusal(o.Hello); refused {
			// The groups the policy allowed name a group refusal; a
			// cipher rule whose suites capped the version names a
			// version refusal.
			o.ClientTLS.OurGroups = curveCodes(pol.Groups)
			if alert == 70 {
				o.ClientTLS.CeilingCipherRule, o.ClientTLS.CeilingCiphers = pol.CipherCapRule, pol.CipherCapSuites
			}
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			// In the record version the refusing server would use, not
			// always 0x0303: a TLS 1.0 client refused on its version
			// reads 0x0301, as from crypto/tls.
			_, _ = c.Write(faults.AlertRecord(faults.AlertLevel(alert), alert, pol.RefusalRecordVersion(o.Hello)))
			o.ClientTLS.AlertSent = int(alert)
			o.FaultApplied, o.Route = "tls_policy", "fault_tls_policy"
			fx.plan.LimitedHandshake()
			_ = c.Close()
			return c, false
		}
	}
	return c, true
}

// afterHandshake installs the wrappers of the stages that follow a
// completed client handshake and carries out a handshake_done stop.
func (s *Server) afterHandshake(tc net.Conn, o *explain.Outcome, fx *connFaults) (net.Conn, bool) {
	fx.reached = true
	if fx.plan.Empty() {
		return tc, true
	}
	if ws := fx.plan.Wrappers(faults.StageHandshakeDone, faults.StageRequest, faults.StageResponse, faults.StageIdle); len(ws) > 0 {
		tc = faults.Wrap(tc, ws, faults.FacingClient, fx.deps)
		fx.late = tc
	}
	if r := fx.plan.Stop(faults.StageHandshakeDone); r != nil {
		target := tc
		if r.Action == faults.ActAlert {
			// An injected alert goes beneath the TLS session, in the clear,
			// as a middlebox sends it: it cannot encrypt one.
			if nc, ok := tc.(interface{ NetConn() net.Conn }); ok {
				target = nc.NetConn()
			}
			if r.RecordVersion == 0 {
				// After the handshake every record says 0x0303; the 1.0
				// record version of a first-flight alert would be
				// rejected before the alert is even read.
				late := *r
				late.RecordVersion = faults.Version(tls.VersionTLS12)
				r = &late
			}
		}
		s.applyStop(target, o, r, o.Hello, fx)
		_ = tc.Close()
		return tc, false
	}
	return tc, true
}

// applyStop carries out a fault that ends the connection and records it.
func (s *Server) applyStop(c net.Conn, o *explain.Outcome, r *faults.Rule, hello *sniff.ClientHello, fx *connFaults) {
	fx.stopped = r
	o.FaultApplied = string(r.Action)
	o.Route = "fault_" + string(r.Action)
	// A hold lasts until the client gives up; the idle timeout bounds it
	// for clients that never do.
	bound := s.opts.IdleTimeout
	if bound <= 0 {
		bound = DefaultIdleTimeout
	}
	_ = c.SetDeadline(time.Now().Add(bound))
	applied, err := faults.Apply(c, r, hello, fx.deps)
	if _, desc, ok := sniff.ParseAlert(applied.ClientReply); ok {
		o.ClientTLS.AlertRecv = int(desc)
	}
	if r.Action == faults.ActAlert || r.Action == faults.ActSNIPolicy || r.Action == faults.ActALPNRefuse {
		o.ClientTLS.AlertSent = int(r.AlertCode())
	}
	if err != nil && o.ClientTLS.Err == "" {
		o.ClientTLS.Err = err.Error()
	}
	_ = c.Close()
}

// recordFaults copies the plan's firings into the outcome for the log,
// once the connection ended. A rule that fires only when it acts (a
// rewrite, an MTU stall, a record_corrupt) is listed only if it did, which
// the plan settles against the conns that carry the wrappers; a chain or
// ocsp_times rule only if its certificate went out in the server flight
// (recordingConn.certChosen marked it). A wrapper rule that ended the
// connection mid-stream (a reset, a close, an alert or a plaintext reply
// at server_flight, request or response, an alert at idle) did what a
// stop does, so it is recorded as
// one: the diagnosis then names the rule instead of calling the connection
// normal, or blaming the client or the handshake for the cut. So is a byte
// wrapper that cut or stalled the stream (a truncate, limit_data, timeout,
// one-way blackhole, expired idle_timeout, or an MTU stall that never
// recovered), except where tlsgate's own handshake with the client failed:
// there the handshake's diagnosis already names the rule that damaged its
// flight (flight_cut, flight_stalled, flight_mtu).
//
// The rule that ended, cut or stalled the connection is recorded with
// where it acted (FaultFiring.Acted), and its symptom worded for that
// place: the plan's was written before anyone knew whether an MTU stall
// would hit the certificate flight or the data after it.
func recordFaults(o *explain.Outcome, fx *connFaults) {
	if pass, ok := faults.HostPassed(fx.late); ok {
		o.HostChecked, o.HostCheckedName = pass.Rule, pass.Host
	}
	if fx.ci.Decrypted && !fx.reached {
		// Its handshake failed, or its backend was never reached: no
		// rule of a later stage met its stage.
		fx.plan = fx.plan.Unreached()
	}
	if fx.ci.ClientLeft {
		// The client closed before its first byte: the accept stage's
		// wrappers had nothing to act on.
		fx.plan = fx.plan.Left(fx.accept)
	}
	plan := fx.plan.Settle(fx.late, fx.early, fx.accept)
	if plan.Empty() {
		return
	}
	acted := fx.stopped
	in, ended := faults.Ended(fx.late)
	if !ended {
		in, ended = faults.Ended(fx.early)
	}
	if acted == nil && ended {
		acted = in.Rule
	}
	if o.FaultApplied == "" && ended && !(in.Cut && o.ClientTLS.Attempted && !o.ClientTLS.Done) {
		o.FaultApplied = string(in.Rule.Action)
		o.Route = "fault_" + string(in.Rule.Action)
		if in.Rule.Action == faults.ActAlert {
			o.ClientTLS.AlertSent = int(in.Alert)
		}
	}
	o.Faults = plan.Names()
	for _, f := range plan.Firings() {
		fr := explain.FaultFiring{
			Rule: f.Rule, Action: f.Action, Stage: f.Stage, Direction: f.Direction, Draw: f.Draw, Probability: f.Probability, Symptom: f.Symptom,
			Chain: f.Chain, Skew: f.Skew.D(), Then: f.Then, AcceptCAs: f.AcceptCAs, RejectWith: f.RejectWith,
			IntolerantAbove: f.IntolerantAbove, PermittedDNS: f.PermittedDNS,
		}
		if f.Action == string(faults.ActHTTPDate) {
			// Said from what it did: shifted the origin's Date, replaced
			// one that did not parse, or added one.
			if e, ok := faults.DateEdited(fx.late, f.Rule); ok {
				fr.DateEdit, fr.OriginDate, fr.Symptom = string(e.How), e.Origin, e.Symptom()
			} else if e, ok := faults.DateEdited(fx.early, f.Rule); ok {
				fr.DateEdit, fr.OriginDate, fr.Symptom = string(e.How), e.Origin, e.Symptom()
			}
		}
		if acted != nil && acted.Name == f.Rule {
			where, known := actedStage(o, acted, fx)
			if ended && in.Rule == acted && in.At != "" {
				// A flipped record says itself whose data it was.
				where, known = in.At, true
			}
			fr.Acted = string(where)
			if f.Action == string(faults.ActConnectPolicy) {
				where, fr.Acted = faults.Stage(f.Stage), f.Stage // the CONNECT, as the firing says
			}
			if known {
				fr.Symptom = actedSymptom(o, fx, acted, where)
			}
		}
		o.FaultFirings = append(o.FaultFirings, fr)
	}
}

// actedSymptom words what the client of rule r, which acted at where,
// shows. A stop at accept on an auto listener came before a byte said
// whether its client speaks TLS or plain HTTP, and the listener takes
// both: the symptom names each where they differ.
func actedSymptom(o *explain.Outcome, fx *connFaults, r *faults.Rule, where faults.Stage) string {
	tlsSaw := faults.ActedSymptom(r, where, plainClient(o, fx, where))
	if where != faults.StageAccept || o.Mode != string(Auto) {
		return tlsSaw
	}
	if plainSaw := faults.ActedSymptom(r, where, true); plainSaw != tlsSaw {
		return "a TLS client (https://): " + tlsSaw + "; a plain HTTP client (http://): " + plainSaw
	}
	return tlsSaw
}

// plainClient says the client of a rule that acted at where spoke
// plaintext. Its first bytes say so; a stop at accept came before any, and
// then a plaintext listener's client is taken to speak what the listener
// serves (curl http://), not to be waiting for a ServerHello.
func plainClient(o *explain.Outcome, fx *connFaults, where faults.Stage) bool {
	if where == faults.StageAccept {
		return o.Mode == string(Plaintext)
	}
	return fx.ci.Plain && !fx.ci.Decrypted
}

// actedStage is the stage whose traffic rule r changed when it ended, cut
// or stalled the connection. A stop, and a wrapper of a later stage, acted
// at its own. A wrapper of an early stage sits beneath the whole stream:
// on TLS that tlsgate terminates, it acted in the handshake unless the
// handshake completed, when it bit the data after it; on plaintext there
// was no handshake, so it bit the request or the response. known is false
// where tlsgate cannot tell (TLS it passes through, whose handshake end it
// does not see): the stage is then the rule's, and its planned symptom,
// which names both places, stands.
func actedStage(o *explain.Outcome, r *faults.Rule, fx *connFaults) (faults.Stage, bool) {
	early := r.Stage == faults.StageAccept || r.Stage == faults.StageClientHello || r.Stage == faults.StageServerFlight
	data := faults.StageResponse
	if r.Direction == faults.C2S {
		data = faults.StageRequest
	}
	switch {
	case r == fx.stopped && fx.stoppedAt != "":
		return fx.stoppedAt, true
	case r == fx.stopped || !early:
		return r.Stage, true
	case fx.ci.Plain && !fx.ci.Decrypted:
		return data, true
	case !fx.ci.Decrypted:
		return r.Stage, false
	case o.ClientTLS.Done:
		return data, true
	}
	return r.Stage, true
}

// policyConfig applies a plan's TLS policy (versions, suites, a bad chain)
// to a terminating listener's profile for this one connection.
func (s *Server) policyConfig(base *tls.Config, o *explain.Outcome, fx *connFaults) *tls.Config {
	pol := fx.plan.TLSPolicy()
	if pol.IsZero() && fx.plan.FixedAbort() == nil {
		return base
	}
	cfg := pol.Configure(base)
	// A rule's groups are what the client must share; the diagnosis of a
	// refused hello names them next to the client's. A rule's ceiling is
	// the max_version a client above it needs raised.
	o.ClientTLS.OurGroups = curveCodes(pol.Groups)
	o.ClientTLS.CeilingRule = pol.MaxVersionRule
	o.ClientTLS.CeilingCipherRule, o.ClientTLS.CeilingCiphers = pol.CipherCapRule, pol.CipherCapSuites
	if fx.plan.FixedAbort() != nil {
		// The rule answers the requests itself, h2 (gRPC) included,
		// whatever the backend speaks. (A rate limit decides after the
		// handshake, and answers over whatever ALPN it chose.)
		cfg.NextProtos = []string{"h2", "http/1.1"}
	}
	if pol.ClientAuth != nil {
		fx.auth = faults.NewClientAuthRun(*pol.ClientAuth, s.clientAuthPool(pol.ClientAuth), s.deps.Now)
		fx.auth.Configure(cfg)
	}
	if (pol.Chain != "" || pol.Skew != 0 || pol.OCSPSkew != 0) && s.deps.Minter != nil {
		kind := pki.ChainKind(pol.Chain)
		if kind == "" {
			kind = pki.ChainGood
		}
		fallback := o.Virtual.Addr()
		o.ClientTLS.OurKey = "" // the chain's kind decides the leaf's key
		// The rule's chain replaces the configured certificate; the
		// diagnosis says so, since the issuer changed with it.
		o.ClientTLS.ReplacedCertSubject = o.ClientTLS.OurCertSubject
		o.ClientTLS.OurCertSubject, o.ClientTLS.OurCertIssuer = "", ""
		o.ClientTLS.OurKeyDetail, o.ClientTLS.OurCertName = "", ""
		cfg.Certificates = nil
		cfg.GetCertificate = func(hi *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := hi.ServerName
			if name == "" {
				name = unmapped(fallback).String()
			}
			o.LeafName = name
			var cert *tls.Certificate
			var err error
			if pol.OCSPSkew != 0 {
				// A good leaf whose stapled OCSP response is not current.
				cert, err = s.deps.Minter.OCSPTimes(name, pol.OCSPSkew)
			} else {
				cert, err = s.deps.Minter.BadChainWith(kind, name, pki.ChainOpts{Skew: pol.Skew, PermittedDNS: pol.PermittedDNS})
			}
			if rc, ok := hi.Conn.(*recordingConn); ok && err == nil {
				// The rule acts once its certificate goes out (Settle).
				rc.certChosen = func() { fx.plan.ServedCert() }
			}
			return cert, err
		}
	}
	return cfg
}

func unmapped(a netip.Addr) netip.Addr { return a.Unmap() }

// skewUpstream sets the clock of the upstream leg's config cfg to
// tlsgate's own, shifted by a fired proxy_skew rule: the server's
// certificate is then verified at that time, as by a proxy whose clock is
// wrong. The session cache goes too: a resumed session skips
// verification, so a shift behind the clock would show on the first
// connection only.
//
// With Deps.SkewedDials it also records the leg's local address once
// connected, before its handshake, so a listener of this process it
// reaches can name the shifted clock when it gets the alert.
func (s *Server) skewUpstream(cfg *tls.Config, d *upstream.Dialer, fx *connFaults) {
	r, skew := fx.plan.UpstreamSkew()
	if r == nil {
		return
	}
	now := s.deps.Now
	cfg.Time = func() time.Time { return now().Add(skew) }
	cfg.ClientSessionCache = nil
	reg := s.deps.SkewedDials
	if reg == nil {
		return
	}
	dial := d.Dial
	if dial == nil {
		dial = upstream.DefaultDial() // keeps a backend's bytes before its reset, as on unskewed legs
	}
	peer := explain.PeerSkew{Listener: s.opts.Name, Rule: r.Name, Skew: skew}
	d.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err == nil {
			reg.Add(addrPort(c.LocalAddr()), peer, now())
		}
		return c, err
	}
}

// notePeerSkew marks a certificate alert whose client is one of this
// process's upstream legs under a shifted clock (Deps.SkewedDials).
func (s *Server) notePeerSkew(o *explain.Outcome) {
	if s.deps.SkewedDials == nil || o.ClientTLS.AlertRecv <= 0 {
		return
	}
	if p, ok := s.deps.SkewedDials.Lookup(o.Peer, s.deps.Now()); ok {
		o.PeerSkew = p
	}
}

// downgradeALPN returns cfg (a copy when it changes it) speaking only the
// protocol a fired alpn_downgrade rule keeps: offered to the server on the
// upstream leg, accepted from the client on the client leg. h2 is gone
// both ways, and a client that offers nothing else is refused by
// crypto/tls with alert 120, as by an HTTP/1.1-only proxy.
func downgradeALPN(cfg *tls.Config, fx *connFaults) *tls.Config {
	r, keep := fx.plan.ALPNDowngrade()
	if r == nil {
		return cfg
	}
	cfg = cfg.Clone()
	cfg.NextProtos = []string{keep}
	return cfg
}

// alpnRefused records an alpn_downgrade rule as what ended the
// connection when the client's handshake failed on it: crypto/tls sent
// alert 120 because the client offered only protocols the rule strips.
func alpnRefused(o *explain.Outcome, fx *connFaults) {
	r, _ := fx.plan.ALPNDowngrade()
	if r == nil || o.ClientTLS.AlertSent != 120 {
		return
	}
	fx.stopped = r
	o.FaultApplied, o.Route = string(r.Action), "fault_"+string(r.Action)
}

// upstreamSkewed records a proxy_skew rule as what ended the connection
// when the server's certificate failed verification on its dates, which
// the shifted clock did: the certificate itself may be fine. Any other
// verification failure is the server's, and is explained as such, with
// the rule beside it.
func upstreamSkewed(o *explain.Outcome, fx *connFaults) {
	r, _ := fx.plan.UpstreamSkew()
	if r == nil || !strings.Contains(o.Backend.TLS.Verify, "certificate has expired or is not yet valid") {
		return
	}
	fx.stopped, fx.stoppedAt = r, faults.StageClientHello
	if o.ClientTLS.Done {
		// server_ssl dials the server once the client's handshake is
		// done: the reset follows it.
		fx.stoppedAt = faults.StageHandshakeDone
	}
	o.FaultApplied, o.Route = string(r.Action), "fault_"+string(r.Action)
}

// curveCodes is ids as the code points an Outcome records, nil for none.
func curveCodes(ids []tls.CurveID) []uint16 {
	if len(ids) == 0 {
		return nil
	}
	out := make([]uint16, len(ids))
	for i, id := range ids {
		out[i] = uint16(id)
	}
	return out
}

// replayConn hands the peeked first bytes to Read before the socket's, so
// the fault wrapper above it sees them like any other; the relay then
// replays nothing itself (peeked.replayed).
type replayConn struct {
	net.Conn
	first []byte
}

func (r *replayConn) Read(b []byte) (int, error) {
	if len(r.first) > 0 {
		n := copy(b, r.first)
		r.first = r.first[n:]
		return n, nil
	}
	return r.Conn.Read(b)
}

// CloseWrite passes a half-close down (embedding net.Conn hides it).
func (r *replayConn) CloseWrite() error {
	if cw, ok := r.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return r.Conn.Close()
}

// NetConn exposes the conn beneath, so a reset reaches the socket and the
// listener finds the wrappers below.
func (r *replayConn) NetConn() net.Conn { return r.Conn }

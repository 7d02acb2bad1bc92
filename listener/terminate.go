package listener

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/pki"
	"github.com/tlsgate/tlsgate/sniff"
	"github.com/tlsgate/tlsgate/upstream"
)

// clientTLSConfig builds the client-ssl profile: versions, ciphers and either
// a fixed certificate or leaves minted per SNI by the lab CA.
func clientTLSConfig(o Options, minter *pki.Minter, keylog io.Writer) (*tls.Config, error) {
	cfg := &tls.Config{KeyLogWriter: keylog}
	cs := o.ClientSSL
	if cs == nil {
		cs = &ClientSSL{}
	}
	cfg.MinVersion, cfg.MaxVersion = cs.MinVersion, cs.MaxVersion
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if len(cs.Ciphers) > 0 {
		cfg.CipherSuites = cs.Ciphers
	}
	switch cs.ClientCert {
	case ClientCertRequest:
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	case ClientCertRequire:
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	if cs.ClientCA != "" {
		pool, err := loadPool(cs.ClientCA)
		if err != nil {
			return nil, fmt.Errorf("client_ssl client_ca: %w", err)
		}
		cfg.ClientCAs = pool
	} else if cfg.ClientAuth != tls.NoClientCert && minter != nil {
		// Without a client_ca, client certificates must come from the lab CA.
		cfg.ClientCAs = minter.CA().Pool()
	}
	switch {
	case cs.CertFile != "":
		cert, err := tls.LoadX509KeyPair(cs.CertFile, cs.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client_ssl cert %s / key %s: %w", cs.CertFile, cs.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case minter != nil:
		host, _, _ := net.SplitHostPort(o.Listen)
		mint := minter.GetCertificate(host)
		cfg.GetCertificate = func(hi *tls.ClientHelloInfo) (*tls.Certificate, error) {
			cert, err := mint(hi)
			if rc, ok := hi.Conn.(*recordingConn); ok && err == nil {
				// The name the minted leaf carries: the SNI, or
				// without one the address the client dialled.
				rc.leaf = certName(cert)
			}
			return cert, err
		}
	default:
		return nil, errors.New("client_ssl has no cert/key and no lab CA to mint from")
	}
	return cfg, nil
}

// servedKeyType is the key type of the certificate a client-ssl profile
// serves: its fixed certificate's, or ECDSA for leaves minted from the lab
// CA (always P-256).
func servedKeyType(cfg *tls.Config) string {
	if len(cfg.Certificates) == 0 {
		return "ecdsa"
	}
	switch cfg.Certificates[0].PrivateKey.(type) {
	case *rsa.PrivateKey:
		return "rsa"
	case *ecdsa.PrivateKey:
		return "ecdsa"
	case ed25519.PrivateKey:
		return "ed25519"
	}
	return ""
}

// certName is the name a minted leaf carries, picked as NameOn picks one
// from a configured certificate, so both kinds are named by one rule.
func certName(cert *tls.Certificate) string {
	if cert == nil {
		return ""
	}
	leaf := cert.Leaf
	if leaf == nil && len(cert.Certificate) > 0 {
		leaf, _ = x509.ParseCertificate(cert.Certificate[0])
	}
	if leaf == nil {
		return ""
	}
	return NameOn(leaf)
}

// servedKeyDetail is a client-ssl profile's fixed certificate's key with
// its size or curve ("RSA 2048", "ECDSA P-384"), or "" for leaves minted
// from the lab CA: a key-type mismatch must name the key really served.
func servedKeyDetail(cfg *tls.Config) string {
	if len(cfg.Certificates) == 0 {
		return ""
	}
	switch k := cfg.Certificates[0].PrivateKey.(type) {
	case *rsa.PrivateKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PrivateKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PrivateKey:
		return "Ed25519"
	}
	return ""
}

// servedNames is the subject and issuer of a client-ssl profile's fixed
// certificate, and a host name on it, or "" for leaves minted from the lab
// CA: the diagnosis of an unknown_ca must name the issuer the client
// refused, and advice for a client that sent no SNI a name to dial.
func servedNames(cfg *tls.Config) (subject, issuer, name string) {
	if len(cfg.Certificates) == 0 {
		return "", "", ""
	}
	leaf := cfg.Certificates[0].Leaf
	if leaf == nil && len(cfg.Certificates[0].Certificate) > 0 {
		leaf, _ = x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	}
	if leaf == nil {
		return "", "", ""
	}
	return leaf.Subject.String(), leaf.Issuer.String(), NameOn(leaf)
}

// NameOn is a name a client can dial and have verified against leaf: a
// DNS SAN, a wildcard's made concrete, the CN of a certificate without
// SANs (curl falls back to it), else an IP SAN; "" when it names nothing.
// The try= start-up hint and the diagnoses name a certificate by it alike.
func NameOn(leaf *x509.Certificate) string {
	for _, n := range leaf.DNSNames {
		if !strings.Contains(n, "*") {
			return n
		}
	}
	for _, n := range leaf.DNSNames {
		if rest, ok := strings.CutPrefix(n, "*."); ok {
			return "www." + rest
		}
	}
	if len(leaf.DNSNames) == 0 && len(leaf.IPAddresses) == 0 && leaf.Subject.CommonName != "" {
		return leaf.Subject.CommonName
	}
	if len(leaf.IPAddresses) > 0 {
		return leaf.IPAddresses[0].String()
	}
	return ""
}

// ConfiguredChain is the chain the listener serves from its client_ssl
// cert file, leaf first, or nil when the client sees leaves minted by the
// lab CA (no cert file, or inspect, which mints whatever the file says).
// A hint that trusts the lab CA fails for this chain.
func (s *Server) ConfiguredChain() []*x509.Certificate {
	if s.clientTLS == nil || s.opts.Mode == Inspect || len(s.clientTLS.Certificates) == 0 {
		return nil
	}
	var chain []*x509.Certificate
	for _, der := range s.clientTLS.Certificates[0].Certificate {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			// tls.LoadX509KeyPair parsed the leaf; a chain certificate it
			// did not parse ends what can be said about the chain.
			break
		}
		chain = append(chain, c)
	}
	return chain
}

// recordingConn replays the peeked bytes, then reads from the socket while
// keeping a bounded copy of what the client sent and what we wrote during
// the handshake, so an alert can be named even when crypto/tls cannot (an
// OpenSSL client sends its TLS 1.3 certificate alert unencrypted).
type recordingConn struct {
	net.Conn
	replay    []byte
	read      []byte // client bytes after the replayed hello
	readN     int64  // how many there were, beyond recordCap too
	written   []byte
	recording bool
	// auth, when a client_auth rule fired, replaces the alert crypto/tls
	// writes for a refused client certificate with the rule's.
	auth *faults.ClientAuthRun
	// leaf is the name on the leaf a minting GetCertificate served.
	leaf string
	// certChosen, set by a fault rule's GetCertificate (policyConfig), is
	// called with the first handshake record written after it: the flight
	// that carries the certificate it chose. An alert instead (under TLS
	// 1.2 crypto/tls picks the suite after the certificate, and can still
	// refuse the hello) means the certificate never went out.
	certChosen func()
	// finFirst: the client's FIN had reached the socket when crypto/tls
	// made its first write (the ServerHello flight, or an alert), so the
	// client closed without waiting for an answer. crypto/tls reads the
	// FIN only after writing, which alone would make it look like a
	// client that saw the certificate and hung up.
	finFirst bool
	// helloRead: crypto/tls read the whole ClientHello (readsHello's
	// hook ran), so its SNI, none included, is known.
	helloRead bool
	// noSNI: readsHello refused the hello for want of SNI and wrote the
	// alert; what crypto/tls writes after that is dropped.
	noSNI bool
	// keepRaw: keep every byte read from the socket in raw, until
	// readsHello has matched the SNI against the bypass globs. rawLost:
	// raw outgrew rawCap and no longer holds them all.
	keepRaw, rawLost bool
	raw              []byte
	// bypass is the SNI bypass readsHello matched; crypto/tls then wrote
	// nothing the client sees (its alert is dropped), so the replayed
	// bytes and raw are the client's stream untouched.
	bypass, sni string
}

// rawCap bounds what recordingConn keeps for an SNI bypass. crypto/tls
// reads a hello of at most 64 KiB (its handshake message limit) into a
// buffer that at most doubles what it needs, so a real hello never
// reaches it.
const rawCap = 256 << 10

const recordCap = 8 << 10

// SetLinger reaches the TCP socket beneath, so the relay can reset the
// client with an RST when the backend resets, as a client-ssl profile
// does. It is not an Unwrap: closing still goes through every wrapper
// (fault wrappers record their firings on the way).
func (r *recordingConn) SetLinger(sec int) error {
	if l, ok := r.Conn.(interface{ SetLinger(int) error }); ok {
		return l.SetLinger(sec)
	}
	return errors.ErrUnsupported
}

func (r *recordingConn) Read(b []byte) (int, error) {
	if len(r.replay) > 0 {
		n := copy(b, r.replay)
		r.replay = r.replay[n:]
		return n, nil
	}
	n, err := r.Conn.Read(b)
	if r.keepRaw && !r.rawLost {
		if len(r.raw)+n > rawCap {
			r.rawLost, r.raw = true, nil
		} else {
			r.raw = append(r.raw, b[:n]...)
		}
	}
	if r.recording {
		r.readN += int64(n)
		if len(r.read) < recordCap {
			r.read = append(r.read, b[:min(n, recordCap-len(r.read))]...)
		}
	}
	return n, err
}

// NetConn exposes the socket so a reset reaches it.
func (r *recordingConn) NetConn() net.Conn { return r.Conn }

func (r *recordingConn) Write(b []byte) (int, error) {
	if r.noSNI || r.bypass != "" {
		// crypto/tls's internal_error for the hook's error: the client
		// has had its handshake_failure, or is to be relayed untouched.
		return len(b), nil
	}
	if r.recording && len(r.written) == 0 {
		r.finFirst = peerSentFIN(r.Conn)
	}
	if r.certChosen != nil && len(b) > 0 {
		if b[0] == 22 { // a handshake record
			r.certChosen()
		}
		r.certChosen = nil
	}
	if r.recording && r.auth != nil {
		// The same length goes out, so the count crypto/tls gets back
		// is the one it wrote.
		b = r.auth.Rewrite(b)
	}
	if r.recording && len(r.written) < recordCap {
		r.written = append(r.written, b[:min(len(b), recordCap-len(r.written))]...)
	}
	return r.Conn.Write(b)
}

// terminate runs the client-side handshake, then relays the decrypted
// stream to the backend (plain, or re-encrypted with server-ssl).
func (s *Server) terminate(c net.Conn, o *explain.Outcome, p *peeked, cc *connCtx) {
	leg := &o.ClientTLS
	leg.Attempted = true
	leg.Local, leg.Remote = addrPort(c.LocalAddr()), addrPort(c.RemoteAddr())
	leg.MinVersion, leg.MaxVersion = s.clientTLS.MinVersion, s.clientTLS.MaxVersion
	leg.OurCiphers = s.clientTLS.CipherSuites
	leg.OurKey = s.clientKey
	leg.OurCertSubject, leg.OurCertIssuer = s.clientSubject, s.clientIssuer
	leg.OurKeyDetail, leg.OurCertName = s.clientKeyDetail, s.clientName
	if o.SNIRequired && o.Hello != nil && o.Hello.ServerName == "" {
		refuseNoSNI(c, o, false)
		return
	}
	cfg := downgradeALPN(s.policyConfig(s.clientTLS, o, &cc.fx), &cc.fx)
	leg.MinVersion, leg.MaxVersion, leg.OurCiphers = cfg.MinVersion, cfg.MaxVersion, cfg.CipherSuites
	rc := &recordingConn{Conn: c, replay: p.buf, recording: true, auth: cc.fx.auth}
	if o.Hello == nil {
		// sniff did not read this hello (beyond its cap, or parsed more
		// strictly than crypto/tls does), so sni_require and an inspect
		// listener's SNI bypass could not be checked before; crypto/tls
		// reads it whole, and they are checked there.
		var bypass func(string) string
		if s.opts.Mode == Inspect && s.hasSNIBypass() {
			bypass, rc.keepRaw = s.sniBypass, true
		}
		cfg = readsHello(cfg, rc, o.SNIRequired, bypass)
	}
	tc := tls.Server(rc, cfg)
	ctx, cancel := context.WithDeadline(context.Background(), cc.start.Add(s.opts.HandshakeTimeout))
	o.HandshakeTimeout = s.opts.HandshakeTimeout
	start := s.deps.Now()
	err := tc.HandshakeContext(ctx)
	cancel()
	leg.Duration = s.deps.Now().Sub(start)
	rc.recording = false
	leg.LateBytes = rc.readN
	leg.HelloRead = rc.helloRead
	if rc.noSNI {
		// The alert went out from the hook; crypto/tls's own was dropped.
		refuseNoSNI(c, o, true)
		return
	}
	if rc.bypass != "" {
		// Only crypto/tls could read the SNI, so the hello's bytes went
		// through it, but nothing came back to the client: relaying
		// what was read, in order, is the client's stream untouched, and
		// the real server answers it as with a parsed hello's bypass.
		first := append(append([]byte(nil), p.buf...), rc.raw...)
		o.ClientTLS = explain.Leg{ServerName: rc.sni, HelloRead: true}
		o.Route = "bypass"
		o.Bypass = fmt.Sprintf("%s, read by crypto/tls: the ClientHello is beyond tlsgate's %d-byte parse cap, and the %d bytes read were relayed unchanged, nothing decrypted",
			rc.bypass, sniff.MaxHelloBytes, len(first))
		c = bypassPlan(c, &cc.fx)
		s.relay(c, o, first, s.backendAddr(o), cc)
		return
	}
	// What crypto/tls read of the hello, even from one sniff could not
	// parse (beyond its cap): the SNI, and the name on the leaf served.
	st := tc.ConnectionState()
	leg.ServerName = st.ServerName
	if rc.leaf != "" {
		o.LeafName = rc.leaf
	}
	if err != nil {
		recordHandshakeErr(leg, err, rc)
		s.limitedHandshake(o, &cc.fx, st, true)
		noteClientAuthAlert(leg, cc.fx.auth)
		alpnRefused(o, &cc.fx)
		closeAfterHandshakeError(c, leg)
		return
	}
	recordLeg(leg, st, true)
	s.limitedHandshake(o, &cc.fx, st, false)
	// A stop at handshake_done ends the connection (afterHandshake)
	// before any request, so a rate_limit is not asked: it would spend a
	// token on it.
	stops := cc.fx.plan.Stop(faults.StageHandshakeDone) != nil
	if cc.fx.plan.FixedAbort() != nil || !stops && cc.fx.plan.Abort() != nil {
		// The rule answers the requests itself: no backend.
		if client, ok := s.afterHandshake(tc, o, &cc.fx); ok {
			s.serveAbort(client, o, cc.fx.plan)
		}
		return
	}

	d := s.dialer(cc)
	if s.opts.ServerSSL != nil {
		bcfg := s.upstreamConfig(st.ServerName, s.backendAddr(o), &o.Backend.TLS)
		s.skewUpstream(bcfg, d, &cc.fx)
		d.TLS = bcfg
		o.Backend.TLS.VerifyName = bcfg.ServerName
		o.Backend.TLS.Attempted = true
		o.Backend.TLS.ServerName = bcfg.ServerName
	}
	bc, ok := s.dialBackend(c, o, s.backendAddr(o), d, nil)
	if !ok {
		upstreamSkewed(o, &cc.fx)
		return
	}
	if btc, ok := bc.(*tls.Conn); ok {
		bst := btc.ConnectionState()
		b := &o.Backend.TLS
		recordLeg(b, bst, false)
		b.Local, b.Remote = addrPort(bc.LocalAddr()), addrPort(bc.RemoteAddr())
		b.VerifySkipped = d.TLS.InsecureSkipVerify
	}
	client, ok := s.afterHandshake(tc, o, &cc.fx)
	if !ok {
		_ = bc.Close()
		return
	}
	s.relayDecrypted(client, bc, o, cc)
}

// errNoSNI is the refusal of a hello without SNI on a listener whose
// client-ssl profile requires one.
var errNoSNI = errors.New("client sent no SNI and the profile requires it")

// refuseNoSNI refuses a hello without SNI as a client-ssl profile with
// sni-require does, with the generic handshake_failure (crypto/tls would
// answer internal_error), whether tlsgate's parser or crypto/tls read the
// hello. alerted: the alert has already been written.
func refuseNoSNI(c net.Conn, o *explain.Outcome, alerted bool) {
	if !alerted {
		sendAlert(c, 40)
	}
	o.ClientTLS.AlertSent = 40
	o.ClientTLS.Err = errNoSNI.Error()
	o.Route = "sni_required_reject"
	_ = c.Close()
}

// readsHello returns a copy of cfg that notes on rc that crypto/tls read
// the client's hello, for a hello tlsgate's parser did not read. With
// sniRequired it refuses one without SNI there, as refuseNoSNI does a
// parsed one: the hook writes alert 40 itself and rc drops the
// internal_error crypto/tls then sends for the hook's error.
//
// bypass, when not nil, matches the SNI against an inspect listener's
// bypass globs. A match ends the handshake before crypto/tls has written
// a byte (GetConfigForClient runs right after the hello is read), and rc
// drops the alert it then writes, so the caller can relay what rc kept
// untouched. Should rc not have kept it all (rawLost, which no real hello
// reaches), the hello is refused with crypto/tls's internal_error rather
// than decrypted: the operator said this name is never to be decrypted.
func readsHello(cfg *tls.Config, rc *recordingConn, sniRequired bool, bypass func(string) string) *tls.Config {
	cfg = cfg.Clone()
	cfg.GetConfigForClient = func(hi *tls.ClientHelloInfo) (*tls.Config, error) {
		rc.helloRead = true
		if bypass != nil {
			rc.keepRaw = false
			if why := bypass(hi.ServerName); why != "" {
				if rc.rawLost {
					return nil, fmt.Errorf("listener: %s, but the ClientHello's bytes outgrew the %d bytes kept to relay them: refused rather than decrypted", why, rawCap)
				}
				rc.bypass, rc.sni = why, hi.ServerName
				return nil, errors.New("listener: " + why + ": relayed untouched")
			}
			rc.raw = nil
		}
		if !sniRequired || hi.ServerName != "" {
			return nil, nil
		}
		rc.noSNI = true
		sendAlert(rc.Conn, 40)
		return nil, errNoSNI
	}
	return cfg
}

// recordLeg fills a leg from a completed handshake. On the client leg
// tlsgate is the server, so a peer certificate there is a client
// certificate: mutual authentication.
func recordLeg(leg *explain.Leg, st tls.ConnectionState, clientLeg bool) {
	leg.Done = true
	leg.Version, leg.CipherSuite = st.Version, st.CipherSuite
	leg.ALPN, leg.ServerName = st.NegotiatedProtocol, st.ServerName
	if st.CurveID != 0 {
		leg.Group = st.CurveID.String()
	}
	leg.PeerCert = chainSummary(st.PeerCertificates)
	if clientLeg {
		leg.Mutual = len(st.PeerCertificates) > 0
	} // the server leg's is set by upstreamConfig's certificate callback
}

// recordHandshakeErr fills the client leg from a failed handshake.
func recordHandshakeErr(leg *explain.Leg, err error, rc *recordingConn) {
	leg.Err = err.Error()
	// A TLS record of type handshake (22) from us means the client saw our
	// ServerHello and certificate before it gave up, unless it was a
	// HelloRetryRequest the client never answered: that carries none.
	leg.HelloRetryOnly = sniff.HelloRetryOnly(rc.written)
	leg.ServerFlightSent = len(rc.written) > 0 && rc.written[0] == 22 && !leg.HelloRetryOnly
	leg.FINBeforeFlight = leg.ServerFlightSent && rc.finFirst
	if a := explain.AlertFromError(leg.Err); a >= 0 && strings.Contains(leg.Err, "remote error") {
		leg.AlertRecv = a
	} else if _, desc, ok := sniff.ParseAlert(rc.read); ok {
		leg.AlertRecv = int(desc)
	}
	if _, desc, ok := sniff.ParseAlert(rc.written); ok {
		leg.AlertSent = int(desc)
	} else if leg.ServerFlightSent {
		// Under TLS 1.3 an alert after our flight is encrypted; what
		// crypto/tls sent follows from the error it returned.
		leg.AlertSent = clientCertAlert(err)
	}
}

// clientCertAlert is the alert crypto/tls's server sends when it rejects a
// client certificate with err (handshake_server.go, processCertsFromClient),
// or -1 when err is not such a rejection. TLS 1.2 sends the same alerts in
// the clear, where they are read from the bytes instead, except that a
// missing certificate is handshake_failure there, not certificate_required.
func clientCertAlert(err error) int {
	if ve, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		if _, ok := errors.AsType[x509.UnknownAuthorityError](ve.Err); ok {
			return 48 // unknown_ca
		}
		if ie, ok := errors.AsType[x509.CertificateInvalidError](ve.Err); ok && ie.Reason == x509.Expired {
			return 45 // certificate_expired
		}
		return 42 // bad_certificate
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "tls: client didn't provide a certificate"):
		return 116 // certificate_required
	case strings.Contains(msg, "tls: failed to parse client certificate"):
		return 50 // decode_error
	case strings.Contains(msg, "tls: client certificate contains an unsupported public key"):
		return 43 // unsupported_certificate
	}
	return -1
}

// closeAfterHandshakeError ends a failed handshake the way real TLS servers
// do: when crypto/tls has written an alert, close with a FIN and let the
// client read the alert (a reset could destroy it in the client's receive
// buffer, turning "alert certificate required" into "connection reset").
// A handshake that died on a reset or timeout is reset in turn.
func closeAfterHandshakeError(c net.Conn, leg *explain.Leg) {
	// Under TLS 1.3 the alert after our flight is encrypted, so it cannot
	// be seen in the bytes; having written the flight is the sign.
	// A HelloRetryRequest the client never answered ends as the flight
	// would: the client hung up after reading it, and gets a FIN back.
	if leg.AlertSent < 0 && !leg.ServerFlightSent && !leg.HelloRetryOnly {
		abort(c)
		return
	}
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		_, _ = io.Copy(io.Discard, io.LimitReader(c, 64<<10))
	}
	_ = c.Close()
}

// sendAlert writes one fatal alert record in the clear (valid before the
// handshake completes) so the client reports a real TLS alert.
func sendAlert(c net.Conn, desc byte) {
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.Write([]byte{21, 3, 3, 0, 2, 2, desc})
}

// upstreamBase builds the server-ssl profile once per listener: trust
// roots, the client certificate to present, verification, key log.
func upstreamBase(ss *ServerSSL, keylog io.Writer) (*tls.Config, error) {
	if ss == nil {
		ss = &ServerSSL{Verify: true}
	}
	// A session cache per listener lets repeat connections to the same
	// server resume, as BIG-IP's server-ssl (and HAProxy, nginx) do.
	cfg := &tls.Config{ServerName: ss.ServerName, InsecureSkipVerify: !ss.Verify, KeyLogWriter: keylog,
		ClientSessionCache: tls.NewLRUClientSessionCache(1024)}
	if ss.CAFile != "" {
		pool, err := loadPool(ss.CAFile)
		if err != nil {
			return nil, fmt.Errorf("server_ssl ca: %w", err)
		}
		cfg.RootCAs = pool
	}
	if ss.Cert != "" {
		cert, err := tls.LoadX509KeyPair(ss.Cert, ss.Key)
		if err != nil {
			return nil, fmt.Errorf("server_ssl cert %s / key %s: %w", ss.Cert, ss.Key, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// upstreamConfig is the per-connection copy of the server-ssl profile. The
// name checked is server_name, else the client's SNI, else the backend host.
// It notes on leg whether the backend asked for a client certificate and
// whether it got one: tls.ConnectionState says neither, a refusal for want
// of one is explained from the request, and BIG-IP's session line reports
// it (mutual-authentication) for each leg.
func (s *Server) upstreamConfig(sni, backend string, leg *explain.Leg) *tls.Config {
	cfg := s.upstreamTLSBase.Clone()
	certs := cfg.Certificates
	cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		leg.CertRequested = true
		// crypto/tls's own choice when Certificates is set: the first
		// chain the server's request supports, else none.
		for i := range certs {
			if cri.SupportsCertificate(&certs[i]) == nil {
				leg.Mutual = true
				return &certs[i], nil
			}
		}
		return new(tls.Certificate), nil
	}
	if cfg.ServerName == "" {
		cfg.ServerName = sni
	}
	if cfg.ServerName == "" {
		cfg.ServerName, _, _ = net.SplitHostPort(backend)
	}
	return cfg
}

// loadPool reads a PEM bundle of trusted certificates.
func loadPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return pool, nil
}

// chainSummary describes a peer chain for the log, leaf first.
func chainSummary(chain []*x509.Certificate) []string {
	out := make([]string, 0, len(chain))
	for _, c := range chain {
		out = append(out, fmt.Sprintf("subject=%q issuer=%q not_after=%s", c.Subject.String(), c.Issuer.String(), c.NotAfter.UTC().Format(time.RFC3339)))
	}
	return out
}

// recordBackendErr turns an upstream error into backend facts.
func recordBackendErr(o *explain.Outcome, err error) {
	var de *upstream.DialError
	var te *upstream.TLSError
	switch {
	case errors.As(err, &te):
		b := &o.Backend.TLS
		b.Attempted = true
		b.Err = te.Err.Error()
		b.AlertRecv = te.Alert
		if rac := (*upstream.ResetAfterConnect)(nil); errors.As(err, &rac) {
			// The backend's bytes before its reset are all there is of
			// its answer; an alert among them is why it refused.
			if _, _, desc, ok := sniff.FirstRecordAlert(rac.Tail); ok {
				b.AlertRecv = int(desc)
			}
			o.Backend.EndedBeforeHello, o.Backend.BeforeHelloBytes = explain.EndedReset, len(rac.Tail)
			if rac.FIN {
				o.Backend.EndedBeforeHello = explain.EndedFINReset
			}
		}
		b.Local, b.Remote = addrPort(te.Local), addrPort(te.Remote)
		o.Backend.Local, o.Backend.Remote = b.Local, b.Remote
		if te.Verify {
			b.Verify = te.Err.Error()
		}
		if te.State != nil {
			b.PeerCert = chainSummary(te.State.PeerCertificates)
		}
	case errors.As(err, &de):
		o.Backend.DialErr = de.Err.Error()
		o.Backend.Refused, o.Backend.TimedOut = de.Refused, de.TimedOut
	default:
		o.Backend.DialErr = err.Error()
	}
}

package explain

import (
	"slices"
	"strings"
	"sync"

	"github.com/tlsgate/tlsgate/sniff"
)

// Diagnosis codes. They are stable: logs, tests and the lab catalog key on them.
const (
	CodeOK                = "ok"
	CodePlaintextOnTLS    = "plaintext_on_tls"
	CodePlaintextAllowed  = "plaintext_allowed"
	CodeTLSOnPlaintext    = "tls_on_plaintext"
	CodeVersionTooOld     = "ssl_version_too_old"
	CodeVersionTooNew     = "ssl_version_too_new"
	CodeNoSharedCipher    = "no_shared_cipher"
	CodeNoSharedGroup     = "no_shared_group"
	CodeSNIMissing        = "sni_missing"
	CodeClientSilent      = "client_silent"
	CodeClientClosedEarly = "client_closed_early"
	CodeClientResetEarly  = "client_reset_early"
	CodeClientAlert       = "client_alert"
	CodeHandshakeFailed   = "handshake_failed"
	CodeHandshakeTimeout  = "handshake_timeout"
	CodeHelloMalformed    = "hello_malformed"
	CodeProxyMissing      = "proxy_missing"
	CodeProxyUnexpected   = "proxy_unexpected"
	CodeProxyMalformed    = "proxy_malformed"
	CodeBackendRefused    = "backend_refused"
	CodeBackendTimeout    = "backend_timeout"
	CodeBackendError      = "backend_error"
	CodeBackendTLSFailed  = "backend_tls_failed"
	CodeBackendTLSVerify  = "backend_tls_verify"
	CodeMaxConnections    = "max_connections"
	CodeIdleTimeout       = "idle_timeout"
	CodeBackendReset      = "backend_reset"
	CodeShutdownCut       = "shutdown_cut"
	CodeAcceptFailed      = "accept_failed"

	// Transparent interception and inspect mode (issue 3).
	CodeNoOriginalDst          = "no_original_dst"
	CodeTransparentLoop        = "transparent_loop"
	CodeClientRejectedSilently = "client_rejected_silently"
	CodeClientCertMissing      = "client_cert_missing"
	CodeClientCertRejected     = "client_cert_rejected"

	// Passthrough: the backend answered the client's ClientHello with an
	// alert, which tlsgate relayed untouched.
	CodeBackendRejectedHello = "backend_rejected_hello"
	// Passthrough: the client ended its handshake with the backend after
	// the backend's answer, most often refusing its certificate.
	CodeClientRejectedBackend = "client_rejected_backend"
	// Passthrough: the backend sent no ServerHello for the client's
	// ClientHello: nothing at all before the connection ended, or bytes
	// that are not TLS.
	CodeBackendNoServerHello = "backend_no_server_hello"
	// The backend ended the relay (FIN, or the variant reset) before it
	// sent the client a byte: the client's request got no answer.
	CodeBackendClosedEarly = "backend_closed_early"

	// Fault injection (issue 4): a fault rule ended the connection.
	CodeFaultInjected = "fault_injected"

	// A load balancer's health check: a PROXY v2 LOCAL header, then the
	// close, and no data. Not a failure.
	CodeHealthCheck = "health_check"
)

// verdict is a rule's decision: a code plus an optional variant that selects
// a more specific text for that code ("48" for client_alert, …).
type verdict struct {
	code    string
	variant string
}

// rule inspects the facts and returns a verdict, or ok=false to pass.
type rule struct {
	name  string
	match func(f *facts) (verdict, bool)
}

// rules is the fixed order of checks. Earlier rules explain the connection
// at an earlier stage (admission, PROXY header, first bytes, ClientHello,
// handshake, backend), so the first match is the root cause.
func rules() []rule {
	return []rule{
		{"max_connections", ruleMaxConn},
		{"shutdown_cut", ruleShutdownCut},
		{"accept_failed", ruleAcceptFailed},
		{"fault_stop", ruleFaultStop},
		{"connect_bad_request", ruleConnectBadRequest},
		{"no_original_dst", ruleNoOrigDst},
		{"transparent_loop", ruleTransparentLoop},
		{"proxy_malformed", ruleProxyMalformed},
		{"health_check", ruleHealthCheck},
		{"nothing_sent", ruleNothingSent},
		{"proxy_unexpected", ruleProxyUnexpected},
		{"proxy_missing", ruleProxyMissing},
		{"protocol_mismatch", ruleProtocolMismatch},
		{"peek_ended", rulePeekEnded},
		{"hello_shape", ruleHelloShape},
		{"sni", ruleSNI},
		{"version", ruleVersion},
		{"group", ruleGroup},
		{"cipher", ruleCipher},
		{"client_cert", ruleClientCert},
		{"client_alert", ruleClientAlert},
		{"rejected_silently", ruleRejectedSilently},
		{"client_err", ruleClientErr},
		{"backend_dial", ruleBackendDial},
		{"backend_tls", ruleBackendTLS},
		{"backend_hello", ruleBackendHello},
		{"backend_answer", ruleBackendAnswer},
		{"backend_closed_early", ruleBackendClosedEarly},
		{"client_end", ruleClientEnd},
		{"idle_timeout", ruleIdleTimeout},
		{"chain_rejected_after_handshake", ruleChainRejectedAfterHandshake},
		{"relay_reset", ruleRelayReset},
		{"quiet_after_handshake", ruleQuietAfterHandshake},
	}
}

// ruleTable is rules built once: detect runs for every logged connection.
// Read only.
var ruleTable = sync.OnceValue(rules)

// detect runs the rules in order; a connection no rule objects to is ok,
// with a variant for the inspect-mode shapes of success.
func detect(f *facts) verdict {
	for _, r := range ruleTable() {
		if v, ok := r.match(f); ok {
			return v
		}
	}
	return verdict{code: CodeOK, variant: okVariant(f.o)}
}

// ruleShutdownCut comes before the rules that read how the peers behaved:
// whatever the sockets showed afterwards, tlsgate closed them.
func ruleShutdownCut(f *facts) (verdict, bool) {
	return verdict{code: CodeShutdownCut}, f.o.End == EndShutdown
}

// ruleAcceptFailed: tlsgate accepted the connection and reset it without
// serving it, so nothing the client did explains it.
func ruleAcceptFailed(f *facts) (verdict, bool) {
	return verdict{code: CodeAcceptFailed}, f.o.Route == "accept_failed"
}

func ruleMaxConn(f *facts) (verdict, bool) {
	return verdict{code: CodeMaxConnections}, f.o.Route == "refused_max_conn"
}

func ruleProxyMalformed(f *facts) (verdict, bool) {
	p := f.o.Proxy
	if p.Second != 0 {
		return verdict{code: CodeProxyMalformed, variant: "two_headers"}, true
	}
	// A header of the other version is a mismatch, not an absence, and
	// not a malformed header either: the listener refuses it with an error
	// too, but the fix is the version on one side, so this comes first.
	// Once a header parsed, Kind names the bytes after it, not the header.
	got := p.Version
	if got == 0 {
		got = map[sniff.Kind]int{sniff.ProxyV1: 1, sniff.ProxyV2: 2}[f.o.Kind]
	}
	if p.Policy == "v1" && got == 2 || p.Policy == "v2" && got == 1 {
		return verdict{code: CodeProxyMalformed, variant: "version_mismatch"}, true
	}
	if p.Err != "" && f.o.Route != "proxy_missing" && f.o.Route != "proxy_unexpected" { // the listener also explains those two in Err
		return verdict{code: CodeProxyMalformed}, true
	}
	return verdict{}, false
}

// relayedUndecided says a plaintext (or auto) listener sent a client on to
// its backend before its bytes named a protocol: server-first protocols
// (SSH, SMTP) wait for the backend's banner, and a client that half-closed
// after plaintext ("GE", a request line without its blank line) has said
// all it will. Neither is a failure; the relay's own end tells the rest.
func relayedUndecided(o *Outcome) bool {
	undecided := o.PeekEnd == PeerSilent || o.PeekEnd == PeerPartial || o.PeekEnd == PeerClosed
	return undecided && o.Route == "plain" && o.Backend.Attempted
}

// ruleHealthCheck covers HAProxy's check-send-proxy and the health checks
// of AWS NLB and other balancers that speak PROXY: a header that names no
// client (v2 LOCAL, or v1 `PROXY UNKNOWN`, the v1 form HAProxy sends for
// its own connections), then a close or reset without a byte. Every check
// interval would otherwise log a client that left early, hiding the real
// failures among them. The variant names the version, so the text quotes
// the header that came: "" and "reset" for v2, "v1" and "v1_reset".
func ruleHealthCheck(f *facts) (verdict, bool) {
	o := f.o
	left := o.PeekEnd == PeerClosed || o.PeekEnd == PeerReset
	var parts []string
	if o.Proxy.Version == 1 {
		parts = append(parts, "v1")
	}
	if o.PeekEnd == PeerReset {
		parts = append(parts, "reset")
	}
	return verdict{code: CodeHealthCheck, variant: strings.Join(parts, "_")},
		o.Proxy.Local && (o.Proxy.Version == 1 || o.Proxy.Version == 2) && o.Proxy.Err == "" && len(o.FirstBytes) == 0 && left
}

// ruleNothingSent covers a client that never sent a byte: nothing else can
// be said about it, not even whether a PROXY header was missing.
func ruleNothingSent(f *facts) (verdict, bool) {
	o := f.o
	if relayedUndecided(o) {
		return verdict{}, false
	}
	if len(o.FirstBytes) > 0 || (o.Kind != sniff.Empty && o.PeekEnd == PeerSpoke) {
		return verdict{}, false
	}
	switch o.PeekEnd {
	case PeerClosed:
		if leftAfterProxy(o) {
			return verdict{code: CodeClientClosedEarly, variant: "after_proxy"}, true
		}
		return verdict{code: CodeClientClosedEarly, variant: "nothing"}, true
	case PeerReset:
		if leftAfterProxy(o) {
			return verdict{code: CodeClientResetEarly, variant: "after_proxy"}, true
		}
		return verdict{code: CodeClientResetEarly, variant: "nothing"}, true
	case PeerSilent, PeerPartial:
		return verdict{code: CodeClientSilent, variant: silentVariant(o)}, true
	}
	return verdict{}, false
}

// silentVariant picks the words for a silent client: on a listener that
// requires a PROXY header, silence means nothing in front added one.
func silentVariant(o *Outcome) string {
	if (o.Proxy.Policy == "v1" || o.Proxy.Policy == "v2") && o.Proxy.Version == 0 {
		return "proxy_required"
	}
	return ""
}

func ruleProxyUnexpected(f *facts) (verdict, bool) {
	isProxy := f.o.Kind == sniff.ProxyV1 || f.o.Kind == sniff.ProxyV2
	return verdict{code: CodeProxyUnexpected}, f.o.Proxy.Policy == "" && isProxy
}

// ruleProxyMissing needs first bytes that were decided and were not a
// header: a client that left (or went quiet) before its bytes named a
// protocol was never refused for lacking one, and peek_ended says so.
func ruleProxyMissing(f *facts) (verdict, bool) {
	p := f.o.Proxy
	required := p.Policy == "v1" || p.Policy == "v2"
	sawHeader := p.Version != 0 || f.o.Kind == sniff.ProxyV1 || f.o.Kind == sniff.ProxyV2
	decided := f.o.PeekEnd == PeerSpoke || f.o.Route == "proxy_missing"
	return verdict{code: CodeProxyMissing}, required && !sawHeader && decided
}

// plaintextKind says the first bytes are a non-TLS protocol (or unknown
// bytes, which BIG-IP also rejects as "not SSL").
func plaintextKind(o *Outcome) bool {
	switch o.Kind {
	case sniff.HTTP1, sniff.HTTP2, sniff.SSH, sniff.ProxyV1, sniff.ProxyV2:
		return true
	case sniff.Unknown:
		return len(o.FirstBytes) > 0
	}
	return false
}

// answeringFiring is the index of the first fired rule that answers HTTP
// itself (abort, rate_limit, or a block_page), -1 when none fired: the client's
// answer came from it, not from the backend the listener relays to.
func answeringFiring(o *Outcome) int {
	return slices.IndexFunc(o.FaultFirings, func(fr FaultFiring) bool {
		return fr.Action == "abort" || fr.Action == "rate_limit" || fr.Action == "block_page"
	})
}

// ruleProtocolMismatch compares what arrived with what the listener expects.
func ruleProtocolMismatch(f *facts) (verdict, bool) {
	o := f.o
	switch o.Mode {
	case "passthrough", "terminate", "inspect":
		if !plaintextKind(o) || endedUndecided(o) {
			return verdict{}, false
		}
		if v, ok := plainUnanswered(o); ok {
			return v, true
		}
		action := nonSSLAction(o)
		if action == "allow" {
			if answeringFiring(o) >= 0 {
				// An abort or block_page rule answered the request in
				// the plain backend's place (listener abortallow).
				return verdict{code: CodePlaintextAllowed, variant: "fault_answered"}, true
			}
			return verdict{code: CodePlaintextAllowed}, true
		}
		if (action == "http400" || action == "redirect") && (o.Kind == sniff.HTTP2 || o.Kind == sniff.SSH) {
			// The answer is HTTP/1.1, which an HTTP/2 prior-knowledge or
			// an SSH client cannot read: it sees the connection close.
			variant := "unread"
			if o.Kind == sniff.SSH {
				variant = "unread_ssh"
			}
			return verdict{code: CodePlaintextOnTLS, variant: variant}, true
		}
		if action == "reset" && (o.Kind == sniff.HTTP2 || o.Kind == sniff.SSH) {
			// Neither is curl fetching http://: each words the reset its
			// own way.
			return verdict{code: CodePlaintextOnTLS, variant: "reset_" + o.Kind.String()}, true
		}
		if action == "http400" && o.NonSSL == "redirect" {
			// CONNECT and OPTIONS * name no resource to redirect to, and
			// a request cut short by the client's half-close named no
			// host, so the listener answered them with the 400 instead.
			return verdict{code: CodePlaintextOnTLS, variant: redirectRefusal(o)}, true
		}
		if action == "redirect" && redirectHostless(o) {
			// A whole request that named no host (HTTP/1.0 needs no
			// Host): the Location is the listener's own address.
			return verdict{code: CodePlaintextOnTLS, variant: "redirect_address"}, true
		}
		return verdict{code: CodePlaintextOnTLS, variant: action}, true
	case "plaintext":
		if !BeganTLS(o) || o.Connect.Status == 200 {
			// TLS inside an explicit proxy's tunnel is what the client
			// asked for: it is relayed as on a passthrough listener.
			return verdict{}, false
		}
		v := tlsOnPlaintext(o)
		if o.Connect.Tunnel && slices.Contains(proxyFragments, v.variant) {
			// An explicit proxy's port: even a fragment of a hello is
			// a client that skipped the CONNECT, whose advice is the
			// proxy's, not http://.
			v.variant = "proxy_" + v.variant
		}
		return v, true
	}
	return verdict{}, false
}

// tlsOnPlaintext is the tls_on_plaintext verdict for TLS on a plaintext
// listener, by what came of the hello and how the listener ended it.
func tlsOnPlaintext(o *Outcome) verdict {
	switch {
	case strings.Contains(o.Route, "reset") && helloStalled(o):
		return verdict{code: CodeTLSOnPlaintext, variant: "reset_stalled"}
	case helloCut(o) && o.PeekEnd == PeerReset:
		// The client's RST came first: the listener only closed
		// (route "closed"), and nothing it sent reached the client.
		return verdict{code: CodeTLSOnPlaintext, variant: "client_reset_cut"}
	case strings.Contains(o.Route, "reset") && helloCut(o):
		// The client's FIN came first; the listener's reset came
		// after it, to a client that had stopped sending.
		return verdict{code: CodeTLSOnPlaintext, variant: "reset_cut"}
	case strings.Contains(o.Route, "reset") && o.Kind == sniff.TLSOther:
		// A whole record, but no hello: no SNI or versions to name.
		return verdict{code: CodeTLSOnPlaintext, variant: "record"}
	case strings.Contains(o.Route, "reset") && o.Connect.Tunnel:
		// An explicit proxy's port, and a hello with no CONNECT
		// before it: a client that took the proxy for the server,
		// or one given an https:// proxy URL, which speaks TLS to
		// the proxy itself. Its advice is the proxy's, not http://.
		return verdict{code: CodeTLSOnPlaintext, variant: "proxy"}
	case strings.Contains(o.Route, "reset"):
		return verdict{code: CodeTLSOnPlaintext, variant: "reset"}
	}
	return verdict{code: CodeTLSOnPlaintext}
}

// endedUndecided says the client closed, reset or went quiet while its
// bytes could still have begun TLS: they are not "not SSL" (as "GET" is),
// and the listener closed without a non_ssl action, so peek_ended says what
// happened ("2 bytes, then FIN"; a stalled hello is a handshake timeout).
func endedUndecided(o *Outcome) bool {
	return o.Kind == sniff.Unknown && (o.PeekEnd == PeerClosed || o.PeekEnd == PeerReset || o.PeekEnd == PeerPartial) &&
		sniff.CouldBeTLS(o.FirstBytes)
}

// redirectRefusal names why a redirect listener answered a request with
// its 400 (listener redirectTarget): a target no Location can point at
// (CONNECT's authority-form, OPTIONS' asterisk-form), or else a request
// line the client half-closed after, before any Host came.
func redirectRefusal(o *Outcome) string {
	if o.HTTP != nil {
		if t, err := sniff.ParseTarget(o.HTTP.Method, o.HTTP.Target); err == nil && (t.Form == sniff.AuthorityForm || t.Form == sniff.AsteriskForm) {
			return "redirect_unusable"
		}
	}
	return "redirect_no_host"
}

// BeganTLS says the client's first bytes began TLS: a TLS kind, or bytes
// a hello began with (sniff.StalledHello: a lone 0x16, a record's first
// two bytes, an SSLv2 header with msg_type 1) stalled at the peek
// deadline, which every mode routes as the TLS they began. The listener's
// route and fault plan ask it too, so rules judge the connection as the
// route does.
func BeganTLS(o *Outcome) bool { return o.Kind.IsTLS() || tlsPrefixStalled(o) }

// tlsPrefixStalled says the client sent the start of a hello, too short
// for sniff to name (sniff.StalledHello), and then nothing until the peek
// deadline. On a plaintext listener that is TLS whose hello never came,
// like one that stalled a byte later.
func tlsPrefixStalled(o *Outcome) bool {
	return o.Kind == sniff.Unknown && o.PeekEnd == PeerPartial && sniff.StalledHello(o.FirstBytes)
}

// helloStalled says a TLS record or SSLv2 hello began (its first two bytes
// or more, or bytes sniff.StalledHello takes for its start) but
// went quiet until the peek deadline before a ClientHello could be read:
// there is no SNI or version list to name, only the bytes that came.
func helloStalled(o *Outcome) bool {
	return o.Hello == nil && o.PeekEnd == PeerPartial && (tlsPrefixStalled(o) || helloBegun(o.FirstBytes))
}

// helloCut says a TLS record began but the client closed or reset the
// connection before a ClientHello could be read: as helloStalled, there is
// no SNI or version list to name.
func helloCut(o *Outcome) bool {
	return o.Hello == nil && (o.PeekEnd == PeerClosed || o.PeekEnd == PeerReset) && helloBegun(o.FirstBytes)
}

// helloBegun says b, at least two bytes, begin a TLS record or an
// SSLv2-format ClientHello (sslv2HelloStart).
func helloBegun(b []byte) bool {
	return len(b) >= 2 && (tlsRecordStart(b) || sslv2HelloStart(b))
}

// sslv2HelloStart says b begin an SSLv2-format ClientHello's header (RFC
// 5246 E.2): a two-byte length with the high bit set, then msg_type 1,
// client_hello. tlsRecordStart reads the high bit as a server's (msg_type
// 4); a client's first bytes carry 1.
func sslv2HelloStart(b []byte) bool {
	return len(b) >= 3 && b[0]&0x80 != 0 && b[2] == 1
}

// nonSSLAction prefers what the listener did (Route) over what was
// configured, since a fault may have overridden the configuration.
func nonSSLAction(o *Outcome) string {
	if a, ok := strings.CutPrefix(o.Route, "non_ssl_"); ok && a != "" {
		return a
	}
	if o.NonSSL != "" {
		return o.NonSSL
	}
	return "reset"
}

// rulePeekEnded covers a client that sent some bytes and then stopped,
// closed or reset before tlsgate could decide.
func rulePeekEnded(f *facts) (verdict, bool) {
	if relayedUndecided(f.o) || f.o.PeekEnd == PeerPartial && stallOvercome(f.o) {
		return verdict{}, false
	}
	if relayedStall(f.o) {
		return verdict{code: CodeHandshakeTimeout, variant: "relayed"}, true
	}
	if relayedCut(f.o) {
		return verdict{code: CodeClientClosedEarly, variant: "relayed"}, true
	}
	switch f.o.PeekEnd {
	case PeerClosed:
		return verdict{code: CodeClientClosedEarly, variant: "partial"}, true
	case PeerReset:
		return verdict{code: CodeClientResetEarly, variant: "partial"}, true
	case PeerSilent, PeerPartial:
		if trickled(f.o) {
			return verdict{code: CodeHandshakeTimeout, variant: "partial_trickle"}, true
		}
		if v, ok := stallEnded(f.o); ok {
			return v, true
		}
		return verdict{code: CodeHandshakeTimeout, variant: "partial"}, true
	}
	return verdict{}, false
}

// trickled says a first message that stalled at the peek deadline did not
// stop there: crypto/tls read more of it afterwards, never the whole
// hello, until tlsgate's handshake timeout ended the connection. "Nothing
// more within the peek timeout" is then the wrong story; a client sending
// slowly (a slow-loris) is the right one.
func trickled(o *Outcome) bool {
	l := o.ClientTLS
	return o.PeekEnd == PeerPartial && l.Attempted && !l.Done && !l.HelloRead && l.LateBytes > 0 && classifyErr(l.Err) == errTimeout
}

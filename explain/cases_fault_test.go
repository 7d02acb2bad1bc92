package explain

import (
	"crypto/tls"
	"slices"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// Symptoms as faults.Symptom words them for these rules (the listener
// copies them into FaultFiring.Symptom). Copied, not imported: explain
// depends on sniff alone.
const (
	symResetHS     = "connection reset during the handshake: curl (35) Recv failure: Connection reset by peer; openssl s_client write:errno=104; Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET"
	symResetStream = "connection reset mid-stream: curl (56) Recv failure: Connection reset by peer; Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET"
	symEOFHS       = "connection closed (EOF) during the handshake: curl (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL; openssl s_client unexpected eof while reading; Go EOF; Chrome ERR_CONNECTION_CLOSED"
	symEOFStream   = "connection closed (EOF) mid-stream: curl (52) Empty reply from server or (56) unexpected eof while reading, by how much arrived; Go EOF or unexpected EOF; Chrome ERR_EMPTY_RESPONSE or ERR_CONNECTION_CLOSED"
	symEOFFlight   = "connection closed (EOF) inside the server flight: curl (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL; openssl s_client unexpected eof while reading; Go unexpected EOF; Chrome ERR_CONNECTION_CLOSED"
	symTimeoutHS   = "timeout in the handshake (silent drop): curl (28) Connection timed out; openssl s_client hangs after CONNECTED(00000003); Go net/http: TLS handshake timeout (crypto/tls: i/o timeout at the deadline); Chrome ERR_TIMED_OUT"
	symTimeoutData = "timeout mid-stream (silent drop): curl (28) Operation timed out; Go i/o timeout at the client's deadline; Chrome ERR_TIMED_OUT"
	symPlain       = "wrong version number (plain HTTP where a ServerHello belongs): curl (35) error:0A00010B:SSL routines::wrong version number; Go tls: first record does not look like a TLS handshake (net/http: server gave HTTP response to HTTPS client); Firefox SSL_ERROR_RX_RECORD_TOO_LONG; Chrome ERR_SSL_PROTOCOL_ERROR"
	symSSL3        = "handshake refused (SSLv3 ServerHello): curl (35) error:0A000102:SSL routines::unsupported protocol; Go tls: server selected unsupported protocol version 300; Java The server selected protocol version SSL30 is not accepted by client preferences; Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH"
	symUnoffered   = "handshake refused (suite never offered): curl (35) error:0A0000F8:SSL routines::unknown cipher returned; Go tls: server chose an unconfigured cipher suite; Java Server selected improper ciphersuite; Chrome ERR_SSL_PROTOCOL_ERROR"
	symLarge       = "connection reset during the handshake: curl (35) Recv failure: Connection reset by peer; openssl s_client write:errno=104; Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET; only for clients whose ClientHello spans segments (post-quantum key shares: Go ≥1.24, Chrome ≥124)"
	symIntolRST    = "connection reset during the handshake: curl (35) Recv failure: Connection reset by peer; openssl s_client write:errno=104; Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET; only for clients whose ClientHello offers a version above 1.2 (TLS 1.3, as curl, openssl and Go do by default); capped at 1.2 the same client gets through: curl --tls-max 1.2, openssl s_client -tls1_2, Go MaxVersion tls.VersionTLS12"
	symIntolFIN    = "connection closed (EOF) during the handshake: curl (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL; openssl s_client unexpected eof while reading; Go EOF; Chrome ERR_CONNECTION_CLOSED; only for clients whose ClientHello offers a version above 1.2 (TLS 1.3, as curl, openssl and Go do by default); capped at 1.2 the same client gets through: curl --tls-max 1.2, openssl s_client -tls1_2, Go MaxVersion tls.VersionTLS12"
	symVersion     = "tls alert 70 protocol_version when the client's versions miss the range: curl (35) tlsv1 alert protocol version (a TLS 1.0-only server gives legacy sigalg disallowed or unsupported); Go remote error: tls: protocol version not supported; Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH"
	symCipher      = "tls alert 40 handshake_failure when no offered suite is allowed: curl (35) sslv3 alert handshake failure; Go remote error: tls: handshake failure; Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH"
	symMTU         = "timeout (PMTUD black hole): small packets pass, the first full-size burst stalls wherever it comes: in the server's certificate flight, curl (28) with curl -v stuck after Client hello (1), openssl s_client hangs, Go net/http: TLS handshake timeout; after a handshake that fit, curl (28) Operation timed out … with N out of M bytes received, Go context deadline exceeded reading the response; Chrome ERR_TIMED_OUT; small responses and short ECDSA chains still work (path MTU 1400: bursts over 1360 bytes stall)"
	symLatency     = "slow, no error: 300ms added per chunk; a client timeout shorter than that shows as a timeout (curl (28), Go i/o timeout)"
	symBlock       = "http status 403 block page, not a TLS error: curl exits 0, or (22) The requested URL returned error: 403 with -f; Go resp.StatusCode == 403 with err == nil"
	symSlicer      = "no error expected: data arrives in small pieces; only naive parsers and DPI break"
	symFragment    = "no error expected: small segments or TLS records; compliant clients reassemble, naive DPI and parsers fail"
	symIdleRST     = "connection reset on the first packet after the idle period (NAT or firewall state expired): curl (56) Recv failure: Connection reset by peer; Go connection reset by peer, or EOF on a reused pooled connection"
	symAlert49     = "tls alert 49 access_denied: curl (35) … tlsv1 alert access denied; Go remote error: tls: access denied; Chrome ERR_BAD_SSL_CLIENT_AUTH_CERT"
	symSNI112      = "tls alert 112 unrecognized_name: curl (35) … tlsv1 unrecognized name; Go remote error: tls: unrecognized name; Chrome ERR_SSL_UNRECOGNIZED_NAME_ALERT"
	symALPN120     = "tls alert 120 no_application_protocol: curl (35) … tlsv1 alert no application protocol; Go remote error: tls: no application protocol; Chrome ERR_SSL_PROTOCOL_ERROR"
	symChainExp    = "certificate rejected, expired: curl (60) SSL certificate problem: certificate has expired; Go x509: certificate has expired or is not yet valid: current time … is after …; Chrome NET::ERR_CERT_DATE_INVALID"
	symClearReq    = "tls alert injected in the clear as the client's request starts (the request never reaches the server), so the client reports a record-layer error, not the alert: Go `local error: tls: bad record MAC`; curl (56) OpenSSL SSL_read: … bad record type (TLS 1.3) or … invalid aad (TLS 1.2 AES-GCM), openssl s_client the same on read"
	symClearResp   = "tls alert injected in the clear in place of the server's response, so the client reports a record-layer error, not the alert: Go `local error: tls: bad record MAC`; curl (56) OpenSSL SSL_read: … bad record type (TLS 1.3) or … invalid aad (TLS 1.2 AES-GCM), openssl s_client the same on read"
	symClearDone   = "tls alert injected in the clear right after the handshake, so the client reports a record-layer error, not the alert: Go `local error: tls: bad record MAC`; curl (56) OpenSSL SSL_read: … bad record type (TLS 1.3) or … invalid aad (TLS 1.2 AES-GCM), openssl s_client the same on read"
	symClearIdle   = "tls alert injected in the clear after 5m0s with no traffic either way (a load balancer or firewall dropping an idle keep-alive connection), so the client reports a record-layer error, not the alert: Go `local error: tls: bad record MAC`; curl (56) OpenSSL SSL_read: … bad record type (TLS 1.3) or … invalid aad (TLS 1.2 AES-GCM), openssl s_client the same on read"
	symChainRoot   = "certificate rejected, untrusted root in chain: curl (60) SSL certificate problem: self-signed certificate in certificate chain; Go x509: certificate signed by unknown authority; Chrome NET::ERR_CERT_AUTHORITY_INVALID"
	symChainSkew   = "certificate rejected, per the chain (client-symptoms.md §4); validity shifted by -720h0m0s (clock skew): expect expired or not yet valid when the shift passes the window"
	symChainSelf   = "certificate rejected, self-signed: curl (60) SSL certificate problem: self-signed certificate; Go x509: certificate signed by unknown authority; Chrome NET::ERR_CERT_AUTHORITY_INVALID"
)

// The MTU symptoms the listener records once the stall showed where it
// bit (faults.ActedSymptom); symMTU is the one a rule armed before the
// handshake expects, naming both places.
const (
	symMTUFlight = "timeout (PMTUD black hole) in the server's certificate flight: small packets pass, the first full-size burst stalls; curl (28) with curl -v stuck after Client hello (1); openssl s_client hangs; Go net/http: TLS handshake timeout; Chrome ERR_TIMED_OUT; small responses and short ECDSA chains still work (path MTU 1400: bursts over 1360 bytes stall)"
	symMTUPlain  = "timeout (PMTUD black hole) in the plain HTTP exchange: the request fits, the first full-size burst stalls; curl (28) Operation timed out … with N out of M bytes received; Go context deadline exceeded or i/o timeout reading the response; Chrome ERR_TIMED_OUT; small responses still work (path MTU 1400: bursts over 1360 bytes stall)"
	symMTUData   = "timeout (PMTUD black hole) after the handshake: the first full-size burst of the data stalls; curl (28) Operation timed out … with N out of M bytes received (curl -v shows the whole handshake and the request); Go context deadline exceeded or i/o timeout reading the response; Chrome ERR_TIMED_OUT; small responses still work (path MTU 1400: bursts over 1360 bytes stall)"
)

// firing is one recorded fault firing.
func firing(rule, action, stage, dir string, draw float64, symptom string) FaultFiring {
	return FaultFiring{Rule: rule, Action: action, Stage: stage, Direction: dir, Draw: draw, Symptom: symptom}
}

// probable sets the probability of the rule that fired: only then does its
// draw mean anything, and only then do the texts show it.
func probable(fr FaultFiring, p float64) FaultFiring {
	fr.Probability = p
	return fr
}

// then sets what followed a truncation or a hold, as the rule says.
func then(fr FaultFiring, t string) FaultFiring {
	fr.Then = t
	return fr
}

// intolerant sets a version_intolerance firing's intolerant_above.
func intolerant(fr FaultFiring, above string) FaultFiring {
	fr.IntolerantAbove = above
	return fr
}

// acted records where the listener saw a firing act.
func acted(fr FaultFiring, stage string) FaultFiring {
	fr.Acted = stage
	return fr
}

// chain sets the chain a chain rule served and its validity shift.
func chain(fr FaultFiring, kind string, skew time.Duration) FaultFiring {
	fr.Chain, fr.Skew = kind, skew
	return fr
}

// fired records firings on o as the listener does: names and details.
func fired(o *Outcome, fs ...FaultFiring) *Outcome {
	for _, fr := range fs {
		o.Faults = append(o.Faults, fr.Rule)
	}
	o.FaultFirings = append(o.FaultFirings, fs...)
	return o
}

// stopped records a stop: the listener sets FaultApplied and the route.
func stopped(o *Outcome, applied string, fs ...FaultFiring) *Outcome {
	o.FaultApplied, o.Route = applied, "fault_"+applied
	return fired(o, fs...)
}

// helloAt is a TLS listener that read a ClientHello and was stopped before
// any handshake: the client leg was never tried.
func helloAt(mode string, h *sniff.ClientHello) *Outcome {
	o := withHello(base(mode), h)
	o.ClientTLS.Attempted = false
	return o
}

// handshaken is a terminated connection whose client leg completed.
func handshaken() *Outcome {
	o := withHello(base("terminate"), modernHello())
	c := &o.ClientTLS
	c.Done, c.Version, c.CipherSuite, c.ALPN = true, tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256, "h2"
	return o
}

// pqHello is a Go 1.24+ ClientHello with a post-quantum key share: about
// 1.7 KB, more than one TCP segment.
func pqHello() *sniff.ClientHello {
	h := modernHello()
	h.KeyShareGroups = []uint16{0x0a0a, 0x11ec, 0x001d}
	h.WireLen, h.Records = 1674, 1
	return h
}

func faultCases() []diagCase {
	return slices.Concat(faultStopCases(), faultWrapperCases(), groupCases(), chainQuietCases(), cutCases(), plainStopCases(),
		recordCases(), clockCases(), ocspClockCases(), alpnCases(), hostCases(), constraintsCases(), rateLimitCases(), connectCases())
}

// faultStopCases: one per stop action (per stage for reset, close and
// blackhole), plus a stop recorded without firings and an unknown action.
func faultStopCases() []diagCase {
	latAccept := probable(firing("slow-accept", "latency", "accept", "c2s", 0.1, symLatency), 0.5)

	resetHello := stopped(helloAt("terminate", modernHello()), "reset", latAccept,
		probable(firing("waf-sni-block", "reset", "client_hello", "both", 0.8137, symResetHS), 0.9))
	resetAccept := base("passthrough")
	resetAccept.Kind = sniff.Empty
	stopped(resetAccept, "reset", firing("conn-limit", "reset", "accept", "both", 0.05, symResetHS))
	resetDone := stopped(handshaken(), "reset", firing("ips-after", "reset", "handshake_done", "both", 0.5, symResetStream))

	closeAccept := base("terminate")
	closeAccept.Kind = sniff.Empty
	stopped(closeAccept, "close", firing("lb-no-backend", "close", "accept", "both", 0.2, symEOFHS))
	closeHello := stopped(helloAt("passthrough", modernHello()), "close",
		firing("half", "close", "client_hello", "s2c", 0.3, symEOFHS))
	closeDone := stopped(handshaken(), "close", firing("authz", "close", "handshake_done", "both", 0.4, symEOFStream))

	bhAccept := base("passthrough")
	bhAccept.Kind = sniff.Empty
	stopped(bhAccept, "blackhole", firing("lost-state", "blackhole", "accept", "both", 0.6, symTimeoutHS))
	// A one-way blackhole at accept is a wrapper; the stop is the later one.
	bhHello := stopped(helloAt("terminate", modernHello()), "blackhole",
		firing("drop-up", "blackhole", "accept", "c2s", 0.01, symTimeoutHS),
		firing("gfw-drop", "blackhole", "client_hello", "both", 0.7, symTimeoutHS))
	bhDone := stopped(handshaken(), "blackhole", firing("dlp", "blackhole", "handshake_done", "both", 0.9, symTimeoutData))

	alert49 := stopped(helloAt("terminate", modernHello()), "alert", firing("deny", "alert", "client_hello", "both", 0.42, symAlert49))
	alert49.ClientTLS.AlertSent = 49
	// No symptom recorded: the client hint comes from the alert number.
	alert40 := stopped(helloAt("terminate", modernHello()), "alert", firing("policy-40", "alert", "client_hello", "both", 0.42, ""))
	alert40.ClientTLS.AlertSent = 40

	// Alerts beneath the session: a stop at handshake_done, and wrappers
	// at request, response and idle that the listener records as a stop
	// once they fired.
	clearDone := stopped(handshaken(), "alert", firing("late-40", "alert", "handshake_done", "", 0.21, symClearDone))
	clearDone.ClientTLS.AlertSent = 40
	clearReq := stopped(handshaken(), "alert", firing("ips-verdict", "alert", "request", "", 0.22, symClearReq))
	clearReq.ClientTLS.AlertSent, clearReq.BytesUp = 49, 78
	clearResp := stopped(handshaken(), "alert", firing("dlp-resp", "alert", "response", "", 0.23, symClearResp))
	clearResp.ClientTLS.AlertSent, clearResp.BytesUp = 80, 78
	clearIdle := stopped(handshaken(), "alert", firing("lb-idle", "alert", "idle", "", 0.24, symClearIdle))
	clearIdle.ClientTLS.AlertSent, clearIdle.BytesUp, clearIdle.BytesDown = 40, 78, 312

	noSNI := modernHello()
	noSNI.ServerName = ""
	sniPolicy := stopped(helloAt("terminate", noSNI), "sni_policy", firing("strict-sni", "sni_policy", "client_hello", "both", 0.11, symSNI112))
	sniPolicy.ClientTLS.AlertSent = 112

	h2only := modernHello()
	h2only.ALPN = []string{"h2"}
	alpn := stopped(helloAt("terminate", h2only), "alpn_refuse", firing("no-h2", "alpn_refuse", "client_hello", "both", 0.12, symALPN120))
	alpn.ClientTLS.AlertSent = 120

	plain := stopped(helloAt("passthrough", modernHello()), "plaintext_reply",
		firing("captive", "plaintext_reply", "client_hello", "both", 0.13, symPlain))
	ssl3 := stopped(helloAt("terminate", modernHello()), "ssl3_server_hello",
		firing("legacy-box", "ssl3_server_hello", "client_hello", "both", 0.14, symSSL3))
	ssl3.ClientTLS.AlertRecv = 70
	unoffered := stopped(helloAt("terminate", modernHello()), "unoffered_cipher",
		firing("rc4md5", "unoffered_cipher", "client_hello", "both", 0.15, symUnoffered))
	unoffered.ClientTLS.AlertRecv = 47
	large := stopped(helloAt("passthrough", pqHello()), "large_hello",
		firing("first-segment-only", "large_hello", "client_hello", "both", 0.16, symLarge))

	// A device intolerant of TLS 1.3: a reset on passthrough, a FIN on
	// terminate, and one whose listener did not record intolerant_above
	// (the texts fall back to the version below the client's best).
	intolRST := stopped(helloAt("passthrough", modernHello()), "version_intolerance",
		intolerant(then(firing("tls13-intolerant", "version_intolerance", "client_hello", "", 0.19, symIntolRST), "rst"), "1.2"))
	intolFIN := stopped(helloAt("terminate", modernHello()), "version_intolerance",
		intolerant(then(firing("old-ips", "version_intolerance", "client_hello", "", 0.2, symIntolFIN), "fin"), "1.2"))
	intol11 := stopped(helloAt("terminate", modernHello()), "version_intolerance",
		intolerant(firing("tls12-intolerant", "version_intolerance", "client_hello", "", 0.22, ""), "1.1"))
	intolBare := stopped(helloAt("inspect", modernHello()), "version_intolerance",
		firing("old-lb", "version_intolerance", "client_hello", "", 0.21, ""))

	tls12Only := modernHello()
	tls12Only.SupportedVersions = []uint16{0x0303}
	policyVer := stopped(helloAt("passthrough", tls12Only), "tls_policy", firing("tls13-only", "version", "client_hello", "both", 0.17, symVersion))
	policyVer.ClientTLS.AlertSent = 70
	policyCipher := stopped(helloAt("passthrough", legacyHello(0x0303, tls.TLS_RSA_WITH_AES_128_CBC_SHA)), "tls_policy",
		firing("fips-only", "cipher", "client_hello", "both", 0.18, symCipher))
	policyCipher.ClientTLS.AlertSent = 40

	unrecorded := base("terminate")
	unrecorded.Kind, unrecorded.FaultApplied, unrecorded.Route, unrecorded.Faults = sniff.Empty, "reset", "fault_reset", []string{"old-rule"}
	unknown := stopped(helloAt("terminate", modernHello()), "teleport", firing("future", "teleport", "client_hello", "both", 0.5, ""))

	const noBigIP = "BIG-IP logs nothing for it"
	return []diagCase{
		{name: "fault_reset_client_hello", o: resetHello, code: CodeFaultInjected, saw: symResetHS,
			contains: []string{"injected by rule waf-sni-block: reset after ClientHello", "On a real network a RST right after the ClientHello",
				"Here it was injected by rule waf-sni-block (reset at client_hello, draw 0.81)", noBigIP,
				"Also fired on this connection: rule slow-accept (latency at accept, draw 0.10).",
				"-noservername", "TTL", "tlsgate fault disable waf-sni-block",
				"fault=waf-sni-block reset at client_hello draw=0.81 expect=connection reset during the handshake",
				"fault=slow-accept latency at accept draw=0.10 expect=slow, no error"}},
		{name: "fault_reset_accept", o: resetAccept, code: CodeFaultInjected, saw: symResetHS,
			contains: []string{"injected by rule conn-limit: reset at accept, before the client sent anything", "reject-with tcp-reset", "not `connection refused`"}},
		{name: "fault_reset_handshake_done", o: resetDone, code: CodeFaultInjected, saw: symResetStream,
			contains: []string{"injected by rule ips-after: reset after the TLS handshake", "completed handshake",
				"(reset at handshake_done): nothing in the path failed", "fault=ips-after reset at handshake_done expect="},
			// No probability: the draw decided nothing, so no text shows it.
			absent: []string{"draw"}},
		{name: "fault_close_accept", o: closeAccept, code: CodeFaultInjected, saw: symEOFHS,
			contains: []string{"injected by rule lb-no-backend: close (FIN) at accept", "Empty reply from server"}},
		{name: "fault_close_client_hello_half", o: closeHello, code: CodeFaultInjected, saw: symEOFHS,
			contains: []string{"injected by rule half: half-close (FIN toward the client) after ClientHello", "closes on a name it does not serve"}},
		{name: "fault_close_handshake_done", o: closeDone, code: CodeFaultInjected, saw: symEOFStream,
			contains: []string{"close (FIN) after the TLS handshake", "cannot reach its pool"}},
		{name: "fault_blackhole_accept", o: bhAccept, code: CodeFaultInjected, saw: symTimeoutHS,
			contains: []string{"blackhole (silent hold) at accept", "asymmetric routing"}},
		{name: "fault_blackhole_client_hello", o: bhHello, code: CodeFaultInjected, saw: symTimeoutHS,
			contains: []string{"injected by rule gfw-drop: blackhole (silent hold) after ClientHello", "Great Firewall",
				"Also fired on this connection: rule drop-up (blackhole at accept)."}},
		{name: "fault_blackhole_handshake_done", o: bhDone, code: CodeFaultInjected, saw: symTimeoutData,
			contains: []string{"after the TLS handshake", "DLP"}},
		{name: "fault_alert_49", o: alert49, code: CodeFaultInjected, saw: symAlert49,
			contains: []string{"injected by rule deny: alert 49 access_denied after ClientHello", "ERR_BAD_SSL_CLIENT_AUTH_CERT", "-msg", "fault_alert_sent=49 access_denied"}},
		{name: "fault_alert_40_no_symptom", o: alert40, code: CodeFaultInjected,
			saw: "tls alert 40 handshake_failure: curl prints `curl: (35) … sslv3 alert handshake failure`, Go `remote error: tls: handshake failure`, Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH."},
		{name: "fault_alert_in_clear_handshake_done", o: clearDone, code: CodeFaultInjected, saw: symClearDone,
			contains: []string{"injected by rule late-40: alert 40 handshake_failure after the TLS handshake", "(alert at handshake_done)",
				"not the TLS endpoint", "tls.record.length == 2", "fault_alert_sent=40 handshake_failure"},
			absent: []string{"ERR_BAD_SSL_CLIENT_AUTH_CERT"}},
		{name: "fault_alert_in_clear_request", o: clearReq, code: CodeFaultInjected, saw: symClearReq,
			contains: []string{"injected by rule ips-verdict: alert 49 access_denied at the request", "(alert at request)",
				"arrives in the clear at the request", "tlsgate fault disable ips-verdict"}},
		{name: "fault_alert_in_clear_response", o: clearResp, code: CodeFaultInjected, saw: symClearResp,
			contains: []string{"injected by rule dlp-resp: alert 80 internal_error at the response", "(alert at response)"}},
		{name: "fault_alert_idle", o: clearIdle, code: CodeFaultInjected, saw: symClearIdle,
			contains: []string{"injected by rule lb-idle: alert 40 handshake_failure while the connection was idle", "(alert at idle)",
				"idle timer closed a keep-alive connection", "IdleConnTimeout", "fault=lb-idle alert at idle expect=tls alert injected in the clear after 5m0s"}},
		{name: "fault_sni_policy", o: sniPolicy, code: CodeFaultInjected, saw: symSNI112,
			contains: []string{"injected by rule strict-sni: strict SNI policy, alert 112 unrecognized_name after ClientHello", "sni-require", "IP literal", "sni=(none)"}},
		{name: "fault_alpn_refuse", o: alpn, code: CodeFaultInjected, saw: symALPN120,
			contains: []string{"ALPN refusal, alert 120 no_application_protocol", "offered (h2)", "--http1.1"}},
		{name: "fault_plaintext_reply", o: plain, code: CodeFaultInjected, saw: symPlain,
			contains: []string{"plaintext HTTP reply after ClientHello", "captive portal", "neverssl"}},
		{name: "fault_ssl3_server_hello", o: ssl3, code: CodeFaultInjected, saw: symSSL3,
			contains: []string{"SSLv3 ServerHello after ClientHello", "POODLE", "The client answered with alert 70 protocol_version", "client_reply=70 protocol_version"}},
		{name: "fault_unoffered_cipher", o: unoffered, code: CodeFaultInjected, saw: symUnoffered,
			contains: []string{"cipher suite the client never offered", "The client answered with alert 47 illegal_parameter", "ciphers_offered="}},
		{name: "fault_large_hello", o: large, code: CodeFaultInjected, saw: symLarge,
			contains: []string{"large-ClientHello intolerance after ClientHello", "This hello was 1674 bytes in one record, key shares X25519MLKEM768, X25519.",
				"--curves X25519", "hello_size=1674 bytes"}},
		{name: "fault_version_intolerance", o: intolRST, code: CodeFaultInjected, saw: symIntolRST,
			contains: []string{"injected by rule tls13-intolerant: TLS version intolerance (a ClientHello offering more than TLS 1.2, closed unanswered) after ClientHello",
				"anything above TLS 1.2 (the client offered TLS 1.3)", "The client got a reset (RST), with no ServerHello and no alert.",
				"legacy_version at 1.2", "`curl -v --tls-max 1.2 --cacert", "-servername lab.test -tls1_2 </dev/null`", noBigIP,
				"(version_intolerance at client_hello): nothing in the path failed", "versions_offered=TLS 1.3, TLS 1.2",
				"fault=tls13-intolerant version_intolerance at client_hello"},
			absent: []string{"unsupported version", "draw", "min_version defaults"}},
		{name: "fault_version_intolerance_11", o: intol11, code: CodeFaultInjected, saw: sawFaultIntolerance,
			contains: []string{"anything above TLS 1.1 (the client offered TLS 1.3, TLS 1.2)", "--tls-max 1.1", "-tls1_1",
				"client_ssl min_version defaults to 1.2", "--ciphers DEFAULT@SECLEVEL=0", "offering TLS 1.3, TLS 1.2, in supported_versions or"}},
		{name: "fault_version_intolerance_fin", o: intolFIN, code: CodeFaultInjected, saw: symIntolFIN,
			contains: []string{"injected by rule old-ips: TLS version intolerance", "The client got a FIN", "--tls-max 1.2", noBigIP}},
		{name: "fault_version_intolerance_unrecorded", o: intolBare, code: CodeFaultInjected, saw: sawFaultIntolerance,
			contains: []string{"injected by rule old-lb: TLS version intolerance (a ClientHello offering more than TLS 1.2", "--tls-max 1.2", "-tls1_2"}},
		{name: "fault_tls_policy_version", o: policyVer, code: CodeFaultInjected, saw: symVersion,
			lines:    []string{lineVersion, lineSummary},
			contains: []string{"TLS policy refusal, alert 70 protocol_version after ClientHello", "accepts none of the versions the client offers (TLS 1.2)", "unsupported version"},
			absent:   []string{noBigIP}},
		{name: "fault_tls_policy_cipher", o: policyCipher, code: CodeFaultInjected, saw: symCipher,
			lines:    []string{lineCiphers, lineNoShared, lineSummary},
			contains: []string{"TLS policy refusal, alert 40 handshake_failure", "no shared ciphers", "TLS_RSA_WITH_AES_128_CBC_SHA"},
			absent:   []string{noBigIP}},
		{name: "fault_unrecorded_stop", o: unrecorded, code: CodeFaultInjected, saw: sawFaultResetAccept,
			contains: []string{"injected by rule old-rule: reset at accept", "(reset at accept): nothing", "faults=old-rule"}},
		{name: "fault_unknown_action", o: unknown, code: CodeFaultInjected,
			contains: []string{"injected by rule future: teleport after ClientHello", "a device in the path"}},
	}
}

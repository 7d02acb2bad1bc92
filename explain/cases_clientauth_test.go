package explain

import "crypto/tls"

// Symptoms of client_auth rules, as faults words them (TestSymptomFixtures).
const (
	symAuthDefault = "tls alert 116 certificate_required for a missing client certificate (40 handshake_failure under TLS 1.2), 48 unknown_ca for one from a CA outside accept_cas: " +
		"under TLS 1.3 the client's handshake completes and the alert comes on its first read: curl (56) OpenSSL SSL_read: … tlsv13 alert certificate required; " +
		"Go Handshake() returns nil, then Read: remote error: tls: certificate required; under TLS 1.2 it ends the handshake: curl (35) … sslv3 alert handshake failure; " +
		"a Go client whose only certificate is from a CA the server does not name sends none, and meets the missing-certificate alert; Chrome ERR_BAD_SSL_CLIENT_AUTH_CERT"
	symAuth49 = "tls alert 49 access_denied for a missing or refused client certificate: " +
		"under TLS 1.3 the client's handshake completes and the alert comes on its first read: curl (56) OpenSSL SSL_read: … tlsv1 alert access denied; " +
		"Go Handshake() returns nil, then Read: remote error: tls: access denied; under TLS 1.2 it ends the handshake: curl (35) … tlsv1 alert access denied; " +
		"a Go client whose only certificate is from a CA the server does not name sends none, and meets the missing-certificate alert; Chrome ERR_BAD_SSL_CLIENT_AUTH_CERT"
)

// authRule sets a client_auth firing's CAs and refusal alert.
func authRule(fr FaultFiring, cas []string, rejectWith int) FaultFiring {
	fr.AcceptCAs, fr.RejectWith = cas, rejectWith
	return fr
}

// clientAuthCases: a client_auth rule asked for the client's certificate.
// The client keeps the code its certificate earns; the rule, its CAs and
// its alert are the story, not the listener's client_cert.
func clientAuthCases() []diagCase {
	// No certificate under TLS 1.3, refused with the rule's access_denied
	// (sealed, so the listener recorded it from the rule, not the bytes).
	missing49 := failed(withHello(base("terminate"), modernHello()), "tls: client didn't provide a certificate")
	missing49.ClientTLS.ServerFlightSent, missing49.ClientTLS.AlertSent = true, 49
	fired(missing49, authRule(firing("mtls-gate", "client_auth", "client_hello", "", 0.2, symAuth49), []string{"lab"}, 49))
	// No certificate under TLS 1.2, crypto/tls's own handshake_failure.
	missing12 := failed(withHello(base("terminate"), modernHello()), "tls: client didn't provide a certificate")
	missing12.ClientTLS.MaxVersion, missing12.ClientTLS.AlertSent = tls.VersionTLS12, 40
	fired(missing12, authRule(firing("mtls-gate", "client_auth", "client_hello", "", 0.2, symAuthDefault), []string{"lab"}, 0))
	// A certificate from a CA outside the rule's file.
	foreign := failed(withHello(base("terminate"), modernHello()), "tls: failed to verify certificate: x509: certificate signed by unknown authority")
	foreign.ClientTLS.ServerFlightSent, foreign.ClientTLS.AlertSent = true, 48
	fired(foreign, authRule(firing("partners-only", "client_auth", "client_hello", "", 0.3, symAuthDefault), []string{"/etc/tlsgate/partners-ca.pem"}, 0))
	// accept_cas = "none": every certificate refused.
	none := failed(withHello(base("terminate"), modernHello()), "tls: failed to verify certificate: x509: certificate signed by unknown authority")
	none.ClientTLS.ServerFlightSent, none.ClientTLS.AlertSent = true, 49
	fired(none, authRule(firing("no-ca", "client_auth", "client_hello", "", 0.3, symAuth49), []string{"none"}, 49))
	// A good certificate: the rule fired and the connection worked.
	ok := fired(handshaken(), authRule(firing("mtls-gate", "client_auth", "client_hello", "", 0.2, symAuthDefault), []string{"lab"}, 0))
	ok.ClientTLS.Mutual = true
	return []diagCase{
		{name: "client_auth_missing_access_denied", o: missing49, code: CodeClientCertMissing, lines: []string{lineSummary},
			contains: []string{"fault rule mtls-gate requires one (tlsgate sent alert 49 access_denied)", "a certificate from the lab CA",
				"the alert the rule's reject_with names", "curl prints `curl: (56) OpenSSL SSL_read: … tlsv1 alert access denied`",
				"Go's first Read returns `remote error: tls: access denied`", "tlsgate fault disable mtls-gate", "ERR_BAD_SSL_CLIENT_AUTH_CERT"},
			absent: []string{"listener web requires", "client_cert = \"request\"", "certificate required"}},
		{name: "client_auth_missing_tls12", o: missing12, code: CodeClientCertMissing, lines: []string{lineSummary},
			contains: []string{"40 handshake_failure", "curl: (35) … sslv3 alert handshake failure", "issued by the lab CA"},
			absent:   []string{"reject_with"}},
		{name: "client_auth_rejected_file", o: foreign, code: CodeClientCertRejected, lines: []string{lineSummary},
			contains: []string{"refused by fault rule partners-only (tlsgate sent alert 48 unknown_ca)", "chained to `/etc/tlsgate/partners-ca.pem`",
				"add the client's CA to the rule's accept_cas", "curl: (56) OpenSSL SSL_read: … tlsv1 alert unknown ca"},
			absent: []string{"client_ca of listener"}},
		{name: "client_auth_rejected_none", o: none, code: CodeClientCertRejected, lines: []string{lineSummary},
			contains: []string{"no CA at all (every certificate is refused)", "49 access_denied", "tlsv1 alert access denied"}},
		{name: "client_auth_ok", o: ok, code: CodeOK, ok: true,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 " +
				"version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: true"},
			contains: []string{"injected by rule mtls-gate (client_auth at client_hello)", "requires a client certificate"}},
	}
}

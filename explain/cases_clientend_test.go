package explain

import (
	"crypto/tls"

	"github.com/tlsgate/tlsgate/sniff"
)

// passedFlight is a passthrough connection whose backend sent its whole
// flight (ServerHello and certificate, 2400 bytes) and whose client then
// sent what e says, as the listener records it.
func passedFlight(h *sniff.ClientHello, e sniff.ClientEnd, up int64) *Outcome {
	o := refusedHello(h, 0, 0)
	o.Backend.HelloAlert = RecordAlert{}
	o.Backend.ClientEnd, o.Backend.FlightSent = e, true
	o.BytesUp, o.BytesDown = up, 2400
	return o
}

// clientEndCases are passthrough clients that ended their handshake with
// the backend: the classic untrusted backend certificate.
func clientEndCases() []diagCase {
	// curl --tls-max 1.2 against a backend signed by a private CA.
	curl12 := passedFlight(tls12Hello(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), sniff.ClientEnd{Kind: sniff.ClientEndAlert, Level: 2, Desc: 48}, 517+7)
	// Go capped at TLS 1.2 sends 42 for every certificate failure.
	// An inspect listener's bypass passes TLS like passthrough: the
	// refusal is the real server's chain, and the texts say why this
	// connection was not inspected.
	bypassed := passedFlight(tls12Hello(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), sniff.ClientEnd{Kind: sniff.ClientEndAlert, Level: 2, Desc: 48}, 517+7)
	bypassed.Mode, bypassed.Route, bypassed.Bypass = "inspect", "bypass", "SNI bypass.test matches bypass bypass.test"
	go12 := passedFlight(tls12Hello(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), sniff.ClientEnd{Kind: sniff.ClientEndAlert, Level: 2, Desc: 42}, 517+7)
	// Go under TLS 1.3: a ChangeCipherSpec, then the encrypted alert.
	go13 := passedFlight(modernHello(), sniff.ClientEnd{Kind: sniff.ClientEndEncryptedAlert, CCS: true}, 517+6+24)
	// A client that refused the ServerHello's version in the clear.
	version := passedFlight(modernHello(), sniff.ClientEnd{Kind: sniff.ClientEndAlert, Level: 2, Desc: 70}, 517+7)
	// A client that closed after the backend's flight without a word.
	quiet := passedFlight(modernHello(), sniff.ClientEnd{Kind: sniff.ClientEndSilent}, 517)
	// The same, but the backend sent only its ServerHello: nothing says
	// the client saw a certificate.
	bare := passedFlight(modernHello(), sniff.ClientEnd{Kind: sniff.ClientEndSilent}, 517)
	bare.Backend.FlightSent = false
	// A client that half-closed right after its hello: the relay read its
	// FIN before it wrote the backend's flight to it.
	finFirst := passedFlight(modernHello(), sniff.ClientEnd{Kind: sniff.ClientEndSilent}, 517)
	finFirst.Backend.FINBeforeFlight = true
	return []diagCase{
		{name: "client_rejected_backend_cert_48", o: curl12, code: CodeClientRejectedBackend,
			contains: []string{"refused the certificate of backend 10.0.0.7:8443 with alert 48 unknown_ca", "read, not guessed",
				"not tlsgate's lab CA", "`openssl s_client -connect 10.0.0.7:8443 -servername lab.test -showcerts </dev/null`",
				"trust store or CA bundle", "no BIG-IP line is shown", "an alert record in the clear: fatal 48 unknown_ca (read)"},
			saw: "unable to get local issuer certificate"},
		{name: "client_rejected_backend_bypass", o: bypassed, code: CodeClientRejectedBackend,
			contains: []string{"passes this connection's TLS through unread (bypass: SNI bypass.test matches bypass bypass.test)"},
			absent:   []string{"Listener web passes TLS through"}},
		{name: "client_rejected_backend_cert_42", o: go12, code: CodeClientRejectedBackend,
			contains: []string{"alert 42 bad_certificate", "Go clients send 42 for every certificate failure"},
			saw:      "x509: certificate signed by unknown authority"},
		{name: "client_rejected_backend_encrypted", o: go13, code: CodeClientRejectedBackend,
			contains: []string{"encrypted alert", "inferred, not read", "19 bytes", "53 or 69", "--tls-max 1.2",
				"14 03 03 00 01 01 (ChangeCipherSpec), then one application_data record of 19 bytes"},
			saw: "unable to get local issuer certificate"},
		{name: "client_rejected_backend_alert_70", o: version, code: CodeClientRejectedBackend,
			contains: []string{"alert 70 protocol_version after the backend's answer", "version or cipher suite"},
			absent:   []string{"refused the backend's certificate"}},
		{name: "client_rejected_backend_abandoned", o: quiet, code: CodeClientRejectedBackend,
			contains: []string{"without answering", "likely", "2400 bytes", "always has the client's Finished",
				"Another order of events ends the same way", "shutting its sending side in a second call", "the relay cannot tell the two apart"}},
		{name: "client_closed_early_before_backend_flight", o: finFirst, code: CodeClientClosedEarly,
			contains: []string{"right after its ClientHello, before tlsgate relayed the certificate of backend 10.0.0.7:8443",
				"cannot have refused the certificate", "read by the relay before it wrote the first byte of the backend's answer", "no BIG-IP line is shown"},
			absent: []string{"likely it refused", "Another order of events", "CLOSE_WAIT", "lab CA"}},
		{name: "ok_client_quiet_after_server_hello", o: bare, code: CodeOK, ok: true},
	}
}

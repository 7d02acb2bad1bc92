package explain

// symChainWrongHost is faults.Symptom for chain = "wrong_host".
const symChainWrongHost = "certificate rejected, wrong host: curl (60) SSL: no alternative certificate subject name matches target host name; Go x509: certificate is valid for …, not …; Chrome NET::ERR_CERT_COMMON_NAME_INVALID"

// chainQuietCases: a chain rule served a bad certificate and the client,
// after a completed handshake, hung up without a byte (curl over TLS 1.3
// checks the name only then, and sends no alert). That is the client
// rejecting the certificate, not a working connection; a client that
// went on to send a request accepted it.
func chainQuietCases() []diagCase {
	wrongHost := chain(firing("wrong-host-leaf", "chain", "client_hello", "both", 0.2, symChainWrongHost), "wrong_host", 0)
	quiet := fired(handshaken(), wrongHost)
	quiet.Route = "terminate"
	quietReset := fired(handshaken(), wrongHost)
	quietReset.Route, quietReset.End = "terminate", EndClientReset
	// A client that accepted it (curl -k) sent its request: ok.
	accepted := fired(handshaken(), wrongHost)
	accepted.Route, accepted.BytesUp, accepted.BytesDown = "terminate", 78, 312
	// The backend reset first: that is the backend's failure, not the
	// client's verdict.
	backendReset := fired(handshaken(), wrongHost)
	backendReset.Route, backendReset.End = "terminate", EndBackendReset
	return []diagCase{
		{name: "fault_wrap_chain_wrong_host_quiet", o: quiet, code: CodeClientRejectedSilently,
			saw: "curl `curl: (60) SSL: no alternative certificate subject name matches target host name 'lab.test'`",
			contains: []string{"completed the handshake, then hung up without a request or an alert: it rejected the certificate fault rule wrong-host-leaf served (chain = \"wrong_host\")",
				"62 (hostname mismatch)", "BIG-IP would log no SSL error", "tlsgate fault disable wrong-host-leaf",
				"injected by rule wrong-host-leaf (chain at client_hello)"},
			absent: []string{"pinning", "01260013"}},
		{name: "fault_wrap_chain_wrong_host_quiet_reset", o: quietReset, code: CodeClientRejectedSilently,
			contains: []string{"it rejected the certificate fault rule wrong-host-leaf served"}},
		{name: "fault_wrap_chain_wrong_host_accepted", o: accepted, code: CodeOK, ok: true,
			lines: []string{okDetailsLine()}},
		{name: "fault_wrap_chain_wrong_host_backend_reset", o: backendReset, code: CodeBackendReset},
	}
}

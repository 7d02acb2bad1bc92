package explain

import "time"

const (
	symOCSPAhead  = "certificate rejected, OCSP staple not current, its thisUpdate 2h0m0s in the future (a responder whose clock is ahead): only clients that check the staple notice, beyond OpenSSL's five minutes of leeway: curl --cert-status (91) OCSP response has expired (in both directions); a Go client that checks the staple in VerifyConnection fails with its own error and sends alert 42; Go, curl without --cert-status and browsers (for a private CA) connect"
	symOCSPBehind = "certificate rejected, OCSP staple not current, its nextUpdate 2h0m0s in the past (a server whose clock is behind, stapling a stale response): only clients that check the staple notice, beyond OpenSSL's five minutes of leeway: curl --cert-status (91) OCSP response has expired (in both directions); a Go client that checks the staple in VerifyConnection fails with its own error and sends alert 42; Go, curl without --cert-status and browsers (for a private CA) connect"
)

// ocspClockCases: an ocsp_times rule served a good certificate with a good
// OCSP staple whose times are not current. curl --cert-status hangs up
// after the handshake (observed: `curl: (91) OCSP response has expired`,
// either direction); a Go client that checks the staple in
// VerifyConnection sends alert 42; a client that checks nothing connects.
// A quiet end after the handshake is only consistent with a staple check
// (openssl s_client -status </dev/null ends the same way having accepted
// it), and one during the handshake without an alert is no staple check's.
func ocspClockCases() []diagCase {
	ahead := chain(firing("ocsp-ahead", "ocsp_times", "client_hello", "", 0.2, symOCSPAhead), "", 2*time.Hour)
	behind := chain(firing("ocsp-behind", "ocsp_times", "client_hello", "", 0.2, symOCSPBehind), "", -2*time.Hour)
	quiet := fired(handshaken(), ahead)
	quiet.Route = "terminate"
	quietBehind := fired(handshaken(), behind)
	quietBehind.Route = "terminate"
	goAlert := failed(withHello(base("terminate"), modernHello()), "remote error: tls: bad certificate")
	goAlert.ClientTLS.AlertRecv, goAlert.ClientTLS.ServerFlightSent = 42, true
	fired(goAlert, ahead)
	flight := fired(failed(handshaken(), "read tcp 192.168.20.230:443->192.168.99.86:32962: read: connection reset by peer"), ahead)
	flight.Route, flight.ClientTLS.ServerFlightSent = "terminate", true
	accepted := fired(handshaken(), behind)
	accepted.Route, accepted.BytesUp, accepted.BytesDown = "terminate", 78, 312
	return []diagCase{
		{name: "fault_wrap_ocsp_times_ahead_quiet", o: quiet, code: CodeClientRejectedSilently,
			saw: "curl prints `curl: (91) OCSP response has expired` with `--cert-status`",
			contains: []string{"with the OCSP response fault rule ocsp-ahead stapled with its thisUpdate 2h0m0s in the future: consistent with a client that checks staples refusing it, e.g. curl --cert-status (91)",
				"the staple may or may not be why",
				"an OCSP responder whose clock is ahead by 2h0m0s", "-status </dev/null", "This Update", "BIG-IP would log no SSL error", "tlsgate fault disable ocsp-ahead"},
			absent: []string{"verify error", "trust store", "01260013", "chain = ", "it refused the OCSP response"}},
		{name: "fault_wrap_ocsp_times_behind_quiet", o: quietBehind, code: CodeClientRejectedSilently,
			contains: []string{"stapled with its nextUpdate 2h0m0s in the past", "a server whose clock is behind by 2h0m0s, still stapling a response past its nextUpdate"}},
		{name: "fault_wrap_ocsp_times_flight_reset", o: flight, code: CodeClientRejectedSilently,
			lines: []string{lineSummary},
			contains: []string{"reset the connection (RST) without an alert before finishing the handshake, after the OCSP response fault rule ocsp-ahead stapled with its thisUpdate 2h0m0s in the future: the staple may or may not be why",
				"No client known to check staples refuses one that way"},
			absent: []string{"it refused the OCSP response", "That is how a client that rejects a certificate"}},
		{name: "fault_wrap_ocsp_times_alert42", o: goAlert, code: CodeClientAlert,
			lines:    []string{lineSummary},
			saw:      "curl prints `curl: (91) OCSP response has expired`",
			contains: []string{"alert 42 bad_certificate after reading the OCSP response", "VerifyConnection", "its thisUpdate 2h0m0s in the future", "tlsgate fault disable ocsp-ahead"},
			absent:   []string{"lab CA is not trusted", "chain = "}},
		{name: "fault_wrap_ocsp_times_accepted", o: accepted, code: CodeOK, ok: true,
			lines:    []string{okDetailsLine()},
			contains: []string{"an OCSP responder whose clock is wrong", "curl --cert-status (91) OCSP response has expired"}},
	}
}

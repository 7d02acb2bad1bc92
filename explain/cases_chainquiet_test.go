package explain

import (
	"strings"
	"testing"
	"time"
)

// Chain rules' faults.Symptom texts, as the listener records them.
const (
	symChainWrongHost = "certificate rejected, wrong host: curl (60) SSL: no alternative certificate subject name matches target host name; Go x509: certificate is valid for …, not …; Chrome NET::ERR_CERT_COMMON_NAME_INVALID"
	symChainExpired   = "certificate rejected, expired: curl (60) SSL certificate problem: certificate has expired; Go x509: certificate has expired or is not yet valid: current time … is after …; Chrome NET::ERR_CERT_DATE_INVALID"
	symChainRevoked   = "certificate rejected, OCSP staple says revoked: only clients that check revocation notice: curl --cert-status (91) SSL certificate revocation reason: keyCompromise (1); Go, curl without --cert-status and browsers (for a private CA) connect"
	symSkewAhead      = "certificate rejected, per the chain (client-symptoms.md §4); validity shifted by -720h0m0s (clock skew): expect expired or not yet valid when the shift passes the window"
)

// chainQuietCases: a chain rule served a bad certificate (a bad chain, or
// a good one with shifted dates) and the client, after a completed
// handshake, hung up without a byte (curl over TLS 1.3 checks the name
// only then, and sends no alert). That is the client rejecting the
// certificate, not a working connection; a client that went on to send a
// request accepted it. A client that hung up silently during the
// handshake, once the certificate flight was out, rejected it too.
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

	// The lab's default-cert-no-sni: no SNI, the lab CA at a path of its
	// own and the admin API away from tlsgate fault's default. The
	// commands must send no SNI, trust that CA, check the IP as curl
	// does (OpenSSL's 64, not 62) and reach that admin API.
	labNoSNI := fired(handshaken(), wrongHost)
	hello := *labNoSNI.Hello
	hello.ServerName = ""
	labNoSNI.Hello, labNoSNI.Route = &hello, "terminate"
	labNoSNI.CAFile, labNoSNI.FaultAdmin = "/tmp/lab/ca/ca.pem", "http://127.0.0.1:19280"
	// A skew alone: the good chain, through a client clock 30 days ahead.
	skew := chain(firing("clock-ahead", "chain", "client_hello", "both", 0.2, symSkewAhead), "", -720*time.Hour)
	skewQuiet := fired(handshaken(), skew)
	skewAccepted := fired(handshaken(), skew)
	skewAccepted.BytesUp, skewAccepted.BytesDown = 78, 312
	// Any other bad chain: curl's text is that chain's, not wrong_host's.
	expired := chain(firing("expired-leaf", "chain", "client_hello", "both", 0.2, symChainExpired), "expired", 0)
	expiredQuiet := fired(handshaken(), expired)
	// During the handshake, after the certificate flight, without an alert.
	expiredFlight := fired(failed(handshaken(), "EOF"), expired)
	expiredFlight.ClientTLS.ServerFlightSent = true
	skewFlightReset := fired(failed(handshaken(), "read tcp 192.168.20.230:443->192.168.99.86:32962: read: connection reset by peer"), skew)
	skewFlightReset.ClientTLS.ServerFlightSent = true
	// A revoked staple: curl --cert-status hangs up after the handshake;
	// a client that checks no revocation connects.
	revoked := chain(firing("revoked-leaf", "chain", "client_hello", "both", 0.2, symChainRevoked), "revoked", 0)
	revokedQuiet := fired(handshaken(), revoked)
	revokedQuiet.Route = "terminate"
	// A client that hung up during the handshake without an alert: no
	// staple check ends that way (they alert, or finish first).
	revokedFlight := fired(failed(handshaken(), "EOF"), revoked)
	revokedFlight.Route, revokedFlight.ClientTLS.ServerFlightSent = "terminate", true
	revokedAccepted := fired(handshaken(), revoked)
	revokedAccepted.Route, revokedAccepted.BytesUp, revokedAccepted.BytesDown = "terminate", 78, 312
	return []diagCase{
		{name: "fault_wrap_chain_revoked_quiet", o: revokedQuiet, code: CodeClientRejectedSilently,
			saw: "curl prints `curl: (91) SSL certificate revocation reason: keyCompromise (1)` with `--cert-status`",
			// The same bytes as openssl s_client -status </dev/null that
			// verified ok: consistent with a staple check, not proof.
			contains: []string{"completed the handshake, then hung up without a request or an alert, with the OCSP response fault rule revoked-leaf stapled (chain = \"revoked\"): consistent with a client that checks staples refusing it, e.g. curl --cert-status (91)",
				"openssl s_client -status </dev/null, a monitor) leaves the same way", "the staple may or may not be why",
				"says revoked (reason keyCompromise)", "clients that check no revocation (Go, curl without --cert-status, browsers facing a private CA) connect",
				"-status </dev/null", "BIG-IP would log no SSL error", "tlsgate fault disable revoked-leaf"},
			absent: []string{"verify error", "trust store", "01260013", "it refused the OCSP response", "That is how curl --cert-status refuses"}},
		{name: "fault_wrap_chain_revoked_flight", o: revokedFlight, code: CodeClientRejectedSilently,
			lines: []string{lineSummary},
			contains: []string{"hung up (FIN) without an alert before finishing the handshake, after the OCSP response fault rule revoked-leaf stapled (chain = \"revoked\"): the staple may or may not be why",
				"No client known to check staples refuses one that way", "says revoked (reason keyCompromise)"},
			absent: []string{"it refused the OCSP response", "pinned", "That is how a client that rejects a certificate"}},
		{name: "fault_wrap_chain_revoked_accepted", o: revokedAccepted, code: CodeOK, ok: true,
			lines: []string{okDetailsLine()},
			contains: []string{"a server still using a certificate its CA revoked", "while Go, curl without --cert-status and browsers facing a private CA connect",
				"curl --cert-status (91) SSL certificate revocation reason: keyCompromise (1)"}},
		{name: "fault_wrap_chain_wrong_host_quiet", o: quiet, code: CodeClientRejectedSilently,
			saw: "curl prints `curl: (60) SSL: no alternative certificate subject name matches target host name 'lab.test'`",
			contains: []string{"completed the handshake, then hung up without a request or an alert: it rejected the certificate fault rule wrong-host-leaf served (chain = \"wrong_host\")",
				"62 (hostname mismatch)", "BIG-IP would log no SSL error", "tlsgate fault disable wrong-host-leaf",
				"injected by rule wrong-host-leaf (chain at client_hello)"},
			absent: []string{"pinning", "01260013"}},
		{name: "fault_wrap_chain_wrong_host_no_sni_lab", o: labNoSNI, code: CodeClientRejectedSilently,
			contains: []string{"`openssl s_client -connect 192.168.20.230:443 -noservername -CAfile /tmp/lab/ca/ca.pem -verify_ip 192.168.20.230 -showcerts </dev/null` reports verify error 64 (IP address mismatch)",
				"`curl -v --cacert /tmp/lab/ca/ca.pem https://192.168.20.230:443/`", "`tlsgate fault disable --admin http://127.0.0.1:19280 wrong-host-leaf`"},
			absent: []string{"-servername", "--resolve", "62 (hostname mismatch)", "lab-ca.pem"}},
		{name: "fault_wrap_chain_wrong_host_quiet_reset", o: quietReset, code: CodeClientRejectedSilently,
			contains: []string{"it rejected the certificate fault rule wrong-host-leaf served"}},
		{name: "fault_wrap_chain_wrong_host_accepted", o: accepted, code: CodeOK, ok: true,
			lines: []string{okDetailsLine()}},
		{name: "fault_wrap_chain_wrong_host_backend_reset", o: backendReset, code: CodeBackendReset},
		{name: "fault_wrap_chain_skew_quiet", o: skewQuiet, code: CodeClientRejectedSilently,
			saw: "curl prints `curl: (60) SSL certificate problem: certificate has expired`",
			contains: []string{"completed the handshake, then hung up without a request or an alert: it rejected the certificate fault rule clock-ahead served with its dates shifted by 720h0m0s (expired to the client)",
				"whose clock is ahead by 720h0m0s", "BIG-IP would log no SSL error", "tlsgate fault disable clock-ahead"},
			absent: []string{"no alternative certificate subject name", "01260013"}},
		{name: "fault_wrap_chain_skew_accepted", o: skewAccepted, code: CodeOK, ok: true,
			lines: []string{okDetailsLine()}},
		{name: "fault_wrap_chain_expired_quiet", o: expiredQuiet, code: CodeClientRejectedSilently,
			saw:      "curl prints `curl: (60) SSL certificate problem: certificate has expired`",
			contains: []string{"it rejected the certificate fault rule expired-leaf served (chain = \"expired\")", "10 (certificate has expired)"},
			absent:   []string{"no alternative certificate subject name matches target host name 'lab.test'"}},
		{name: "fault_wrap_chain_expired_flight", o: expiredFlight, code: CodeClientRejectedSilently,
			lines: []string{lineSummary},
			saw:   "curl prints `curl: (60) SSL certificate problem: certificate has expired`",
			contains: []string{"received tlsgate's certificate flight, then hung up (FIN) without an alert before finishing the handshake: it rejected the certificate fault rule expired-leaf served (chain = \"expired\")",
				"10 (certificate has expired)", "tlsgate fault disable expired-leaf"},
			absent: []string{"pinned public key", "bypass on listener"}},
		{name: "fault_wrap_chain_skew_flight_reset", o: skewFlightReset, code: CodeClientRejectedSilently,
			lines: []string{lineSummary},
			saw:   "curl prints `curl: (60) SSL certificate problem: certificate has expired`",
			contains: []string{"received tlsgate's certificate flight, then reset the connection (RST) without an alert before finishing the handshake: it rejected the certificate fault rule clock-ahead served with its dates shifted by 720h0m0s",
				"whose clock is ahead by 720h0m0s"},
			absent: []string{"pinned public key"}},
	}
}

// TestChainQuietCurl: whichever chain a rule served, a client that hung
// up on it without an alert is client_rejected_silently naming the rule,
// and the client hint is what curl prints for that chain
// (client-symptoms.md §4), not another chain's words.
func TestChainQuietCurl(t *testing.T) {
	tests := []struct {
		chain string
		skew  time.Duration
		curl  string
	}{
		{"expired", 0, "`curl: (60) SSL certificate problem: certificate has expired`"},
		{"not_yet_valid", 0, "`curl: (60) SSL certificate problem: certificate is not yet valid`"},
		{"wrong_host", 0, "`curl: (60) SSL: no alternative certificate subject name matches target host name 'lab.test'`"},
		{"self_signed", 0, "`curl: (60) SSL certificate problem: self-signed certificate`"},
		{"untrusted_root", 0, "`curl: (60) SSL certificate problem: unable to get local issuer certificate`"},
		{"untrusted_root_with_root", 0, "`curl: (60) SSL certificate problem: self-signed certificate in certificate chain`"},
		{"incomplete_chain", 0, "`curl: (60) SSL certificate problem: unable to get local issuer certificate`"},
		{"reversed_chain", 0, "`curl: (60) SSL certificate problem: unsuitable certificate purpose`"},
		{"sha1", 0, "`curl: (60) SSL certificate problem: CA signature digest algorithm too weak`"},
		{"sha1_intermediate", 0, "`curl: (60) SSL certificate problem: CA signature digest algorithm too weak`"},
		{"md5", 0, "`curl: (60) SSL certificate problem: CA signature digest algorithm too weak`"},
		{"weak_rsa", 0, "`curl: (60) SSL certificate problem: EE certificate key too weak`"},
		{"wrong_eku", 0, "`curl: (60) SSL certificate problem: unsuitable certificate purpose`"},
		{"ca_false_issuer", 0, "`curl: (60) SSL certificate problem: invalid CA certificate`"},
		{"path_len", 0, "`curl: (60) SSL certificate problem: path length constraint exceeded`"},
		{"name_constraints", 0, "`curl: (60) SSL certificate problem: permitted subtree violation`"},
		{"huge_cert", 0, "`curl: (35) … excessive message size`"},
		{"long_chain", 0, "curl accepts this chain"},
		{"cn_only", 0, "curl accepts this chain"},
		{"revoked", 0, "`curl: (91) SSL certificate revocation reason: keyCompromise (1)` with `--cert-status`"},
		{"ocsp_unknown", 0, "`curl: (91) SSL server certificate status verification FAILED` with `--cert-status`"},
		{"ocsp_expired", 0, "`curl: (91) OCSP response has expired` with `--cert-status`"},
		{"long_chain", -240 * time.Hour, "`curl: (60) SSL certificate problem: certificate has expired`"},
		{"", 48 * time.Hour, "`curl: (60) SSL certificate problem: certificate is not yet valid`"},
		{"", -720 * time.Hour, "`curl: (60) SSL certificate problem: certificate has expired`"},
	}
	for _, tt := range tests {
		fr := chain(firing("bad-"+tt.chain, "chain", "client_hello", "both", 0.2, "certificate rejected"), tt.chain, tt.skew)
		for _, during := range []bool{false, true} {
			o := fired(handshaken(), fr)
			if during {
				o = fired(failed(handshaken(), "EOF"), fr)
				o.ClientTLS.ServerFlightSent = true
			}
			d := Diagnose(o)
			named := "it rejected the certificate fault rule bad-" + tt.chain + " served"
			if strings.Contains(tt.curl, "curl: (91)") {
				// The certificate was good; its staple was not, and a
				// quiet end only may be a staple check's.
				named = "with the OCSP response fault rule bad-" + tt.chain + " stapled (chain = \"" + tt.chain + "\"): consistent with a client that checks staples"
				if during {
					named = "after the OCSP response fault rule bad-" + tt.chain + " stapled (chain = \"" + tt.chain + "\"): the staple may or may not be why"
				}
			}
			if d.Code != CodeClientRejectedSilently || !strings.Contains(d.Summary, named) {
				t.Errorf("chain %q skew %s (during handshake %v): code %q, summary %q; want client_rejected_silently naming the rule",
					tt.chain, tt.skew, during, d.Code, d.Summary)
			}
			if !strings.Contains(d.ClientSaw, tt.curl) {
				t.Errorf("chain %q skew %s (during handshake %v): client saw %q, want %q", tt.chain, tt.skew, during, d.ClientSaw, tt.curl)
			}
			if tt.chain != "wrong_host" && strings.Contains(d.ClientSaw, "no alternative certificate subject name") {
				t.Errorf("chain %q: client saw names wrong_host's error: %q", tt.chain, d.ClientSaw)
			}
		}
	}
}

// TestOCSPChecksNameProbeCode: whatever staple a rule served, the first
// check names the code `tlsgate probe` gives that staple in step 7
// (probe/step_ocsp.go), in both languages, so an operator can match the
// log's explanation with the probe's output. The revocation chains are
// named "revoked", "ocsp_unknown" in the rule and "ocsp_revoked",
// "ocsp_unknown" by the probe; ocsp_times by the direction of its shift.
func TestOCSPChecksNameProbeCode(t *testing.T) {
	tests := []struct {
		action, chain string
		skew          time.Duration
		code          string
	}{
		{"chain", "revoked", 0, "ocsp_revoked"},
		{"chain", "ocsp_unknown", 0, "ocsp_unknown"},
		{"chain", "ocsp_expired", 0, "ocsp_expired"},
		{"ocsp_times", "", 2 * time.Hour, "ocsp_not_yet_valid"},
		{"ocsp_times", "", -2 * time.Hour, "ocsp_expired"},
	}
	for _, tt := range tests {
		fr := chain(firing("staple", tt.action, "client_hello", "", 0.2, "certificate rejected"), tt.chain, tt.skew)
		quiet := fired(handshaken(), fr)
		quiet.Route = "terminate"
		flight := fired(failed(handshaken(), "EOF"), fr)
		flight.Route, flight.ClientTLS.ServerFlightSent = "terminate", true
		alert := failed(withHello(base("terminate"), modernHello()), "remote error: tls: bad certificate")
		alert.ClientTLS.AlertRecv, alert.ClientTLS.ServerFlightSent = 42, true
		fired(alert, fr)
		for _, o := range []*Outcome{quiet, flight, alert} {
			for lang, step := range map[string]string{LangEN: "in step 7", LangJA: "ステップ 7"} {
				d := DiagnoseLang(o, lang)
				if len(d.Checks) == 0 {
					t.Fatalf("%s %s %s: %s with no checks", tt.action, tt.chain, tt.skew, d.Code)
				}
				want := "`" + tt.code + "`"
				if c := d.Checks[0]; !strings.Contains(c, want) || !strings.Contains(c, step) || !strings.Contains(c, "tlsgate probe 192.168.20.230:443 --sni lab.test --cacert") {
					t.Errorf("%s %s %s (%s, %s): first check %q; want the probe command and its step 7 code %s", tt.action, tt.chain, tt.skew, d.Code, lang, c, want)
				}
			}
		}
	}
}

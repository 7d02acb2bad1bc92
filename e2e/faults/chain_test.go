package faultse2e

import (
	"strings"
	"testing"
)

// chainRule is a chain rule's TOML.
func chainRule(chain, skew string) string {
	s := "action = \"chain\"\n"
	if chain != "" {
		s += "chain = \"" + chain + "\"\n"
	}
	if skew != "" {
		s += "skew = \"" + skew + "\"\n"
	}
	return s
}

// certProblem is curl's prefix for a verification failure (exit 60).
func certProblem(reason string) check { return curlFails(60, "SSL certificate problem: "+reason) }

// TestChains serves each bad chain pki builds and checks the x509 reason
// each client gives (client-symptoms.md §4): curl's exit 60 with OpenSSL's
// verify string, Go's x509 error, and s_client or Python for some. Chains
// that a client accepts must deliver the body. A clock skew moves any
// chain's validity window.
func TestChains(t *testing.T) {
	t.Parallel()
	unknownCA := goFails("x509: certificate signed by unknown authority", nil)
	runCases(t, []faultCase{
		{name: "expired", symptom: "certificate rejected", rule: chainRule("expired", ""), checks: []check{
			certProblem("certificate has expired"), goFails("x509: certificate has expired or is not yet valid", nil),
			sslFails("certificate has expired"), pyFails("certificate has expired"),
			withEvent(sslQuiet("certificate has expired"), rejectedQuietly("expired", "curl: (60) SSL certificate problem: certificate has expired")),
		}},
		{name: "not_yet_valid", symptom: "certificate rejected", rule: chainRule("not_yet_valid", ""), checks: []check{
			certProblem("certificate is not yet valid"), goFails("x509: certificate has expired or is not yet valid", nil),
			sslFails("certificate is not yet valid"),
		}},
		// curl checks the name only after the handshake and hangs up
		// without an alert (either version): tlsgate must log the client
		// rejecting the certificate the rule served, not a working
		// connection with up=0B.
		{name: "wrong_host", symptom: "certificate rejected", rule: chainRule("wrong_host", ""), checks: []check{
			withEvent(curlFails(60, "no alternative certificate subject name matches target host name"), rejectedAfterHandshake),
			withEvent(curlFailsArgs([]string{"--tls-max", "1.2"}, 60, "no alternative certificate subject name matches target host name"), rejectedAfterHandshake),
			goFails("x509: certificate is valid for wrong.host.invalid, not lab.test", nil),
			pyFails("Hostname mismatch"),
		}},
		{name: "self_signed", symptom: "certificate rejected", rule: chainRule("self_signed", ""), checks: []check{
			certProblem("self-signed certificate"), unknownCA, sslFails("self-signed certificate"), pyFails("self-signed certificate"),
		}},
		{name: "untrusted_root", symptom: "certificate rejected", rule: chainRule("untrusted_root", ""), checks: []check{
			certProblem("unable to get local issuer certificate"), unknownCA,
		}},
		{name: "untrusted_root_with_root", symptom: "certificate rejected", rule: chainRule("untrusted_root_with_root", ""), checks: []check{
			certProblem("self-signed certificate in certificate chain"), unknownCA,
		}},
		{name: "incomplete_chain", symptom: "certificate rejected", rule: chainRule("incomplete_chain", ""), checks: []check{
			certProblem("unable to get local issuer certificate"), unknownCA, sslFails("unable to get local issuer certificate"),
		}},
		{name: "reversed_chain", symptom: "certificate rejected", rule: chainRule("reversed_chain", ""), checks: []check{
			certProblem("unsuitable certificate purpose"), goFails("x509: certificate is not valid for any names", nil),
		}},
		{name: "sha1", symptom: "certificate rejected", rule: chainRule("sha1", ""), checks: []check{
			certProblem("CA signature digest algorithm too weak"), goFails("insecure algorithm", nil),
		}},
		// The SHA-1 sits on the intermediate, signed by the lab CA.
		{name: "sha1_intermediate", symptom: "certificate rejected", rule: chainRule("sha1_intermediate", ""), checks: []check{
			withEvent(curlFailsArgs([]string{"--tls-max", "1.2"}, 60, "curl: (60) SSL certificate problem: CA signature digest algorithm too weak"), weakAlert("sha1_intermediate")),
			withEvent(goFails(`x509: cannot verify signature: insecure algorithm ECDSA-SHA1`, nil), weakAlert("sha1_intermediate")),
		}},
		// md5WithRSA, re-signed by hand under the RSA lab intermediate.
		{name: "md5", symptom: "certificate rejected", rule: chainRule("md5", ""), checks: []check{
			withEvent(curlFailsArgs([]string{"--tls-max", "1.2"}, 60, "curl: (60) SSL certificate problem: CA signature digest algorithm too weak"), weakAlert("md5")),
			certProblem("CA signature digest algorithm too weak"),
			withEvent(goFails(`x509: cannot verify signature: insecure algorithm MD5-RSA`, nil), weakAlert("md5")),
		}},
		// OpenSSL at security level 2 rejects the RSA-1024 leaf; Go
		// accepts 1024 bits.
		{name: "weak_rsa", symptom: "certificate rejected", rule: chainRule("weak_rsa", ""), checks: []check{
			certProblem("EE certificate key too weak"), goGets("/hello"),
		}},
		{name: "wrong_eku", symptom: "certificate rejected", rule: chainRule("wrong_eku", ""), checks: []check{
			certProblem("unsuitable certificate purpose"), goFails("x509: certificate specifies an incompatible key usage", nil),
		}},
		{name: "ca_false_issuer", symptom: "certificate rejected", rule: chainRule("ca_false_issuer", ""), checks: []check{
			certProblem("invalid CA certificate"), unknownCA,
		}},
		{name: "path_len", symptom: "certificate rejected", rule: chainRule("path_len", ""), checks: []check{
			certProblem("path length constraint exceeded"), goFails("x509: too many intermediates for path length constraint", nil),
		}},
		// Thirteen certificates: fine for curl and Go at their default
		// depth; s_client with a depth limit of 5 refuses.
		{name: "long_chain", symptom: "certificate rejected", rule: chainRule("long_chain", ""), checks: []check{
			curlGets("/hello"), goGets("/hello"), sslFailsArgs([]string{"-verify_depth", "5"}, "certificate chain too long"),
		}},
		// About 120 kB of certificate: over OpenSSL's 100 kB list limit,
		// under Go's 256 KiB message limit.
		{name: "huge_cert", symptom: "certificate rejected", rule: chainRule("huge_cert", ""), checks: []check{
			curlFails(35, "excessive message size"), sslFails("excessive message size"), goGets("/hello"),
		}},
		// A good chain with a stapled OCSP response from the lab CA: only
		// curl --cert-status checks it, after the handshake, and hangs up
		// without an alert; Go asks for the staple, ignores it and
		// connects, and the diagnosis says that is what a revoked
		// certificate looks like. curl without --cert-status asks for no
		// staple, so the rule, which acts only through it, does not fire.
		{name: "revoked", symptom: "certificate rejected", rule: chainRule("revoked", ""), checks: []check{
			withEvent(curlFailsArgs([]string{"--cert-status"}, 91, "curl: (91) SSL certificate revocation reason: keyCompromise (1)"),
				staplesRefused("revoked", "curl: (91) SSL certificate revocation reason: keyCompromise (1)")),
			withEvent(curlFailsArgs([]string{"--cert-status", "--tls-max", "1.2"}, 91, "curl: (91) SSL certificate revocation reason: keyCompromise (1)"),
				staplesRefused("revoked", "curl: (91) SSL certificate revocation reason: keyCompromise (1)")),
			quiet(curlGets("/hello")),
			withEvent(goGets("/hello"), revocationUnchecked),
		}},
		{name: "ocsp_unknown", symptom: "certificate rejected", rule: chainRule("ocsp_unknown", ""), checks: []check{
			withEvent(curlFailsArgs([]string{"--cert-status"}, 91, "curl: (91) SSL server certificate status verification FAILED"),
				staplesRefused("ocsp_unknown", "curl: (91) SSL server certificate status verification FAILED")),
			goGets("/hello"),
		}},
		{name: "ocsp_expired", symptom: "certificate rejected", rule: chainRule("ocsp_expired", ""), checks: []check{
			withEvent(curlFailsArgs([]string{"--cert-status"}, 91, "curl: (91) OCSP response has expired"),
				staplesRefused("ocsp_expired", "curl: (91) OCSP response has expired")),
			quiet(curlGets("/hello")),
		}},
		// Clock skew: an expired leaf minted two days ahead is valid now;
		// a good long chain minted ten days back has expired.
		{name: "skew_rescues_expired", symptom: "certificate rejected", rule: chainRule("expired", "48h"), checks: []check{
			curlGets("/hello"), goGets("/hello"),
		}},
		// A skew alone: the normal leaf, seen through a client clock 30
		// days ahead (expired) or two days behind (not yet valid).
		// curl refuses the dates during the handshake, with an alert; a
		// client that only handshakes and hangs up without one (s_client
		// without -verify_return_error) rejected the shifted certificate
		// too, and is no working connection.
		{name: "skew_alone_past", symptom: "certificate rejected", rule: chainRule("", "-720h"), checks: []check{
			withEvent(certProblem("certificate has expired"), clockAlert),
			goFails("x509: certificate has expired or is not yet valid", nil),
			pyFails("certificate has expired"),
			withEvent(sslQuiet("certificate has expired"), rejectedQuietly("skew_alone_past", "curl: (60) SSL certificate problem: certificate has expired")),
		}},
		{name: "skew_alone_future", symptom: "certificate rejected", rule: chainRule("", "48h"), checks: []check{
			certProblem("certificate is not yet valid"), goFails("x509: certificate has expired or is not yet valid", nil),
		}},
		{name: "skew_expires_long_chain", symptom: "certificate rejected", rule: chainRule("long_chain", "-240h"), checks: []check{
			certProblem("certificate has expired"), goFails("x509: certificate has expired or is not yet valid", nil),
			withEvent(sslQuiet("certificate has expired"), rejectedQuietly("skew_expires_long_chain", "curl: (60) SSL certificate problem: certificate has expired")),
		}},
	})
}

// rejectedAfterHandshake checks the event of a client that completed the
// handshake and then hung up on the certificate: client_rejected_silently,
// naming the rule and the chain, with what curl prints and no BIG-IP
// failure line (BIG-IP's side of the handshake worked).
func rejectedAfterHandshake(t *testing.T, e *connEvent) {
	t.Helper()
	if e.Diagnosis != "client_rejected_silently" || e.OK || !strings.Contains(e.Summary, "it rejected the certificate fault rule wrong_host served") ||
		!strings.Contains(e.ClientSaw, "curl: (60) SSL: no alternative certificate subject name matches target host name 'lab.test'") ||
		len(e.BigIP) != 0 || !e.ClientTLS.Done {
		t.Errorf("diagnosis %q ok %v, summary %q, client saw %q, BIG-IP %q; want client_rejected_silently naming rule wrong_host, curl's (60), no BIG-IP line: %s",
			e.Diagnosis, e.OK, e.Summary, e.ClientSaw, e.BigIP, e)
	}
}

// sslQuiet runs s_client without -verify_return_error: it reports the
// verify error, completes the handshake and, its stdin empty, hangs up
// without a request or an alert.
func sslQuiet(verify string) check {
	return check{run: func(t *testing.T, x *env) string {
		r := runOpenSSL(t, clientTimeout, x.addr(), "-servername", labHost, "-CAfile", x.caFile)
		if r.killed || !strings.Contains(r.out, "Verify return code") || !strings.Contains(r.out, verify) {
			t.Errorf("openssl s_client (killed %v, exit %d): want a completed handshake reporting %q:\n%s", r.killed, r.exit, verify, r.out)
		}
		return ""
	}}
}

// rejectedQuietly checks the event of a client that completed the
// handshake with rule's certificate and hung up without a byte or an
// alert: client_rejected_silently naming the rule, with what curl prints
// for that certificate (not another chain's words), and no BIG-IP line.
func rejectedQuietly(rule, curl string) func(t *testing.T, e *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if e.Diagnosis != "client_rejected_silently" || e.OK || !strings.Contains(e.Summary, "it rejected the certificate fault rule "+rule+" served") ||
			!strings.Contains(e.ClientSaw, curl) || strings.Contains(e.ClientSaw, "no alternative certificate subject name") ||
			len(e.BigIP) != 0 || !e.ClientTLS.Done {
			t.Errorf("diagnosis %q ok %v, summary %q, client saw %q, BIG-IP %q; want client_rejected_silently naming rule %s, %q, no BIG-IP line: %s",
				e.Diagnosis, e.OK, e.Summary, e.ClientSaw, e.BigIP, rule, curl, e)
		}
	}
}

// weakAlert checks the event of a client refusing a weak-signature chain
// with its alert (curl capped at TLS 1.2, so the alert is readable; Go
// always): client_alert, explained by the rule's chain and OpenSSL's
// verify error 68.
func weakAlert(chain string) func(t *testing.T, e *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if e.Diagnosis != "client_alert" || !strings.Contains(e.Cause, `chain = "`+chain+`"`) ||
			!strings.Contains(e.Cause, "68 (CA signature digest algorithm too weak)") {
			t.Errorf("diagnosis %q, cause %q; want client_alert naming chain %s and verify error 68: %s", e.Diagnosis, e.Cause, chain, e)
		}
	}
}

// staplesRefused checks the event of curl --cert-status refusing a stapled
// OCSP response: after a completed handshake, without an alert, so
// client_rejected_silently naming the rule's staple as consistent with
// the end (openssl s_client -status </dev/null ends the same way having
// accepted it), with curl's (91).
func staplesRefused(rule, curl string) func(t *testing.T, e *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if e.Diagnosis != "client_rejected_silently" || e.OK ||
			!strings.Contains(e.Summary, "with the OCSP response fault rule "+rule+" stapled") ||
			!strings.Contains(e.Summary, "consistent with a client that checks staples refusing it, e.g. curl --cert-status (91)") ||
			!strings.Contains(e.ClientSaw, curl) || !strings.Contains(e.Cause, "clients that check no revocation") ||
			len(e.BigIP) != 0 || !e.ClientTLS.Done {
			t.Errorf("diagnosis %q ok %v, summary %q, client saw %q, BIG-IP %q; want client_rejected_silently naming rule %s's staple, %q, no BIG-IP line: %s",
				e.Diagnosis, e.OK, e.Summary, e.ClientSaw, e.BigIP, rule, curl, e)
		}
	}
}

// revocationUnchecked checks the event of a client that checks no
// revocation: it connected, and the diagnosis says so.
func revocationUnchecked(t *testing.T, e *connEvent) {
	t.Helper()
	if e.Diagnosis != "ok" || !e.OK || !strings.Contains(e.Cause, "only clients that check revocation (curl --cert-status and the like) refuse it") {
		t.Errorf("diagnosis %q ok %v, cause %q; want ok, saying only revocation-checking clients refuse it: %s", e.Diagnosis, e.OK, e.Cause, e)
	}
}

// clockAlert checks the event of curl refusing a certificate whose dates a
// skew shifted: its alert during the handshake, explained as the clock.
func clockAlert(t *testing.T, e *connEvent) {
	t.Helper()
	if e.Diagnosis != "client_alert" || !strings.Contains(e.Cause, "shifted by") || !strings.Contains(e.ClientSaw, "curl: (60) SSL certificate problem: certificate has expired") {
		t.Errorf("diagnosis %q, cause %q, client saw %q; want client_alert explained by the shifted clock: %s", e.Diagnosis, e.Cause, e.ClientSaw, e)
	}
}

// sslFailsArgs is sslFails with extra s_client arguments.
func sslFailsArgs(extra []string, texts ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		runOpenSSL(t, clientTimeout, x.addr(), x.sClient(labHost, extra...)...).wantFail(t, texts...)
		return ""
	}}
}

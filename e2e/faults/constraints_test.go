package faultse2e

import (
	"strings"
	"testing"
)

// constrainedRule is a name_constraints chain rule permitting domains.
func constrainedRule(domains string) string {
	return chainRule("name_constraints", "") + "permitted_dns = [" + domains + "]\n"
}

// TestNameConstraints serves the catalog's cert.constraints: a leaf under
// an intermediate whose name constraints permit only example.net, to
// clients that ask for lab.test, so each refuses the chain with its own
// words (observed here: curl 7.88.1 and s_client on OpenSSL 3.0.19, Go
// 1.26.8, Python 3.11.7), while trusting the lab CA. Without SNI the leaf
// is the address's, which the excluded IP subtrees refuse. The same rule
// permitting lab.test is the fixed contrast: every client connects.
func TestNameConstraints(t *testing.T) {
	t.Parallel()
	const curlText = "curl: (60) SSL certificate problem: permitted subtree violation"
	runCases(t, []faultCase{
		{name: "name_constraints", symptom: "certificate rejected", rule: constrainedRule(`"example.net"`), checks: []check{
			withEvent(certProblem("permitted subtree violation"), constraintsExplained("47 (permitted subtree violation)", "DNS:example.net")),
			// Capped at TLS 1.2 the alert is readable: OpenSSL's 46.
			withEvent(curlFailsArgs([]string{"--tls-max", "1.2"}, 60, curlText), constraintsAlert(46)),
			withEvent(goFails(`x509: a root or intermediate certificate is not authorized to sign for this name: DNS name "lab.test" is not permitted by any constraint`, nil),
				constraintsAlert(42)),
			sslFails("Verify return code: 47 (permitted subtree violation)"),
			pyFails("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: permitted subtree violation"),
			withEvent(sslQuiet("permitted subtree violation"), rejectedQuietly("name_constraints", curlText)),
			withEvent(curlIPFails(60, "curl: (60) SSL certificate problem: excluded subtree violation"),
				constraintsExplained("48 (excluded subtree violation)", "excludes every IP address")),
		}},
		{name: "name_constraints_covers", symptom: "certificate rejected", rule: constrainedRule(`"example.net", "lab.test"`), checks: []check{
			curlGets("/hello"), goGets("/hello"), pyGets("/hello"),
		}},
	})
}

// constraintsExplained checks that a refused name_constraints chain is
// explained by the rule, with OpenSSL's verify error for it and the
// first check reading the intermediate's constraints.
func constraintsExplained(verify, subtrees string) func(t *testing.T, e *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		text := e.Cause + " " + strings.Join(e.Checks, " ")
		if !strings.Contains(text, `chain = "name_constraints"`) || !strings.Contains(text, "verify error "+verify) ||
			!strings.Contains(text, "X509v3 Name Constraints") || !strings.Contains(text, subtrees) {
			t.Errorf("diagnosis %q: want the rule's chain, verify error %s and a check reading the constraints (%s): %s", e.Diagnosis, verify, subtrees, e)
		}
	}
}

// constraintsAlert checks the event of a client that refused the chain
// with alert n: client_alert, explained by the rule.
func constraintsAlert(n int) func(t *testing.T, e *connEvent) {
	explained := constraintsExplained("47 (permitted subtree violation)", "DNS:example.net")
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if e.Diagnosis != "client_alert" || e.ClientTLS.AlertRecv != n {
			t.Errorf("diagnosis %q, alert %d; want client_alert with alert %d: %s", e.Diagnosis, e.ClientTLS.AlertRecv, n, e)
		}
		explained(t, e)
	}
}

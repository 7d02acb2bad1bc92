package explain

// symChainConstraints is a name_constraints rule's faults.Symptom, as the
// listener records it for permitted_dns = ["example.net"].
const symChainConstraints = "certificate rejected, name constraints (the intermediate permits only DNS example.net): for any other name curl (60) SSL certificate problem: permitted subtree violation; " +
	"openssl s_client Verify return code: 47 (permitted subtree violation); " +
	"Go x509: a root or intermediate certificate is not authorized to sign for this name: DNS name \"…\" is not permitted by any constraint; " +
	"Python [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: permitted subtree violation; " +
	"by IP address (no SNI) excluded subtree violation (47 becomes 48); a name inside them connects"

// constraintsCases: a name_constraints chain rule served a leaf under an
// intermediate whose name constraints leave out the name the client asked
// for. OpenSSL clients refuse it with alert 46 certificate_unknown
// (observed with curl 7.88.1 on OpenSSL 3.0.19), Go with 42; without SNI
// the address breaks the excluded IP subtrees (48, not 47). The first
// check reads the constraints off the intermediate.
func constraintsCases() []diagCase {
	constrained := func(o *Outcome) *Outcome {
		fr := chain(firing("constrained", "chain", "client_hello", "s2c", 0.31, symChainConstraints), "name_constraints", 0)
		fr.PermittedDNS = []string{"example.net"}
		return fired(o, fr)
	}
	curl := failed(withHello(base("terminate"), modernHello()), "remote error: tls: unknown certificate")
	curl.ClientTLS.AlertRecv, curl.ClientTLS.ServerFlightSent = 46, true
	constrained(curl)
	noSNI := failed(withHello(base("terminate"), modernHello()), "remote error: tls: bad certificate")
	hello := *noSNI.Hello
	hello.ServerName = ""
	noSNI.Hello, noSNI.LeafName = &hello, "192.168.20.230"
	noSNI.ClientTLS.AlertRecv, noSNI.ClientTLS.ServerFlightSent = 42, true
	constrained(noSNI)
	quiet := constrained(handshaken())
	quiet.Route = "terminate"
	return []diagCase{
		{name: "fault_wrap_chain_name_constraints_alert46", o: curl, code: CodeClientAlert, lines: []string{lineSummary},
			saw: "curl (60) SSL certificate problem: permitted subtree violation",
			contains: []string{"alert 46 certificate_unknown", "chain = \"name_constraints\"", "47 (permitted subtree violation)",
				"`openssl s_client -connect 192.168.20.230:443 -servername lab.test -showcerts </dev/null 2>/dev/null | awk '/BEGIN CERTIFICATE/{n++} n==2' | openssl x509 -noout -text | sed -n '/X509v3 Name Constraints/,/Signature Algorithm/p'`",
				"Its `Permitted:` subtrees (DNS:example.net) do not cover lab.test, the name the client asked for",
				"is not permitted by any constraint", "Python [SSL: CERTIFICATE_VERIFY_FAILED]", "tlsgate fault disable constrained"},
			absent: []string{"verify error 48", "excludes every IP address"}},
		{name: "fault_wrap_chain_name_constraints_no_sni", o: noSNI, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"48 (excluded subtree violation)", "-noservername", "it excludes every IP address, and the client sent no SNI, so the leaf names the address 192.168.20.230"},
			absent:   []string{"verify error 47", "-servername lab.test", "do not cover"}},
		// s_client without -verify_return_error finishes the handshake
		// and leaves: the chain's words, curl's text for it.
		{name: "fault_wrap_chain_name_constraints_quiet", o: quiet, code: CodeClientRejectedSilently,
			saw:      "curl prints `curl: (60) SSL certificate problem: permitted subtree violation`",
			contains: []string{"it rejected the certificate fault rule constrained served (chain = \"name_constraints\")", "X509v3 Name Constraints", "DNS:example.net"}},
	}
}

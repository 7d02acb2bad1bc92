package explain

// symFailOpen is a fail-open large_hello's symptom, as faults words it
// (TestSymptomFixtures), and what the plan adds for the rule it blinded.
const (
	symFailOpen = "no error expected from this rule: a middlebox that cannot parse a ClientHello spanning segments gives up and passes it unread (fail-open), " +
		"so its SNI and fingerprint policy never sees those clients: rules keyed on sni, ja3, ja4, alpn or max_offered_version do not match them, " +
		"and only clients with a large hello (post-quantum key shares: Go ≥1.24, Chrome ≥124) get past a block that stops the others"
	symFailOpenBlinded = symFailOpen + "; on this connection it kept rule waf-sni-block from seeing the hello"
)

// failOpenCases: a large_hello that failed open let a post-quantum hello
// past an SNI block. The connection worked; the diagnosis says which
// middlebox that imitates and which rule it kept from the hello.
func failOpenCases() []diagCase {
	passed := fired(handshaken(), then(firing("gives-up", "large_hello", "client_hello", "", 0.5, symFailOpenBlinded), "fail_open"))
	passed.BytesUp, passed.BytesDown = 517, 4096
	return []diagCase{
		{name: "fault_large_hello_fail_open", o: passed, code: CodeOK, ok: true,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 " +
				"version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"},
			contains: []string{"injected by rule gives-up (large_hello at client_hello)", "lets it through unread (fail-open)",
				"kept rule waf-sni-block from seeing the hello"},
			absent: []string{"parses only the first segment"}},
	}
}

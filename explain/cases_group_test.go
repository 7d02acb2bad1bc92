package explain

import (
	"crypto/tls"

	"github.com/tlsgate/tlsgate/sniff"
)

// symGroup is faults.Symptom for a cipher rule with groups = ["P-384"].
const symGroup = "tls alert 40 handshake_failure when the client offers none of the allowed key exchange groups (P-384): curl (35) sslv3 alert handshake failure; openssl s_client sslv3 alert handshake failure (SSL alert number 40); Go remote error: tls: handshake failure; Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH"

// x25519Hello is curl --curves X25519: one group, X25519.
func x25519Hello() *sniff.ClientHello {
	h := modernHello()
	h.SupportedGroups = []uint16{0x0a0a, uint16(tls.X25519)}
	return h
}

// groupCases: a cipher rule's groups leave none the client offers. Under
// TLS 1.3 Go says "no key exchanges supported", below it "no cipher suite
// supported" (its ECDHE suites need a curve); a passthrough listener
// answers with the alert itself. Each is a no-shared-group diagnosis with
// both lists, in BIG-IP's no shared ciphers group.
func groupCases() []diagCase {
	narrowed := func(o *Outcome) *Outcome {
		o.ClientTLS.OurGroups = []uint16{uint16(tls.CurveP384)}
		o.ClientTLS.AlertSent = 40
		return fired(o, firing("nist-only", "cipher", "client_hello", "both", 0.3, symGroup))
	}
	tls13 := narrowed(failed(withHello(base("terminate"), x25519Hello()), "tls: no key exchanges supported by both client and server"))

	h12 := legacyHello(0x0303, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
	h12.SupportedGroups = []uint16{uint16(tls.X25519)}
	tls12 := withHello(base("terminate"), h12)
	tls12.ClientTLS.OurKey = "ecdsa"
	tls12 = narrowed(failed(tls12, "tls: no cipher suite supported by both client and server; client offered: [c02b c02f]"))

	// Nothing recorded but Go's words.
	errOnly := failed(withHello(base("terminate"), x25519Hello()), "tls: no key exchanges supported by both client and server")

	pass := stopped(helloAt("passthrough", x25519Hello()), "tls_policy", firing("nist-only", "cipher", "client_hello", "both", 0.3, symGroup))
	pass.ClientTLS.AlertSent = 40
	pass.ClientTLS.OurGroups = []uint16{uint16(tls.CurveP384)}

	return []diagCase{
		{name: "no_shared_group_tls13", o: tls13, code: CodeNoSharedGroup, lines: []string{lineCiphers, lineNoShared, lineSummary},
			saw: "sslv3 alert handshake failure",
			contains: []string{"no shared key exchange group: client 192.168.99.86:32962 offered X25519; listener web allowed only P-384",
				"groups_offered=X25519", "groups_ours=P-384", "no shared ciphers", "-groups X25519", "curl --curves P-384",
				"injected by rule nist-only (cipher at client_hello)"},
			absent: []string{"read the error above"}},
		{name: "no_shared_group_tls12", o: tls12, code: CodeNoSharedGroup, lines: []string{lineCiphers, lineNoShared, lineSummary},
			saw:      "SSL alert number 40",
			contains: []string{"offered X25519; listener web allowed only P-384"},
			absent:   []string{"none could be used", "no usable cipher"}},
		{name: "no_shared_group_error_only", o: errOnly, code: CodeNoSharedGroup, lines: []string{lineCiphers, lineNoShared, lineSummary},
			contains: []string{"no key exchanges supported by both client and server", "cannot be compared here"}},
		{name: "fault_tls_policy_group", o: pass, code: CodeFaultInjected, saw: symGroup,
			lines:    []string{lineCiphers, lineNoShared, lineSummary},
			contains: []string{"TLS policy refusal, alert 40 handshake_failure", "allows only some key exchange groups (P-384", "offers none of them (X25519)", "groups_offered=X25519"},
			absent:   []string{"shares no suite", "suite the client offered", "suites the client offered"}},
	}
}

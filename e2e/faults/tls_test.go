package faultse2e

import (
	"crypto/tls"
	"strings"
	"testing"
)

// TestTLSPolicy covers the actions that answer or shape the handshake:
// alert (several codes, by number and by name), version, cipher,
// sni_policy and alpn_refuse, on terminating listeners and, for the
// version floor, on a passthrough listener that must answer by hand.
func TestTLSPolicy(t *testing.T) {
	t.Parallel()
	maxTLS12 := func(c *tls.Config) { c.MaxVersion = tls.VersionTLS12 }
	runCases(t, []faultCase{
		{name: "alert_40", symptom: "tls alert 40 handshake_failure", rule: "action = \"alert\"\nalert = 40\n", stop: "alert", event: alertSent(40), checks: []check{
			curlFails(35, "sslv3 alert handshake failure"), sslFails("alert number 40"),
			goFails("remote error: tls: handshake failure", nil), pyFails("SSLV3_ALERT_HANDSHAKE_FAILURE"),
		}},
		{name: "alert_48", symptom: "tls alert 48 unknown_ca", rule: "action = \"alert\"\nalert = 48\n", stop: "alert", event: alertSent(48), checks: []check{
			curlFails(35, "tlsv1 alert unknown ca"), sslFails("alert number 48"),
			goFails("remote error: tls: unknown certificate authority", nil), pyFails("TLSV1_ALERT_UNKNOWN_CA"),
		}},
		{name: "alert_70", symptom: "tls alert 70 protocol_version", rule: "action = \"alert\"\nalert = 70\n", stop: "alert", event: alertSent(70), checks: []check{
			curlFails(35, "tlsv1 alert protocol version"), sslFails("alert number 70"),
			goFails("remote error: tls: protocol version not supported", nil), pyFails("TLSV1_ALERT_PROTOCOL_VERSION"),
		}},
		{name: "alert_112", symptom: "tls alert 112 unrecognized_name", rule: "action = \"alert\"\nalert = 112\n", stop: "alert", event: alertSent(112), checks: []check{
			curlFails(35, "tlsv1 unrecognized name"), sslFails("alert number 112"),
			goFails("remote error: tls: unrecognized name", nil), pyFails("TLSV1_UNRECOGNIZED_NAME"),
		}},
		{name: "alert_by_name", symptom: "tls alert 49 access_denied", rule: "action = \"alert\"\nalert = \"access_denied\"\n", stop: "alert", event: alertSent(49), checks: []check{
			curlFails(35, "tlsv1 alert access denied"), goFails("remote error: tls: access denied", nil),
		}},
		{name: "alert_80_hold", symptom: "tls alert 80 internal_error", rule: "action = \"alert\"\nalert = 80\nthen = \"hold\"\n", stop: "alert", event: alertSent(80), checks: []check{
			curlFails(35, "tlsv1 alert internal error"), goFails("remote error: tls: internal error", nil),
		}},
		// A TLS 1.3 floor: clients capped at 1.2 get alert 70; a 1.3
		// client meets it and connects as it would without the rule,
		// which therefore does not fire (it used to, promising alert 70).
		{name: "version_floor", symptom: "tls alert 70 protocol_version", rule: "action = \"version\"\nmin_version = \"1.3\"\n", checks: []check{
			curlFailsArgs([]string{"--tls-max", "1.2"}, 35, "tlsv1 alert protocol version"),
			goFails("remote error: tls: protocol version not supported", maxTLS12),
			pyMaxTLS12Fails("TLSV1_ALERT_PROTOCOL_VERSION"),
			quiet(curlGets("/hello")),
		}},
		{name: "version_ceiling", symptom: "tls alert 70 protocol_version", rule: "action = \"version\"\nmax_version = \"1.2\"\n", event: negotiated("TLS 1.2", ""), checks: []check{
			curlFailsArgs([]string{"--tlsv1.3"}, 35, "tlsv1 alert protocol version"),
			goFails("remote error: tls: protocol version not supported", func(c *tls.Config) { c.MinVersion = tls.VersionTLS13 }),
			curlGets("/hello"),
		}},
		// A passthrough listener has no tls.Server; it refuses the hello
		// with a hand-written alert 70, as a Go server would.
		{name: "version_pass", symptom: "tls alert 70 protocol_version", pass: true, rule: "action = \"version\"\nmin_version = \"1.3\"\n", stop: "tls_policy", checks: []check{
			curlFailsArgs([]string{"--tls-max", "1.2"}, 35, "tlsv1 alert protocol version"),
			goFails("remote error: tls: protocol version not supported", maxTLS12),
		}},
		// Only one CBC suite: a client offering only GCM gets alert 40;
		// curl's default list holds the CBC suite and connects with it.
		{name: "cipher", symptom: "tls alert 40 handshake_failure", rule: "action = \"cipher\"\nciphers = [\"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA\"]\n", checks: []check{
			curlFailsArgs([]string{"--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256"}, 35, "sslv3 alert handshake failure"),
			goFails("remote error: tls: handshake failure", func(c *tls.Config) {
				c.MaxVersion = tls.VersionTLS12
				c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
			}),
			withEvent(curlGets("/hello"), negotiated("TLS 1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA")),
		}},
		// Groups narrowed to P-384: a client offering only X25519 shares
		// none, and gets alert 40 whatever its version. The diagnosis names
		// both lists, not a generic handshake failure.
		{name: "cipher_groups", symptom: "tls alert 40 handshake_failure", rule: "action = \"cipher\"\ngroups = [\"P-384\"]\n", checks: []check{
			withEvent(curlFailsArgs([]string{"--curves", "X25519"}, 35, "sslv3 alert handshake failure"), noSharedGroup("no_shared_group")),
			withEvent(sslFailsArgs([]string{"-groups", "X25519"}, "sslv3 alert handshake failure"), noSharedGroup("no_shared_group")),
			withEvent(curlFailsArgs([]string{"--tls-max", "1.2", "--curves", "X25519"}, 35, "sslv3 alert handshake failure"), noSharedGroup("no_shared_group")),
			withEvent(goFails("remote error: tls: handshake failure", func(c *tls.Config) { c.CurvePreferences = []tls.CurveID{tls.X25519} }),
				noSharedGroup("no_shared_group")),
			// It offers P-384 alone: the listener picks it with or
			// without the rule, which changed nothing.
			quiet(curlGets("/hello", "--curves", "P-384")),
		}},
		// A passthrough listener refuses the hello itself, as a Go server
		// would: a stop, explained as a group refusal.
		{name: "cipher_groups_pass", symptom: "tls alert 40 handshake_failure", pass: true, rule: "action = \"cipher\"\ngroups = [\"P-384\"]\n", stop: "tls_policy",
			event: noSharedGroup("fault_injected"), checks: []check{
				curlFailsArgs([]string{"--curves", "X25519"}, 35, "sslv3 alert handshake failure"),
				sslFailsArgs([]string{"-groups", "X25519"}, "sslv3 alert handshake failure"),
			}},
		// Strict SNI: a hello without SNI (curl to an IP literal sends
		// none) gets alert 112; a named host passes.
		{name: "sni_policy", symptom: "tls alert 112 unrecognized_name", rule: "action = \"sni_policy\"\nsni = \"<none>\"\n", stop: "sni_policy", event: alertSent(112), checks: []check{
			curlIPFails(35, "tlsv1 unrecognized name"),
			goFails("remote error: tls: unrecognized name", func(c *tls.Config) { c.ServerName, c.InsecureSkipVerify = "", true }),
			quiet(curlGets("/hello")),
		}},
		{name: "sni_policy_alert40", symptom: "tls alert 40 handshake_failure", rule: "action = \"sni_policy\"\nsni = \"*.unknown.test\"\nalert = 40\n", stop: "sni_policy", checks: []check{
			curlHostFails("www.unknown.test", 35, "sslv3 alert handshake failure"),
			quiet(curlGets("/hello")),
		}},
		// ALPN refusal: h2 offered, alert 120; HTTP/1.1 only passes.
		{name: "alpn_refuse", symptom: "tls alert 120 no_application_protocol", rule: "action = \"alpn_refuse\"\nalpn = \"h2\"\n", stop: "alpn_refuse", event: alertSent(120), checks: []check{
			curlFailsArgs([]string{"--http2"}, 35, "tlsv1 alert no application protocol"),
			goFails("remote error: tls: no application protocol", func(c *tls.Config) { c.NextProtos = []string{"h2", "http/1.1"} }),
			pyALPNFails("h2", "tlsv1 alert no application protocol"),
			quiet(curlGets("/hello", "--http1.1")),
		}},
	})
}

// alertSent checks the event names the alert tlsgate sent.
func alertSent(code int) func(*testing.T, *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if e.ClientTLS.AlertSent != code {
			t.Errorf("client_tls.alert_sent %d, want %d: %s", e.ClientTLS.AlertSent, code, e)
		}
	}
}

// noSharedGroup checks a group refusal's event: diagnosis code, naming the
// client's X25519 and the rule's P-384, with BIG-IP's no shared ciphers
// group (no other message fits a group mismatch).
func noSharedGroup(code string) func(*testing.T, *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if e.Diagnosis != code || !strings.Contains(e.Cause, "X25519") || !strings.Contains(e.Cause, "P-384") ||
			!strings.Contains(e.Cause, "key exchange group") || !strings.Contains(strings.Join(e.BigIP, "\n"), "no shared ciphers (40)") {
			t.Errorf("diagnosis %q, cause %q, BIG-IP %q; want %s naming the groups X25519 and P-384, with no shared ciphers: %s",
				e.Diagnosis, e.Cause, e.BigIP, code, e)
		}
	}
}

// negotiated checks a completed handshake's version (and suite, when set)
// where the event shows one; a refused handshake has neither.
func negotiated(version, cipher string) func(*testing.T, *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if !e.ClientTLS.Done {
			return
		}
		if e.ClientTLS.Version != version || cipher != "" && e.ClientTLS.Cipher != cipher {
			t.Errorf("negotiated %s %s, want %s %s: %s", e.ClientTLS.Version, e.ClientTLS.Cipher, version, cipher, e)
		}
	}
}

// withEvent adds an event check that only this client's connection must
// pass.
func withEvent(c check, f func(*testing.T, *connEvent)) check {
	c.event = f
	return c
}

// curlIPFails runs curl against the listener's IP literal, so the hello
// carries no SNI.
func curlIPFails(exit int, texts ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		r := runCurl(t, clientTimeout, "--cacert", x.caFile, "https://"+x.addr()+"/hello")
		r.want(t, exit, texts...)
		return r.client()
	}}
}

// curlHostFails runs curl with SNI host.
func curlHostFails(host string, exit int, texts ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		r := x.curl(t, clientTimeout, host, "/hello")
		r.want(t, exit, texts...)
		return r.client()
	}}
}

// pyMaxTLS12Fails runs the Python client capped at TLS 1.2.
func pyMaxTLS12Fails(texts ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		r := runPython(t, x.addr(), labHost, x.caFile, "/hello", clientTimeout, "", "1.2")
		r.wantErr(t, texts...)
		return pyClient(r)
	}}
}

// pyALPNFails runs the Python client offering ALPN proto.
func pyALPNFails(proto string, texts ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		r := runPython(t, x.addr(), labHost, x.caFile, "/hello", clientTimeout, proto)
		r.wantErr(t, texts...)
		return pyClient(r)
	}}
}

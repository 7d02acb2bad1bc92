package faultse2e

import (
	"crypto/tls"
	"strings"
	"testing"
)

// TestVersionIntolerance drives version_intolerance with intolerant_above
// 1.2, a middlebox that chokes on TLS 1.3, with real clients on each kind
// of listener: every default client offers TLS 1.3 and meets the reset
// (or, with then = fin, the close) right after its ClientHello, with no
// alert; the same client capped at TLS 1.2 (curl --tls-max 1.2, openssl
// s_client -tls1_2, Go's MaxVersion) passes through the same rule, which
// does not fire for it. Each failure's log event names the rule and the
// intolerance, and the cap to try.
func TestVersionIntolerance(t *testing.T) {
	t.Parallel()
	const rst = "action = \"version_intolerance\"\nintolerant_above = \"1.2\"\n"
	const fin = rst + "then = \"fin\"\n"
	named := func(t *testing.T, e *connEvent) {
		t.Helper()
		for _, want := range []string{"TLS version intolerance", "offering more than TLS 1.2"} {
			if !strings.Contains(e.Summary, want) {
				t.Errorf("summary %q does not name %q", e.Summary, want)
			}
		}
		if !strings.Contains(e.Cause, "the client offered TLS 1.3") || strings.Contains(e.Cause, "alert 70") {
			t.Errorf("cause %q: want the offered TLS 1.3 named, and no alert 70", e.Cause)
		}
		if e.ClientTLS.AlertSent >= 0 {
			t.Errorf("alert_sent %d, want -1 (none): an intolerant middlebox sends no alert", e.ClientTLS.AlertSent)
		}
		if f, ok := e.firing(e.fired()[0]); !ok || !strings.Contains(f.Symptom, "curl --tls-max 1.2") {
			t.Errorf("firing %+v: its symptom does not give the cap that gets through", f)
		}
	}
	runCases(t, []faultCase{
		{name: "intolerant_terminate", symptom: "connection reset", rule: rst, stop: "version_intolerance", event: named, checks: []check{
			curlFails(35, curlReset...),
			quiet(curlGets("/hello", "--tls-max", "1.2")),
			sslFails(sslReset...),
			quiet(sslTLS12()),
			goFails("reset", nil),
			quiet(goHandshakes(maxTLS12)),
			pyFails(pyReset...),
		}},
		{name: "intolerant_pass_fin", symptom: "connection closed (EOF)", pass: true, rule: fin, stop: "version_intolerance", event: named, checks: []check{
			curlFails(35, curlEOF...),
			quiet(curlGets("/hello", "--tls-max", "1.2")),
			sslFails(sslEOF...),
			goFails("eof", nil),
			quiet(goGetsWith("/hello", maxTLS12)),
		}},
		{name: "intolerant_inspect", symptom: "connection reset", upstream: "inspect", rule: rst, stop: "version_intolerance", event: named, checks: []check{
			curlFails(35, curlReset...),
			quiet(curlGets("/hello", "--tls-max", "1.2")),
		}},
	})
}

// maxTLS12 caps a Go client at TLS 1.2.
func maxTLS12(c *tls.Config) { c.MaxVersion = tls.VersionTLS12 }

// sslTLS12 expects openssl s_client -tls1_2 to complete a TLS 1.2
// handshake.
func sslTLS12() check {
	return check{run: func(t *testing.T, x *env) string {
		r := runOpenSSL(t, clientTimeout, x.addr(), x.sClient(labHost, "-tls1_2")...)
		t.Logf("openssl s_client -tls1_2: exit %d", r.exit)
		if r.killed || r.exit != 0 || !strings.Contains(r.out, "Protocol  : TLSv1.2") {
			t.Errorf("openssl s_client -tls1_2: exit %d (hung %v), want a TLS 1.2 handshake:\n%s", r.exit, r.killed, r.out)
		}
		return ""
	}}
}

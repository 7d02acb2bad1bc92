package explain

import (
	"net/netip"
	"strings"
	"testing"
)

// adviceCase pins the first check (and optionally the cause and the
// client hint) of one diagnosis: the advice an operator acts on first.
type adviceCase struct {
	name       string
	o          *Outcome
	lang       string
	code       string
	firstCheck []string // substrings of Checks[0]
	cause      []string // substrings of Cause
	saw        []string // substrings of ClientSaw
	absent     []string // substrings of no text at all
}

func checkAdvice(t *testing.T, cases []adviceCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := DiagnoseLang(tc.o, tc.lang)
			if tc.code != "" && d.Code != tc.code {
				t.Fatalf("code %q, want %q\ncause: %s", d.Code, tc.code, d.Cause)
			}
			if len(d.Checks) == 0 {
				t.Fatalf("no checks: %+v", d)
			}
			for _, w := range tc.firstCheck {
				if !strings.Contains(d.Checks[0], w) {
					t.Errorf("first check %q lacks %q", d.Checks[0], w)
				}
			}
			for _, w := range tc.cause {
				if !strings.Contains(d.Cause, w) {
					t.Errorf("cause %q lacks %q", d.Cause, w)
				}
			}
			for _, w := range tc.saw {
				if !strings.Contains(d.ClientSaw, w) {
					t.Errorf("client saw %q lacks %q", d.ClientSaw, w)
				}
			}
			text := allText(d)
			for _, bad := range tc.absent {
				if strings.Contains(text, bad) {
					t.Errorf("unexpected %q in:\n%s", bad, text)
				}
			}
			if ph := placeholderRE.FindString(text); ph != "" {
				t.Errorf("unexpanded placeholder %s in %q", ph, text)
			}
		})
	}
}

// backendVerify is a terminated client whose backend certificate failed
// verification with Go's error err.
func backendVerify(err string) *Outcome {
	o := withHello(base("terminate"), modernHello())
	o.ClientTLS.Done = true
	o.Backend.Addr, o.Backend.Attempted = "10.0.0.7:8443", true
	o.Backend.Local = netip.MustParseAddrPort("10.0.0.2:40113")
	o.Backend.Remote = netip.MustParseAddrPort("10.0.0.7:8443")
	o.Backend.TLS = Leg{Attempted: true, AlertSent: 42, AlertRecv: -1, Err: "tls: failed to verify certificate: " + err, Verify: err}
	return o
}

// TestBackendVerifyAdvice: a date or name failure is not fixed by a CA, so
// its first check is about the dates or the name.
func TestBackendVerifyAdvice(t *testing.T) {
	expired := backendVerify("x509: certificate has expired or is not yet valid: current time 2026-02-01T08:12:14Z is after 2025-01-01T00:00:00Z")
	hostname := backendVerify("x509: certificate is valid for other.test, not lab.test")
	unknown := backendVerify("x509: certificate signed by unknown authority")
	var cases []adviceCase
	for _, lang := range []string{LangEN, LangJA} {
		cases = append(cases,
			adviceCase{name: "expired_" + lang, o: expired, lang: lang, code: CodeBackendTLSVerify,
				firstCheck: []string{"-dates"}, absent: []string{"ca_file"}},
			adviceCase{name: "hostname_" + lang, o: hostname, lang: lang, code: CodeBackendTLSVerify,
				firstCheck: []string{"server_ssl.server_name"}, absent: []string{"ca_file"}},
			adviceCase{name: "unknown_authority_" + lang, o: unknown, lang: lang, code: CodeBackendTLSVerify,
				firstCheck: []string{"server_ssl.ca"}, absent: []string{"ca_file"}},
		)
	}
	checkAdvice(t, cases)
}

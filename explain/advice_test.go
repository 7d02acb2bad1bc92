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

// TestVersionAdvice: the advice follows the listener's real floor and
// ceiling and what the client offered, not a fixed TLS 1.2 story.
func TestVersionAdvice(t *testing.T) {
	// A TLS 1.2-only client (s_client -tls1_2) against a TLS 1.3-only listener.
	h12 := modernHello()
	h12.SupportedVersions = []uint16{0x0303}
	floor13 := failed(withHello(base("terminate"), h12), "tls: client offered only unsupported versions: [303]")
	floor13.ClientTLS.MinVersion = 0x0304
	// A default client against a listener capped at TLS 1.0.
	cap10 := failed(withHello(base("terminate"), modernHello()), "tls: client offered only unsupported versions: [304 303]")
	cap10.ClientTLS.MinVersion, cap10.ClientTLS.MaxVersion = 0x0301, 0x0301
	// TLS 1.0 against the default floor: both old versions are to enable.
	tls10 := failed(withHello(base("terminate"), legacyHello(0x0301)), "tls: client offered only unsupported versions: [301 300]")
	var cases []adviceCase
	for _, lang := range []string{LangEN, LangJA} {
		cases = append(cases,
			adviceCase{name: "floor13_" + lang, o: floor13, lang: lang, code: CodeVersionTooOld,
				firstCheck: []string{"TLS 1.3", "curl `--tlsv1.3`", "openssl s_client `-tls1_3`", "TLSv1.3`"},
				absent:     []string{"--tlsv1.2", "no-tlsv1/", "TLS 1.0 and 1.1", "TLS 1.0 と 1.1"}},
			adviceCase{name: "cap10_" + lang, o: cap10, lang: lang, code: CodeVersionTooNew,
				firstCheck: []string{`"1.2"`, "no-tlsv1.1/no-tlsv1.2"},
				cause:      []string{"TLS 1.0"},
				absent:     []string{"capped at TLS 1.2", "TLS 1.2 までに制限", "no-tlsv1.3"}},
			adviceCase{name: "tls10_" + lang, o: tls10, lang: lang, code: CodeVersionTooOld,
				firstCheck: []string{"curl `--tlsv1.2`", "TLSv1.2,TLSv1.3"},
				absent:     []string{"no-tlsv1.2", "--tlsv1.3"}},
		)
	}
	checkAdvice(t, cases)
	d := Diagnose(cap10)
	if !strings.Contains(d.Checks[1], "curl `--tlsv1.0 --tls-max 1.0 --ciphers DEFAULT@SECLEVEL=0`") || !strings.Contains(d.Checks[1], "TLSv1`") {
		t.Errorf("cap10 client flags: %q", d.Checks[1])
	}
	if d := Diagnose(floor13); !strings.Contains(d.Checks[1], `min_version = "1.2"`) || !strings.Contains(d.Checks[1], "no-tlsv1.2 ") {
		t.Errorf("floor13 min_version advice: %q", d.Checks[1])
	}
	if d := Diagnose(tls10); !strings.Contains(d.Checks[1], `min_version = "1.0"`) || !strings.Contains(d.Checks[1], "no-tlsv1/no-tlsv1.1") {
		t.Errorf("tls10 min_version advice: %q", d.Checks[1])
	}
}

// TestBackendSawByRoute: what the client sees of a refused backend
// depends on whether tlsgate terminated its TLS before dialling.
func TestBackendSawByRoute(t *testing.T) {
	refused := func(mode, route string, done bool) *Outcome {
		o := withHello(base(mode), modernHello())
		o.Route, o.ClientTLS.Attempted, o.ClientTLS.Done = route, done, done
		o.Backend.Addr, o.Backend.Attempted = "10.0.0.7:8443", true
		o.Backend.DialErr, o.Backend.Refused = "dial tcp 10.0.0.7:8443: connect: connection refused", true
		return o
	}
	plain := httpOn("plaintext", "plain")
	plain.Backend.Addr, plain.Backend.Attempted = "10.0.0.7:8080", true
	plain.Backend.DialErr, plain.Backend.Refused = "dial tcp 10.0.0.7:8080: connect: connection refused", true
	tests := []struct {
		name, lang string
		o          *Outcome
		want, not  string
	}{
		{"passthrough", LangEN, refused("passthrough", "passthrough", false), "curl: (35) Recv failure: Connection reset by peer", "curl: (56)"},
		{"auto_passthrough", LangEN, refused("auto", "passthrough", false), "curl: (35) Recv failure: Connection reset by peer", "curl: (56)"},
		{"inspect_bypass", LangEN, refused("inspect", "bypass", false), "curl: (35) Recv failure", "curl: (56)"},
		{"passthrough_ja", LangJA, refused("passthrough", "passthrough", false), "curl: (35) Recv failure: Connection reset by peer", "curl: (56)"},
		{"terminate", LangEN, refused("terminate", "terminate", true), "curl: (56) Recv failure", "curl: (35)"},
		{"auto_terminate_ja", LangJA, refused("auto", "terminate", true), "curl: (56) Recv failure", "curl: (35)"},
		{"plaintext", LangEN, plain, "curl: (56) Recv failure", "TLS handshake"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := DiagnoseLang(tc.o, tc.lang)
			if d.Code != CodeBackendRefused {
				t.Fatalf("code %s", d.Code)
			}
			if !strings.Contains(d.ClientSaw, tc.want) || strings.Contains(d.ClientSaw, tc.not) {
				t.Errorf("client saw %q: want %q, not %q", d.ClientSaw, tc.want, tc.not)
			}
		})
	}
}

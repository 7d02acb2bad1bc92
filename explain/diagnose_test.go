package explain

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// placeholderRE finds a template name that was not filled in.
var placeholderRE = regexp.MustCompile(`\{[a-z_0-9]+\}`)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// lineTexts renders BIG-IP lines as "ID:sev: text"; ID-less session-log
// lines as "(no ID):sev: text" so the goldens show the difference.
func lineTexts(d Diagnosis) []string {
	var out []string
	for _, l := range d.BigIP {
		id := l.ID
		if id == "" {
			id = "(no ID)"
		}
		out = append(out, fmt.Sprintf("%s:%d: %s", id, l.Sev, l.Text))
	}
	return out
}

// allText is every human-facing word of a diagnosis, for substring checks.
func allText(d Diagnosis) string {
	parts := []string{d.Summary, d.Cause, d.ClientSaw}
	parts = append(parts, d.Checks...)
	parts = append(parts, d.Warnings...)
	for _, e := range d.Evidence {
		parts = append(parts, e.Key+"="+e.Value)
	}
	return strings.Join(parts, "\n")
}

func TestDiagnose(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range diagCases() {
		t.Run(tc.name, func(t *testing.T) {
			d := Diagnose(tc.o)
			seen[d.Code] = true
			if d.Code != tc.code || d.OK != tc.ok {
				t.Fatalf("code=%q ok=%v, want %q ok=%v\ncause: %s", d.Code, d.OK, tc.code, tc.ok, d.Cause)
			}
			if got := lineTexts(d); !slices.Equal(got, tc.lines) {
				t.Errorf("BIG-IP lines:\n got %q\nwant %q", got, tc.lines)
			}
			if d.Summary == "" || d.Cause == "" {
				t.Errorf("empty summary or cause: %+v", d)
			}
			if !d.OK && (len(d.Checks) == 0 || d.ClientSaw == "") {
				t.Errorf("failure without checks or client hint: %+v", d)
			}
			text := allText(d)
			if ph := placeholderRE.FindString(text); ph != "" {
				t.Errorf("unexpanded placeholder %s in %q", ph, text)
			}
			for _, want := range tc.contains {
				if !strings.Contains(text, want) {
					t.Errorf("missing %q in:\n%s", want, text)
				}
			}
			for _, bad := range tc.absent {
				if strings.Contains(text, bad) {
					t.Errorf("unexpected %q in:\n%s", bad, text)
				}
			}
			if !strings.Contains(d.ClientSaw, tc.saw) {
				t.Errorf("client saw %q, want it to contain %q", d.ClientSaw, tc.saw)
			}
			if len(d.Warnings) != tc.warnings {
				t.Errorf("%d warnings, want %d: %q", len(d.Warnings), tc.warnings, d.Warnings)
			}
			if !d.OK && len(d.Warnings) > 0 {
				t.Errorf("warnings on a failure: %q", d.Warnings)
			}
			if again := Diagnose(tc.o); fmt.Sprint(again) != fmt.Sprint(d) {
				t.Errorf("Diagnose is not deterministic")
			}
		})
	}
	for _, code := range allCodes() {
		if !seen[code] {
			t.Errorf("no test case produced code %q", code)
		}
	}
}

// allCodes lists every diagnosis code constant.
func allCodes() []string {
	return []string{CodeOK, CodePlaintextOnTLS, CodePlaintextAllowed, CodeTLSOnPlaintext,
		CodeVersionTooOld, CodeVersionTooNew, CodeNoSharedCipher, CodeNoSharedGroup, CodeSNIMissing, CodeClientSilent,
		CodeClientClosedEarly, CodeClientResetEarly, CodeClientAlert, CodeHandshakeFailed,
		CodeHandshakeTimeout, CodeHelloMalformed, CodeProxyMissing, CodeProxyUnexpected,
		CodeProxyMalformed, CodeBackendRefused, CodeBackendTimeout, CodeBackendError,
		CodeBackendTLSFailed, CodeBackendTLSVerify, CodeMaxConnections, CodeIdleTimeout,
		CodeBackendReset, CodeShutdownCut, CodeAcceptFailed,
		CodeNoOriginalDst, CodeTransparentLoop, CodeClientRejectedSilently,
		CodeClientCertMissing, CodeClientCertRejected, CodeBackendRejectedHello, CodeClientRejectedBackend, CodeBackendNoServerHello, CodeBackendClosedEarly, CodeFaultInjected, CodeHealthCheck, CodeConnectBadRequest}
}

// TestKnowledgeComplete checks every code has an entry with a summary, a
// cause, checks and a client hint (successes included: the operator
// reading an ok line wants to know what the client saw too), and that
// every variant overrides a code that exists.
func TestKnowledgeComplete(t *testing.T) {
	table := knowledge()
	for _, code := range allCodes() {
		if _, ok := table[code]; !ok {
			t.Errorf("code %q has no knowledge entry", code)
		}
	}
	for key, e := range table {
		code, variant, _ := strings.Cut(key, "/")
		if _, ok := table[code]; !ok {
			t.Errorf("variant %q has no base code", key)
			continue
		}
		if variant != "" {
			e = lookup(verdict{code: code, variant: variant})
		}
		if e.summary == "" || e.cause == "" || len(e.checks) == 0 || e.clientSaw == "" {
			t.Errorf("%s: empty summary, cause, checks or client hint", key)
		}
		for _, c := range e.checks {
			if strings.TrimSpace(c) == "" {
				t.Errorf("%s: blank check", key)
			}
		}
	}
	for key, text := range warningTexts() {
		if strings.TrimSpace(text) == "" {
			t.Errorf("warning %s has no words", key)
		}
	}
}

// TestBigIPOnlyVerifiedIDs guards the "never invent an ID" rule: failures
// carry verified IDs at warning; successes carry only the ID-less 17.1
// "SSL Handshake details" session-log lines at info.
func TestBigIPOnlyVerifiedIDs(t *testing.T) {
	verified := map[string]bool{IDConnectionError: true, IDNoSharedCiphers: true, IDHandshakeFailed: true}
	for _, tc := range diagCases() {
		d := Diagnose(tc.o)
		for i, l := range d.BigIP {
			switch {
			case l.ID == "":
				if !d.OK || l.Sev != SevInfo || !strings.HasPrefix(l.Text, "SSL Handshake details for TCP ") {
					t.Errorf("%s: ID-less line that is not a success's session line: %+v", tc.name, l)
				}
			case !verified[l.ID] || l.Sev != SevWarning || d.OK:
				t.Errorf("%s: unverified line %+v", tc.name, l)
			}
			// The summary always closes the group.
			if l.ID == IDHandshakeFailed && i != len(d.BigIP)-1 {
				t.Errorf("%s: 01260013 not last: %v", tc.name, lineTexts(d))
			}
		}
	}
}

func TestDiagnoseNilAndZero(t *testing.T) {
	for _, o := range []*Outcome{nil, {}} {
		d := Diagnose(o)
		if d.Code == "" || d.Summary == "" {
			t.Errorf("Diagnose(%v) = %+v", o, d)
		}
	}
}

// TestDiagnoseUnknownEndpoints: a connection whose endpoints were lost
// (a socket reset before anyone asked for its peer) is still explained in
// words, never with Go's "invalid IP" or "invalid AddrPort", or port 0.
func TestDiagnoseUnknownEndpoints(t *testing.T) {
	for _, o := range []*Outcome{
		{Mode: "plaintext", Route: "closed", PeekEnd: PeerReset},
		{Mode: "passthrough", Route: "closed", PeekEnd: PeerSilent},
		{Mode: "plaintext", Route: "closed", PeekEnd: PeerClosed, FirstBytes: []byte("GE")},
	} {
		for _, lang := range []string{LangEN, LangJA} {
			if text := render(DiagnoseLang(o, lang)); strings.Contains(text, "invalid") || strings.Contains(text, "port 0") {
				t.Errorf("%s, peek end %d: diagnosis names an invalid address:\n%s", lang, o.PeekEnd, text)
			}
		}
	}
}

// render is the golden text form of a diagnosis.
func render(d Diagnosis) string {
	var b strings.Builder
	fmt.Fprintf(&b, "code: %s\nok: %v\nsummary: %s\n", d.Code, d.OK, d.Summary)
	for _, l := range lineTexts(d) {
		fmt.Fprintf(&b, "bigip: %s\n", l)
	}
	fmt.Fprintf(&b, "cause: %s\n", d.Cause)
	for i, c := range d.Checks {
		fmt.Fprintf(&b, "check %d: %s\n", i+1, c)
	}
	fmt.Fprintf(&b, "client saw: %s\n", d.ClientSaw)
	for _, w := range d.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	for _, e := range d.Evidence {
		fmt.Fprintf(&b, "evidence %s: %s\n", e.Key, e.Value)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	for _, tc := range diagCases() {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, filepath.Join("testdata", tc.name+".golden"), render(Diagnose(tc.o)))
		})
	}
}

// checkGolden compares got with the golden file at path, writing it first
// under -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("golden mismatch for %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestRuleOrder(t *testing.T) {
	// A client that reset before sending anything to a PROXY-v2 listener:
	// nothing arrived, so "header missing" cannot be claimed.
	o := base("terminate")
	o.Proxy.Policy, o.Kind, o.PeekEnd = "v2", sniff.Empty, PeerReset
	if d := Diagnose(o); d.Code != CodeClientResetEarly {
		t.Errorf("got %s, want %s", d.Code, CodeClientResetEarly)
	}
	// A version problem outranks the alert the client may send afterwards.
	o = failed(withHello(base("terminate"), legacyHello(0x0301)), "remote error: tls: protocol version not supported")
	if d := Diagnose(o); d.Code != CodeVersionTooOld {
		t.Errorf("got %s, want %s", d.Code, CodeVersionTooOld)
	}
	// A completed handshake is not a cipher failure even if our computed
	// table disagrees (faults or future Go versions may widen the list).
	o = withHello(base("terminate"), legacyHello(0x0303, 0x000a))
	o.ClientTLS.Done = true
	if d := Diagnose(o); d.Code != CodeOK {
		t.Errorf("got %s, want ok", d.Code)
	}
}

// BenchmarkDiagnose: Diagnose runs once per connection and rebuilds its
// tables each call; this keeps an eye on that cost.
func BenchmarkDiagnose(b *testing.B) {
	ok := httpOn("plaintext", "plain")
	ok.Backend.Attempted, ok.Backend.Addr = true, "127.0.0.1:8080"
	ok.BytesUp, ok.BytesDown = 78, 120
	if d := Diagnose(ok); d.Code != CodeOK {
		b.Fatalf("relayed plain HTTP diagnosed %s, want ok", d.Code)
	}
	for _, bc := range []struct {
		name string
		o    *Outcome
	}{
		{"non_ssl_reset", httpOn("terminate", "non_ssl_reset")},
		{"ok_plain", ok},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Diagnose(bc.o)
			}
		})
	}
	// What every connection's end costs: a success is diagnosed briefly.
	b.Run("ok_plain_brief", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if d := DiagnoseBrief(ok); !d.Brief {
				b.Fatal("a relayed plain connection was not diagnosed briefly")
			}
		}
	})
}

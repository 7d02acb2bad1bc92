package listener

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestCipherCapAdviceNamesTheRule: a cipher rule whose suites are all TLS
// 1.2 ones caps a terminating listener at TLS 1.2 as a side effect
// (crypto/tls cannot restrict TLS 1.3 suites), so a TLS 1.3-only client
// is refused. Its advice said to raise the listener's max_version, which
// is not what capped it and cannot help; it now names the rule and its
// ciphers, in both languages, and says no max_version lifts the cap.
func TestCipherCapAdviceNamesTheRule(t *testing.T) {
	res, err := dialTLS13UnderCipherCap(t, Terminate)
	if err == nil || !strings.Contains(err.Error(), "protocol version not supported") {
		t.Fatalf("client error %v, want a protocol_version refusal", err)
	}
	for lang, d := range checkCipherCapAdvice(t, res, explain.CodeVersionTooNew) {
		all := d.Summary + " " + d.Cause + " " + strings.Join(d.Checks, " ")
		for _, wrong := range []string{"max_version on listener", "リスナー test の max_version", "max_version of fault rule", "の max_version を"} {
			if strings.Contains(all, wrong) {
				t.Errorf("%s: advice names %q, which did not cap the version: %s", lang, wrong, all)
			}
		}
	}
}

// TestCipherCapRefusalNamesTheRuleOnPassthrough: a passthrough listener
// refuses such a client itself (alert 70) for the same cipher rule. Its
// advice was a server profile's ("align the client's versions with the
// server's profile"), with nothing on the rule whose suites capped the
// version; it now names the rule and its ciphers, in both languages.
func TestCipherCapRefusalNamesTheRuleOnPassthrough(t *testing.T) {
	res, err := dialTLS13UnderCipherCap(t, Passthrough)
	if err == nil || !strings.Contains(err.Error(), "protocol version not supported") || res.o.FaultApplied != "tls_policy" {
		t.Fatalf("client error %v, applied %q; want the rule's protocol_version refusal", err, res.o.FaultApplied)
	}
	checkCipherCapAdvice(t, res, explain.CodeFaultInjected)
}

// The cipher rule of these tests: its suites are all TLS 1.2 ones.
const cipherCapRule = "gcm12"

var cipherCapSuites = []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}

// dialTLS13UnderCipherCap dials a listener in mode under the cipher rule
// with a TLS 1.3-only client and checks the rule fired once; the caller
// checks how the client was refused.
func dialTLS13UnderCipherCap(t *testing.T, mode Mode) (result, error) {
	t.Helper()
	r := faults.Rule{Name: cipherCapRule, Action: faults.ActCipher, Ciphers: cipherCapSuites}
	res, e, err := dialUnderRule(t, mode, r, &tls.Config{MinVersion: tls.VersionTLS13})
	if n := e.List()[0].Fires; n != 1 {
		t.Errorf("fires %d, want 1", n)
	}
	return res, err
}

// checkCipherCapAdvice checks that the explanation, in both languages, has
// code and a first check naming the cipher rule and its ciphers, and
// returns the explanations by language for further checks.
func checkCipherCapAdvice(t *testing.T, res result, code string) map[string]explain.Diagnosis {
	t.Helper()
	want := map[string]string{explain.LangEN: "Change fault rule " + cipherCapRule + ": its ciphers (" + strings.Join(cipherCapSuites, ", ") + ")",
		explain.LangJA: "フォールトルール " + cipherCapRule + " を変える: その ciphers（" + strings.Join(cipherCapSuites, "、") + "）"}
	ds := map[string]explain.Diagnosis{}
	for _, lang := range []string{explain.LangEN, explain.LangJA} {
		d := explain.DiagnoseLang(res.o, lang)
		if d.Code != code || len(d.Checks) == 0 || !strings.Contains(d.Checks[0], want[lang]) {
			t.Errorf("%s: code %s, checks %q; want %s, check 1 naming %q", lang, d.Code, d.Checks, code, want[lang])
		}
		ds[lang] = d
	}
	return ds
}

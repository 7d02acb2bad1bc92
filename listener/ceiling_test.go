package listener

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestLegacyCeilingAdvice: a version rule that caps the listener at TLS
// 1.0, as the lab's server-tls10-only does. curl (OpenSSL 3, security
// level 2) offers TLS 1.0 too, so the handshake gets as far as TLS 1.0 and
// curl aborts with alert 80; a Go client offers nothing that old and is
// refused. Both need the rule's max_version raised: min_version, which
// the alert-80 advice used to name, cannot help.
func TestLegacyCeilingAdvice(t *testing.T) {
	const rule = "tls10-cap"
	run := func(t *testing.T, client func(addr string)) result {
		e := faults.NewEngine(nil)
		if err := e.Add(faults.Rule{Name: rule, Action: faults.ActVersion, MinVersion: faults.VersionTLS10, MaxVersion: faults.VersionTLS10}); err != nil {
			t.Fatal(err)
		}
		h := startListenerDeps(t, Options{Mode: Terminate, Backend: echoBackend(t), ClientSSL: &ClientSSL{}}, func(d *Deps) { d.Faults = e })
		client(h.addr)
		return h.next()
	}
	tests := []struct {
		name   string
		client func(t *testing.T) func(addr string)
		code   string
	}{
		{"curl", func(t *testing.T) func(string) {
			return func(addr string) {
				if s := curlLab(t, addr, "-k"); !strings.Contains(s.out, "legacy sigalg disallowed or unsupported") {
					t.Logf("curl: exit %d: %s", s.exit, s.out)
				}
			}
		}, explain.CodeClientAlert},
		{"go", func(t *testing.T) func(string) {
			return func(addr string) { goLab(t, addr, &tls.Config{InsecureSkipVerify: true}) }
		}, explain.CodeVersionTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.client(t))
			for _, lang := range []string{explain.LangEN, explain.LangJA} {
				d := explain.DiagnoseLang(r.o, lang)
				want := map[string]string{explain.LangEN: "max_version of fault rule " + rule, explain.LangJA: "フォールトルール " + rule + " の max_version"}[lang]
				if d.Code != tt.code || len(d.Checks) == 0 || !strings.Contains(d.Checks[0], want) || strings.Contains(d.Checks[0], "min_version") {
					t.Errorf("%s: code %s, ceiling rule %q, checks %q; want %s, check 1 naming %q and not min_version",
						lang, d.Code, r.o.ClientTLS.CeilingRule, d.Checks, tt.code, want)
				}
			}
		})
	}
}

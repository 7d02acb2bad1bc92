package listener

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRuleMisfitBypassedSNI: an inspect listener relays a connection whose
// SNI matches a bypass glob undecrypted, so a rule that needs decryption
// (ocsp_times and the revocation chains act only through tlsgate's own
// handshake, as every chain does) and whose sni names only such servers
// never fires there. It was accepted; RuleMisfit now refuses it, blaming
// sni, when the bypass provably covers every name the sni matches: an
// exact name a glob matches, or a glob one bypass glob covers. Where a
// name may escape the bypass (a wider glob, "*" that also takes a hello
// without SNI, "<none>"), or the rule needs no decryption, or another
// listener decrypts those names, it is left alone.
func TestRuleMisfitBypassedSNI(t *testing.T) {
	insp := Options{Name: "insp", Mode: Inspect, Bypass: []string{"*.bank.example", "health.test", "10.0.0.0/8"}}
	term := Options{Name: "term", Mode: Terminate, ClientSSL: &ClientSSL{}}
	ocsp := faults.Rule{Name: "x", Action: faults.ActOCSPTimes, Skew: faults.Duration(3600e9)}
	revoked := faults.Rule{Name: "x", Action: faults.ActChain, Chain: faults.Chain("revoked")}
	expired := faults.Rule{Name: "x", Action: faults.ActChain, Chain: faults.Chain("expired")}
	block := faults.Rule{Name: "x", Action: faults.ActBlockPage}
	skew := faults.Rule{Name: "x", Action: faults.ActProxySkew, Skew: faults.Duration(3600e9)}
	reset := faults.Rule{Name: "x", Action: faults.ActReset}
	with := func(r faults.Rule, sni, at string) faults.Rule { r.SNI, r.Listener = sni, at; return r }
	tests := []misfitCase{
		{"ocsp_times, exact name under a bypass glob", with(ocsp, "www.bank.example", "insp"), []Options{insp},
			`rule "x" staples an OCSP response to the certificate of a handshake tlsgate runs on listener "insp", but its sni "www.bank.example" names only servers that listener relays undecrypted (bypass "*.bank.example"); this rule would never fire (aim the rule at names outside the bypass, or take them out of it)`},
		{"ocsp_times, the bypass glob itself, other case", with(ocsp, "*.BANK.example", "insp"), []Options{insp}, `(bypass "*.bank.example")`},
		{"revoked, a narrower glob", with(revoked, "api-*.bank.example", "insp"), []Options{insp}, `but its sni "api-*.bank.example" names only servers`},
		{"revoked, an exact bypass entry", with(revoked, "health.test", "insp"), []Options{insp}, `(bypass "health.test")`},
		{"ocsp_times, every listener", with(ocsp, "www.bank.example", ""), []Options{insp},
			`rule "x" staples an OCSP response to the certificate of a handshake tlsgate runs, but its sni "www.bank.example" names only servers that listener "insp" (bypass "*.bank.example") relays undecrypted; this rule would never fire`},
		{"any chain, too", with(expired, "www.bank.example", "insp"), []Options{insp}, `serves a bad certificate chain on listener "insp", but its sni`},
		{"block page, too", with(block, "www.bank.example", "insp"), []Options{insp}, `answers an HTTP request with a block page on listener "insp", but its sni`},
		{"proxy_skew, too", with(skew, "www.bank.example", "insp"), []Options{insp}, `shifts tlsgate's clock on the upstream leg on listener "insp", but its sni`},

		{"a name outside the bypass", with(ocsp, "www.shop.example", "insp"), []Options{insp}, ""},
		{"the bare domain, which the glob misses", with(ocsp, "bank.example", "insp"), []Options{insp}, ""},
		{"a glob wider than the bypass", with(ocsp, "*.example", "insp"), []Options{insp}, ""},
		{"a glob that also takes a hello without SNI", with(ocsp, "*", "insp"), []Options{insp}, ""},
		{"no SNI", with(ocsp, faults.SNINone, "insp"), []Options{insp}, ""},
		{"no sni at all", with(ocsp, "", "insp"), []Options{insp}, ""},
		{"a rule that needs no decryption", with(reset, "www.bank.example", "insp"), []Options{insp}, ""},
		{"another listener decrypts the names", with(ocsp, "www.bank.example", ""), []Options{insp, term}, ""},
		{"not inspect: no bypass", with(ocsp, "www.bank.example", "term"), []Options{term}, ""},
	}
	runMisfitCases(t, "sni", tests)
}

// TestSiteSNIBypass: a site carries an inspect listener's SNI globs, not
// its addresses (which no sni selector can be covered by), and no other
// mode's.
func TestSiteSNIBypass(t *testing.T) {
	o := Options{Name: "insp", Mode: Inspect, Bypass: []string{"10.0.0.0/8", "*.bank.example", "192.0.2.1", "Health.test"}}
	if got := o.Site().SNIBypass; strings.Join(got, ",") != "*.bank.example,Health.test" {
		t.Errorf("inspect: %q", got)
	}
	o.Mode = Terminate
	if got := o.Site().SNIBypass; got != nil {
		t.Errorf("terminate: %q", got)
	}
}

// misfitCase is a rule, the sites it is checked against, and the error
// RuleMisfit must give ("" means accepted).
type misfitCase struct {
	name  string
	rule  faults.Rule
	sites []Options
	want  string
}

// runMisfitCases checks each case's rule against its sites: accepted, or
// refused at field with an error containing want.
func runMisfitCases(t *testing.T, field string, tests []misfitCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sites []Site
			for i := range tt.sites {
				sites = append(sites, tt.sites[i].Site())
			}
			got, err := RuleMisfit(tt.rule, `rule "x"`, sites)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused (%s): %v", got, err)
			case tt.want != "" && (err == nil || got != field || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("field %q, error %v\nwant %s: %s", got, err, field, tt.want)
			}
		})
	}
}

package listener

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRuleMisfitBypassedClient: an inspect listener relays TLS from a
// client inside one of its bypass addresses (an IP or a CIDR)
// undecrypted, so a rule that needs decryption and whose client range
// lies wholly inside such an entry never fires there. It was accepted,
// while the same rule with an sni the bypass covers was refused;
// RuleMisfit now refuses it at client, naming both ranges. A range that
// only overlaps the bypass (some of its clients are decrypted), a rule
// that needs no decryption, a rule for HTTP where the listener also
// relays plain HTTP (no address bypass takes that), and a range another
// listener decrypts are left alone.
func TestRuleMisfitBypassedClient(t *testing.T) {
	insp := Options{Name: "insp", Mode: Inspect, Bypass: []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "*.bank.example"}}
	inspPlain := insp
	inspPlain.Name, inspPlain.NonSSL = "insp-plain", NonSSLAllow
	term := Options{Name: "term", Mode: Terminate, ClientSSL: &ClientSSL{}}
	chain := faults.Rule{Name: "x", Action: faults.ActChain, Chain: faults.Chain("expired")}
	ocsp := faults.Rule{Name: "x", Action: faults.ActOCSPTimes, Skew: faults.Duration(3600e9)}
	block := faults.Rule{Name: "x", Action: faults.ActBlockPage}
	reset := faults.Rule{Name: "x", Action: faults.ActReset}
	with := func(r faults.Rule, client, at string) faults.Rule { r.Client, r.Listener = client, at; return r }
	tests := []misfitCase{
		{"a CIDR inside a bypass CIDR", with(chain, "10.1.0.0/16", "insp"), []Options{insp},
			`rule "x" serves a bad certificate chain on listener "insp", but its client "10.1.0.0/16" lies wholly inside that listener's bypass "10.0.0.0/8", whose clients it relays undecrypted; this rule would never fire (aim the rule at clients outside the bypass, or take them out of it)`},
		{"the bypass CIDR itself", with(chain, "10.0.0.0/8", "insp"), []Options{insp}, `its client "10.0.0.0/8" lies wholly inside that listener's bypass "10.0.0.0/8"`},
		{"one address inside", with(ocsp, "10.2.3.4", "insp"), []Options{insp}, `its client "10.2.3.4" lies wholly inside that listener's bypass "10.0.0.0/8"`},
		{"an IPv4-mapped address inside", with(ocsp, "::ffff:10.2.3.4", "insp"), []Options{insp}, `bypass "10.0.0.0/8"`},
		{"the bypass IP itself", with(chain, "192.0.2.7/32", "insp"), []Options{insp}, `its client "192.0.2.7/32" lies wholly inside that listener's bypass "192.0.2.7"`},
		{"IPv6 inside", with(chain, "2001:db8:1::/48", "insp"), []Options{insp}, `bypass "2001:db8::/32"`},
		{"block page where no plain HTTP is relayed", with(block, "10.9.0.0/16", "insp"), []Options{insp}, `answers an HTTP request with a block page on listener "insp", but its client "10.9.0.0/16"`},
		{"every listener", with(chain, "10.1.0.0/16", ""), []Options{insp},
			`rule "x" serves a bad certificate chain, but its client "10.1.0.0/16" lies wholly inside what listener "insp" (bypass "10.0.0.0/8") relays undecrypted; this rule would never fire (aim the rule at clients outside the bypass, or take them out of it)`},

		{"a CIDR that only overlaps", with(chain, "10.0.0.0/7", "insp"), []Options{insp}, ""},
		{"a CIDR around the bypass IP", with(chain, "192.0.2.0/24", "insp"), []Options{insp}, ""},
		{"outside every entry", with(chain, "172.16.0.0/12", "insp"), []Options{insp}, ""},
		{"no client", with(chain, "", "insp"), []Options{insp}, ""},
		{"a rule that needs no decryption", with(reset, "10.1.0.0/16", "insp"), []Options{insp}, ""},
		{"block page where plain HTTP is relayed", with(block, "10.1.0.0/16", "insp-plain"), []Options{inspPlain}, ""},
		{"another listener decrypts them", with(chain, "10.1.0.0/16", ""), []Options{insp, term}, ""},
		{"not inspect: no bypass", with(chain, "10.1.0.0/16", "term"), []Options{term}, ""},
	}
	runMisfitCases(t, "client", tests)
}

// TestSiteAddrBypass: a site carries an inspect listener's bypass
// addresses apart from its SNI globs, and no other mode's.
func TestSiteAddrBypass(t *testing.T) {
	o := Options{Name: "insp", Mode: Inspect, Bypass: []string{"10.0.0.0/8", "*.bank.example", "192.0.2.1"}}
	if got := o.Site().AddrBypass; strings.Join(got, ",") != "10.0.0.0/8,192.0.2.1" {
		t.Errorf("inspect: %q", got)
	}
	o.Mode = Terminate
	if got := o.Site().AddrBypass; got != nil {
		t.Errorf("terminate: %q", got)
	}
}

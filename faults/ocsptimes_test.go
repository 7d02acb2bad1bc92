package faults

import (
	"slices"
	"testing"
	"time"
)

// TestOCSPTimesPolicy: an ocsp_times rule fires only on a connection
// tlsgate decrypts (it serves the certificate), is never a stop or a
// wrapper, and hands the listener its skew, unless a chain rule before it
// already chose the certificate (and the other way round).
func TestOCSPTimesPolicy(t *testing.T) {
	ocspRule := Rule{Name: "ocsp", Action: ActOCSPTimes, Skew: Duration(2 * time.Hour)}
	chainRule := Rule{Name: "chain", Action: ActChain, Chain: ChainExpired}
	plan := func(t *testing.T, rules []Rule, ci ConnInfo) *Plan {
		t.Helper()
		e := NewEngine(nil)
		if err := e.Set(rules); err != nil {
			t.Fatal(err)
		}
		ci.Listener, ci.Index, ci.Hello = "l", 1, testHello()
		ci.Hello.Extensions = []uint16{0, 5} // status_request: it asks for a staple
		return e.Plan(ci)
	}
	if got := plan(t, []Rule{ocspRule}, ConnInfo{}).Names(); len(got) != 0 {
		t.Errorf("passthrough: fired %v, want none (tlsgate serves no certificate there)", got)
	}
	p := plan(t, []Rule{ocspRule}, ConnInfo{Decrypted: true})
	if got := p.Names(); !slices.Equal(got, []string{"ocsp"}) {
		t.Fatalf("terminate: fired %v", got)
	}
	for _, st := range Stages() {
		if p.Stop(st) != nil || len(p.Wrappers(st)) > 0 {
			t.Errorf("a stop or wrapper at %s", st)
		}
	}
	pol := p.TLSPolicy()
	if pol.OCSPSkew != 2*time.Hour || pol.Chain != "" || pol.Skew != 0 || pol.IsZero() || !slices.Equal(pol.Rules, []string{"ocsp"}) {
		t.Errorf("TLSPolicy = %+v", pol)
	}
	// The first certificate rule decides the certificate, and the other
	// does not fire: it would be logged with a symptom nobody sees.
	p = plan(t, []Rule{chainRule, ocspRule}, ConnInfo{Decrypted: true})
	if first := p.TLSPolicy(); first.Chain != ChainExpired || first.OCSPSkew != 0 || !slices.Equal(first.Rules, []string{"chain"}) {
		t.Errorf("chain first: %+v", first)
	}
	if got := p.Names(); !slices.Equal(got, []string{"chain"}) {
		t.Errorf("chain first: fired %v, want [chain]", got)
	}
	p = plan(t, []Rule{ocspRule, chainRule}, ConnInfo{Decrypted: true})
	if second := p.TLSPolicy(); second.Chain != "" || second.OCSPSkew != 2*time.Hour || !slices.Equal(second.Rules, []string{"ocsp"}) {
		t.Errorf("ocsp_times first: %+v", second)
	}
	if got := p.Names(); !slices.Equal(got, []string{"ocsp"}) {
		t.Errorf("ocsp_times first: fired %v, want [ocsp]", got)
	}
	if ocspRule.Need().Kind != NeedTermination {
		t.Error("ocsp_times needs a terminating listener")
	}
}

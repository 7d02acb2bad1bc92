package faults

import (
	"slices"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestCertRulesFireOnlyWhereTheyAct: an ocsp_times rule, and a chain rule
// whose fault is its staple (revoked, ocsp_unknown, ocsp_expired), fires
// only for a hello that asks for a staple (status_request), since no other
// client gets one, and a connection's certificate is decided by the first
// certificate rule to fire, so a later one neither fires nor counts. Its
// place goes to the next certificate rule that can act.
func TestCertRulesFireOnlyWhereTheyAct(t *testing.T) {
	ocspRule := Rule{Name: "ocsp", Action: ActOCSPTimes, Skew: Duration(2 * time.Hour)}
	chainRule := Rule{Name: "chain", Action: ActChain, Chain: ChainExpired}
	chain2 := Rule{Name: "chain2", Action: ActChain, Chain: ChainSelfSigned}
	revoked := Rule{Name: "revoked", Action: ActChain, Chain: ChainRevoked}
	unknown := Rule{Name: "unknown", Action: ActChain, Chain: ChainOCSPUnknown}
	stale := Rule{Name: "stale", Action: ActChain, Chain: ChainOCSPExpired}
	latency := Rule{Name: "slow", Action: ActLatency, Latency: Duration(time.Millisecond), Stage: StageResponse}
	asks := &sniff.ClientHello{ServerName: "lab.test", LegacyVersion: 0x0303, Extensions: []uint16{0, 5, 10}}
	silent := &sniff.ClientHello{ServerName: "lab.test", LegacyVersion: 0x0303, Extensions: []uint16{0, 10}}
	tests := []struct {
		name   string
		rules  []Rule
		hello  *sniff.ClientHello
		fired  []string
		policy []string // TLSPolicy().Rules
	}{
		{"staple asked", []Rule{ocspRule}, asks, []string{"ocsp"}, []string{"ocsp"}},
		{"no status_request (curl without --cert-status)", []Rule{ocspRule}, silent, nil, nil},
		{"hello unread", []Rule{ocspRule}, nil, nil, nil},
		{"ocsp first, staple asked", []Rule{ocspRule, chainRule}, asks, []string{"ocsp"}, []string{"ocsp"}},
		{"ocsp first, no staple asked: the chain acts", []Rule{ocspRule, chainRule}, silent, []string{"chain"}, []string{"chain"}},
		{"chain first", []Rule{chainRule, ocspRule}, asks, []string{"chain"}, []string{"chain"}},
		{"two chains", []Rule{chainRule, chain2, latency}, silent, []string{"chain", "slow"}, []string{"chain"}},
		// The staple chains are good but for their staple: a client that
		// asked for none sees nothing wrong, so they do not fire on it.
		{"revoked, staple asked", []Rule{revoked}, asks, []string{"revoked"}, []string{"revoked"}},
		{"revoked, no status_request", []Rule{revoked}, silent, nil, nil},
		{"ocsp_unknown, no status_request", []Rule{unknown}, silent, nil, nil},
		{"ocsp_unknown, hello unread", []Rule{unknown}, nil, nil, nil},
		{"ocsp_expired, staple asked", []Rule{stale}, asks, []string{"stale"}, []string{"stale"}},
		{"ocsp_expired, no status_request", []Rule{stale}, silent, nil, nil},
		{"revoked first, no staple asked: the expired chain acts", []Rule{revoked, chainRule}, silent, []string{"chain"}, []string{"chain"}},
		{"expired chain, no staple asked", []Rule{chainRule}, silent, []string{"chain"}, []string{"chain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine(nil)
			if err := e.Set(tt.rules); err != nil {
				t.Fatal(err)
			}
			p := e.Plan(ConnInfo{Listener: "l", Index: 1, Hello: tt.hello, Decrypted: true})
			if got := p.Names(); !slices.Equal(got, tt.fired) {
				t.Errorf("fired %v, want %v", got, tt.fired)
			}
			if got := p.TLSPolicy().Rules; !slices.Equal(got, tt.policy) {
				t.Errorf("TLSPolicy rules %v, want %v", got, tt.policy)
			}
			for _, st := range e.List() {
				if want := int64(0); slices.Contains(tt.fired, st.Rule.Name) {
					want = 1
					if st.Fires != want {
						t.Errorf("%s: %d fires counted, want %d", st.Rule.Name, st.Fires, want)
					}
				} else if st.Fires != want {
					t.Errorf("%s did not fire but counted %d fires", st.Rule.Name, st.Fires)
				}
			}
		})
	}
}

// TestCertUnserved: a certificate rule whose handshake ended before a
// certificate went out (a hello refused for its missing SNI) is dropped
// from the plan and gives back its fire count; the other rules stay.
func TestCertUnserved(t *testing.T) {
	e := NewEngine(nil)
	if err := e.Set([]Rule{
		{Name: "ocsp", Action: ActOCSPTimes, Skew: Duration(2 * time.Hour)},
		{Name: "slow", Action: ActLatency, Latency: Duration(time.Millisecond), Stage: StageResponse},
	}); err != nil {
		t.Fatal(err)
	}
	hello := &sniff.ClientHello{LegacyVersion: 0x0303, Extensions: []uint16{5}}
	p := e.Plan(ConnInfo{Listener: "l", Index: 1, Hello: hello, Decrypted: true})
	if got := p.Names(); !slices.Equal(got, []string{"ocsp", "slow"}) {
		t.Fatalf("planned %v", got)
	}
	q := p.CertUnserved()
	if got := q.Names(); !slices.Equal(got, []string{"slow"}) {
		t.Errorf("after CertUnserved: %v, want [slow]", got)
	}
	if got := p.Names(); !slices.Equal(got, []string{"ocsp", "slow"}) {
		t.Errorf("CertUnserved changed its receiver: %v", got)
	}
	fires := map[string]int64{}
	for _, st := range e.List() {
		fires[st.Rule.Name] = st.Fires
	}
	if fires["ocsp"] != 0 || fires["slow"] != 1 {
		t.Errorf("fires %v, want ocsp 0 and slow 1", fires)
	}
	var nilPlan *Plan
	if !nilPlan.CertUnserved().Empty() || q.CertUnserved() != q {
		t.Error("CertUnserved of a plan without certificate rules changed it")
	}
}

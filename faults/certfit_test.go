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

// TestServedCert: a certificate rule fires only when it acts, which is
// when tlsgate's handshake flight carried its certificate (ServedCert).
// Settled without that (a hello refused for its missing SNI, or under TLS
// 1.2 for its suites after crypto/tls took the certificate) it is dropped
// and gives back its fire count and last fire time; the other rules stay.
// With it, it keeps the firing and the time it was planned at.
func TestServedCert(t *testing.T) {
	ocspRule := Rule{Name: "cert", Action: ActOCSPTimes, Skew: Duration(2 * time.Hour)}
	chainRule := Rule{Name: "cert", Action: ActChain, Chain: ChainExpired}
	for _, tt := range []struct {
		name   string
		rule   Rule
		served bool
		want   []string
	}{
		{"ocsp_times served", ocspRule, true, []string{"cert", "slow"}},
		{"ocsp_times refused first", ocspRule, false, []string{"slow"}},
		{"chain served", chainRule, true, []string{"cert", "slow"}},
		{"chain refused first", chainRule, false, []string{"slow"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			e := NewEngine(clock.Now)
			if err := e.Set([]Rule{tt.rule,
				{Name: "slow", Action: ActLatency, Latency: Duration(time.Millisecond), Stage: StageResponse},
			}); err != nil {
				t.Fatal(err)
			}
			hello := &sniff.ClientHello{LegacyVersion: 0x0303, Extensions: []uint16{5}}
			ci := ConnInfo{Listener: "l", Index: 1, Hello: hello, Decrypted: true}
			first := clock.Now()
			if p := e.Plan(ci); !slices.Equal(p.Names(), []string{"cert", "slow"}) {
				t.Fatalf("first plan %v", p.Names())
			} else {
				p.ServedCert()
				p.Settle()
			}
			clock.Advance(time.Minute)
			ci.Index = 2
			p := e.Plan(ci)
			if got := p.Names(); !slices.Equal(got, []string{"cert", "slow"}) {
				t.Fatalf("planned %v", got)
			}
			if tt.served {
				p.Merge(nil).ServedCert() // any plan made from it says so
			}
			q := p.Settle()
			if got := q.Names(); !slices.Equal(got, tt.want) {
				t.Errorf("settled %v, want %v", got, tt.want)
			}
			if got := p.Names(); !slices.Equal(got, []string{"cert", "slow"}) {
				t.Errorf("Settle changed its receiver: %v", got)
			}
			p.Settle() // a second Settle gives back nothing more
			wantFires, wantLast := int64(1), first
			if tt.served {
				wantFires, wantLast = 2, clock.Now()
			}
			for _, st := range e.List() {
				switch {
				case st.Rule.Name == "slow" && st.Fires != 2:
					t.Errorf("slow: %d fires, want 2", st.Fires)
				case st.Rule.Name == "cert" && (st.Fires != wantFires || !st.LastFire.Equal(wantLast)):
					t.Errorf("cert: %d fires, last %v; want %d, %v", st.Fires, st.LastFire, wantFires, wantLast)
				}
			}
		})
	}
	var nilPlan *Plan
	nilPlan.ServedCert()
}

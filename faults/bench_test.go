package faults

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// benchRules is a realistic mix: SNI globs, client CIDRs, JA4 prefixes,
// listener-scoped rules, probabilities and a few accept-stage wrappers.
// Exactly two rules match the benchmark connection (one with probability
// 0.5), so a plan usually holds one or two firings, as in a lab that
// targets a few hosts among many.
func benchRules(n int) []Rule {
	var rules []Rule
	for i := range n {
		name := fmt.Sprintf("r%04d", i)
		var r Rule
		switch i % 6 {
		case 0:
			r = Rule{Name: name, SNI: fmt.Sprintf("*.tenant%d.test", i), Action: ActReset}
		case 1:
			r = Rule{Name: name, Client: fmt.Sprintf("10.%d.0.0/16", i%256), Action: ActLatency, Latency: Duration(50 * time.Millisecond)}
		case 2:
			r = Rule{Name: name, JA4: fmt.Sprintf("t12d%02d*", i%100), Action: ActBlackhole}
		case 3:
			r = Rule{Name: name, Listener: fmt.Sprintf("l%d", i), SNI: "*", Action: ActAlert, Alert: ptr(Alert(112))}
		case 4:
			r = Rule{Name: name, SNI: fmt.Sprintf("api-%d-*.test", i), Probability: ptr(0.5), Action: ActChain, Chain: ChainExpired}
		case 5:
			r = Rule{Name: name, Client: fmt.Sprintf("192.0.2.%d", i%256), ConnEvery: 3, Action: ActMTU}
		}
		rules = append(rules, r)
	}
	if n >= 2 {
		rules[n/2] = Rule{Name: "hit-sni", SNI: "*.example.test", Action: ActChain, Chain: ChainWrongHost}
		rules[n-1] = Rule{Name: "hit-cidr", Client: "203.0.113.0/24", Probability: ptr(0.5), Seed: 3, Stage: StageServerFlight,
			Action: ActMTU}
	}
	return rules
}

// benchIndexedRules is a large lab that names its targets: 1000 rules of
// which most select one exact server name or one client range (what the
// snapshot's index finds by lookup), a few SNI globs, and the same two
// rules as benchRules that the benchmark connection matches.
func benchIndexedRules(n int) []Rule {
	rules := make([]Rule, 0, n)
	for i := range n {
		name := fmt.Sprintf("x%04d", i)
		var r Rule
		switch i % 10 {
		case 0, 2, 4, 6:
			r = Rule{Name: name, SNI: fmt.Sprintf("host-%d.tenant.test", i), Action: ActReset}
		case 1, 5:
			r = Rule{Name: name, Client: fmt.Sprintf("10.%d.%d.0/24", i/256, i%256), Action: ActLatency, Latency: Duration(50 * time.Millisecond)}
		case 3:
			r = Rule{Name: name, Client: fmt.Sprintf("198.51.100.%d", i%256), Stage: StageAccept, Action: ActReset}
		case 7:
			r = Rule{Name: name, SNI: fmt.Sprintf("API-%d.Tenant.test", i), Probability: ptr(0.5), Action: ActChain, Chain: ChainExpired}
		case 8:
			r = Rule{Name: name, Client: fmt.Sprintf("2001:db8:%x::/48", i), Action: ActMTU}
		case 9:
			if i%100 == 9 {
				r = Rule{Name: name, SNI: fmt.Sprintf("*.glob%d.test", i), Action: ActReset}
			} else {
				r = Rule{Name: name, SNI: fmt.Sprintf("www-%d.tenant.test", i), Stage: StageServerFlight, Action: ActMTU}
			}
		}
		rules = append(rules, r)
	}
	if n >= 2 {
		rules[n/2] = Rule{Name: "hit-sni", SNI: "www.example.test", Action: ActChain, Chain: ChainWrongHost}
		rules[n-1] = Rule{Name: "hit-cidr", Client: "203.0.113.0/24", Probability: ptr(0.5), Seed: 3, Stage: StageServerFlight,
			Action: ActMTU}
	}
	return rules
}

// benchGlobRules is the index's worst case: 1000 SNI globs, none of which
// it can look up, and the same two hits.
func benchGlobRules(n int) []Rule {
	rules := make([]Rule, 0, n)
	for i := range n {
		name := fmt.Sprintf("g%04d", i)
		switch i % 2 {
		case 0:
			rules = append(rules, Rule{Name: name, SNI: fmt.Sprintf("*.tenant%d.test", i), Action: ActReset})
		default:
			rules = append(rules, Rule{Name: name, SNI: fmt.Sprintf("api-%d-*.test", i), Action: ActChain, Chain: ChainExpired})
		}
	}
	if n >= 2 {
		rules[n/2] = Rule{Name: "hit-sni", SNI: "*.example.test", Action: ActChain, Chain: ChainWrongHost}
		rules[n-1] = Rule{Name: "hit-cidr", Client: "203.0.113.0/24", Probability: ptr(0.5), Seed: 3, Stage: StageServerFlight,
			Action: ActMTU}
	}
	return rules
}

func benchConn(i uint64) ConnInfo {
	return ConnInfo{
		Listener: "edge",
		Client:   netip.MustParseAddrPort("203.0.113.7:51000"),
		Index:    i,
		Hello: &sniff.ClientHello{ServerName: "www.example.test", ALPN: []string{"h2", "http/1.1"},
			SupportedVersions: []uint16{0x0304, 0x0303}, LegacyVersion: 0x0303, WireLen: 1650},
		JA3:           "e7d705a3286e19ea42f587b344ee6865",
		JA4:           "t13d1516h2_8daaf6152771_b0da82dd1658",
		HelloSegments: 2,
	}
}

// BenchmarkPlan is the rule engine's per-connection cost: the accept plan
// plus the post-peek plan, as the listener calls them. rules=1000-exact is
// a rule set the snapshot's index mostly looks up (exact names, client
// ranges), rules=1000-glob one it must walk whole.
func BenchmarkPlan(b *testing.B) {
	for _, c := range []struct {
		name  string
		rules []Rule
	}{
		{"rules=0", nil},
		{"rules=10", benchRules(10)},
		{"rules=1000", benchRules(1000)},
		{"rules=1000-exact", benchIndexedRules(1000)},
		{"rules=1000-glob", benchGlobRules(1000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			e := NewEngine(nil)
			if err := e.Set(c.rules); err != nil {
				b.Fatal(err)
			}
			ci := benchConn(1)
			b.ReportAllocs()
			b.ResetTimer()
			fired := 0
			for i := 0; b.Loop(); i++ {
				ci.Index = uint64(i + 1)
				p := e.PlanAccept(ci).Merge(e.Plan(ci))
				fired += p.Len()
			}
			b.ReportMetric(float64(fired)/float64(b.N), "firings/conn")
		})
	}
}

// BenchmarkPlanParallel checks that planning scales across cores: readers
// share only an atomic pointer and per-rule counters.
func BenchmarkPlanParallel(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			e := NewEngine(nil)
			if err := e.Set(benchRules(n)); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ci := benchConn(1)
				for pb.Next() {
					ci.Index++
					_ = e.PlanAccept(ci).Merge(e.Plan(ci))
				}
			})
		})
	}
}

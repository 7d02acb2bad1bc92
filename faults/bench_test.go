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
// plus the post-peek plan, as the listener calls them.
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{0, 10, 1000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			e := NewEngine(nil)
			if err := e.Set(benchRules(n)); err != nil {
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

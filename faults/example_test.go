package faults_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/sniff"
)

// The listener's side of the engine: plan once per connection, then ask the
// plan what to do at each point.
func Example() {
	e := faults.NewEngine(nil)
	_ = e.Add(faults.Rule{Name: "waf-sni-block", SNI: "*.blocked.test", Action: faults.ActReset})
	_ = e.Add(faults.Rule{Name: "slow-half", Action: faults.ActLatency, Latency: faults.Duration(50 * time.Millisecond),
		Probability: ptr(0.5), Seed: 3})

	for i := uint64(1); i <= 3; i++ {
		ci := faults.ConnInfo{Listener: "edge", Client: netip.MustParseAddrPort("192.0.2.1:40000"), Index: i}
		plan := e.PlanAccept(ci) // before the peek: accept-stage rules only
		ci.Hello = &sniff.ClientHello{ServerName: "www.blocked.test"}
		plan = plan.Merge(e.Plan(ci)) // after the peek
		for _, f := range plan.Firings() {
			fmt.Printf("conn %d: %s %s at %s (draw %.2f)\n", i, f.Rule, f.Action, f.Stage, f.Draw)
		}
		if r := plan.Stop(faults.StageClientHello); r != nil {
			fmt.Printf("conn %d: stop with %s\n", i, r.Action)
		}
	}
	// Output:
	// conn 1: waf-sni-block reset at client_hello (draw 0.81)
	// conn 1: stop with reset
	// conn 2: slow-half latency at accept (draw 0.14)
	// conn 2: waf-sni-block reset at client_hello (draw 0.24)
	// conn 2: stop with reset
	// conn 3: waf-sni-block reset at client_hello (draw 0.41)
	// conn 3: stop with reset
}

func ptr[T any](v T) *T { return &v }

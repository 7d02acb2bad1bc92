package bigiplog

import (
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// TestJSONCiphersOfferedCap: the JSON array names at most explain.ListCap
// suites, as the text evidence does, and ciphers_offered_count keeps how
// many the client offered (GREASE left out): a hostile hello's 6,000
// suites made a 165 KB line before (jsonConnOf bounds the line).
func TestJSONCiphersOfferedCap(t *testing.T) {
	for _, n := range []int{2, explain.ListCap, 6000} {
		o := okOutcome()
		suites := []uint16{0x0a0a} // GREASE: neither named nor counted
		for id := uint16(0x1000); len(suites) < n+1; id++ {
			if !explain.IsGREASE(id) {
				suites = append(suites, id)
			}
		}
		o.Hello.CipherSuites = suites
		rec := jsonConnOf(t, o)
		offered, _ := rec["ciphers_offered"].([]any)
		count, _ := rec["ciphers_offered_count"].(float64)
		if want := min(n, explain.ListCap); len(offered) != want || count != float64(n) {
			t.Errorf("%d suites: ciphers_offered holds %d, count %v; want %d and %d", n, len(offered), rec["ciphers_offered_count"], want, n)
		}
	}
}

package bigiplog

import (
	"encoding/json"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// TestJSONCiphersOfferedCap: the JSON array names at most explain.ListCap
// suites, as the text evidence does, and ciphers_offered_count keeps how
// many the client offered (GREASE left out): a hostile hello's 6,000
// suites made a 165 KB line before.
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
		opts := testOptions
		opts.Format = "json"
		enc, err := NewEncoder(opts)
		if err != nil {
			t.Fatal(err)
		}
		line := encodeOne(t, enc, zapcore.Entry{Time: testTime, Message: "conn"}, []zapcore.Field{Field(Event{Outcome: o})})
		var rec struct {
			Conn struct {
				Offered []string `json:"ciphers_offered"`
				Count   *int     `json:"ciphers_offered_count"`
			} `json:"conn"`
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &rec); err != nil {
			t.Fatal(err)
		}
		if want := min(n, explain.ListCap); len(rec.Conn.Offered) != want || rec.Conn.Count == nil || *rec.Conn.Count != n {
			t.Errorf("%d suites: ciphers_offered holds %d, count %v; want %d and %d", n, len(rec.Conn.Offered), rec.Conn.Count, want, n)
		}
		if len(line) > 32<<10 {
			t.Errorf("%d suites: line of %d bytes, want at most 32 KiB", n, len(line))
		}
	}
}

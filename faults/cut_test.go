package faults

import (
	"testing"
	"time"
)

// TestCutsAreEnded: a byte wrapper that cuts or stalls the stream (a
// truncate, a byte budget, a timeout or one-way blackhole, an expired idle
// state, an MTU stall) ended the connection as surely as a reset does, so
// Ended names its rule, marked as a cut, and Withheld counts the bytes the
// caller wrote that never reached the peer. A wrapper that only delayed
// bytes, or an MTU stall that recovered, ended nothing.
func TestCutsAreEnded(t *testing.T) {
	tests := []struct {
		name     string
		r        Rule
		writes   []string
		fire     bool // fire the armed timers after the writes
		advance  time.Duration
		ended    bool
		withheld int64
	}{
		{"truncate fin", Rule{Action: ActTruncate, Bytes: 5, Then: ThenFIN}, []string{"hello world", "more"}, false, 0, true, 10},
		{"truncate hold", Rule{Action: ActTruncate, Bytes: 5}, []string{"hello world"}, false, 0, true, 6},
		{"truncate rst", Rule{Action: ActTruncate, Bytes: 5, Then: ThenRST}, []string{"hello world"}, false, 0, true, 0},
		{"truncate not reached", Rule{Action: ActTruncate, Bytes: 50}, []string{"hello world"}, false, 0, false, 0},
		{"limit_data", Rule{Action: ActLimitData, Bytes: 10}, []string{"123456", "789abc"}, false, 0, true, 0},
		{"limit_data not reached", Rule{Action: ActLimitData, Bytes: 100}, []string{"123456"}, false, 0, false, 0},
		{"timeout swallows", Rule{Action: ActTimeout, Direction: S2C}, []string{"lost"}, false, 0, true, 4},
		{"timeout closes unused", Rule{Action: ActTimeout, Timeout: Duration(time.Second), Direction: S2C}, nil, true, 0, true, 0},
		{"one-way blackhole", Rule{Action: ActBlackhole, Direction: S2C}, []string{"ServerHello"}, false, 0, true, 11},
		{"idle expired, rst", Rule{Action: ActIdleTimeout, Timeout: Duration(time.Second)}, []string{"late"}, false, 2 * time.Second, true, 0},
		{"idle expired, hold", Rule{Action: ActIdleTimeout, Timeout: Duration(time.Second), Then: ThenHold}, []string{"late"}, false, 2 * time.Second, true, 4},
		{"idle within time", Rule{Action: ActIdleTimeout, Timeout: Duration(time.Second)}, []string{"soon"}, false, 0, false, 0},
		{"mtu stalls", Rule{Action: ActMTU, MTU: 576}, []string{"small", string(make([]byte, 1000))}, false, 0, true, 1000},
		{"mtu fits", Rule{Action: ActMTU, MTU: 576}, []string{"small"}, false, 0, false, 0},
		{"mtu recovers", Rule{Action: ActMTU, MTU: 576, RecoverAfter: Duration(time.Second)}, []string{string(make([]byte, 1000))}, true, 0, false, 0},
		{"latency", Rule{Action: ActLatency, Latency: Duration(time.Millisecond)}, []string{"slow"}, false, 0, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			m := newMemConn()
			r := rule(t, tt.r)
			w := Wrap(m, []*Rule{r}, FacingClient, clk.deps())
			clk.Advance(tt.advance)
			for _, s := range tt.writes {
				_, _ = w.Write([]byte(s))
			}
			if tt.fire {
				clk.Fire()
			}
			_ = w.Close()
			in, ok := Ended(w)
			if ok != tt.ended || ok && (in.Rule != r || !in.Cut) {
				t.Errorf("Ended = %+v, %v; want ended %v by this rule, as a cut", in, ok, tt.ended)
			}
			if n, _ := Withheld(w); n != tt.withheld {
				t.Errorf("Withheld = %d, want %d (delivered %q)", n, tt.withheld, m.Bytes())
			}
		})
	}
}

// TestMTUHeldThenDropped: an MTU stall with recover_after that the
// connection's end cuts short dropped the bytes it held, so it ended the
// stream after all.
func TestMTUHeldThenDropped(t *testing.T) {
	clk := newFakeClock()
	m := newMemConn()
	r := rule(t, Rule{Action: ActMTU, MTU: 576, RecoverAfter: Duration(time.Minute)})
	w := Wrap(m, []*Rule{r}, FacingClient, clk.deps())
	_, _ = w.Write(make([]byte, 1000))
	if _, ok := Ended(w); ok {
		t.Fatal("a stall that may still recover counted as a cut")
	}
	if n, _ := Withheld(w); n != 1000 {
		t.Errorf("Withheld while held = %d, want 1000", n)
	}
	_ = w.Close()
	if in, ok := Ended(w); !ok || in.Rule != r || !in.Cut {
		t.Errorf("Ended after Close dropped the held bytes = %+v, %v", in, ok)
	}
}

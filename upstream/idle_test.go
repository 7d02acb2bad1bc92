package upstream

import (
	"testing"
	"time"
)

// TestExpiredDecision drives the idle rule with synthetic times: the pump
// may expire only when both directions were idle together for a full
// period, judged from what each direction has reported so far.
func TestExpiredDecision(t *testing.T) {
	const P = time.Second
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(periods float64) time.Time { return t0.Add(time.Duration(periods * float64(P))) }
	var zero time.Time

	tests := []struct {
		name        string
		self, other flow // state before the empty window of self closes at now
		now         time.Time
		want        bool
		window      time.Duration // read window; 0 means a whole period
	}{
		{
			name: "other direction carried data in its last window",
			self: flow{windowStart: at(9)}, other: flow{windowStart: at(9.5)},
			now: at(10), want: false,
		},
		{
			name: "both idle, overlapping a full period",
			self: flow{windowStart: at(9), idleSince: at(7)}, other: flow{windowStart: at(9.5), idleSince: at(6.5)},
			now: at(10), want: true,
		},
		{
			name: "both idle, but the other only known idle for half a period with us",
			self: flow{windowStart: at(9)}, other: flow{windowStart: at(9.5), idleSince: at(8.5)},
			now: at(10), want: false,
		},
		{
			name: "self's first empty window, other idle long before",
			self: flow{windowStart: at(9)}, other: flow{windowStart: at(9.9), idleSince: at(2)},
			now: at(10), want: false, // overlap [9, 9.9] is short of a period
		},
		{
			name: "self's first empty window, other known idle through now",
			self: flow{windowStart: at(9)}, other: flow{windowStart: at(10), idleSince: at(2)},
			now: at(10), want: true,
		},
		{
			name: "other ended with EOF long ago",
			self: flow{windowStart: at(9)}, other: flow{windowStart: at(3), doneAt: at(3)},
			now: at(10), want: true,
		},
		{
			name: "other ended just now",
			self: flow{windowStart: at(9), idleSince: at(5)}, other: flow{windowStart: at(9.8), doneAt: at(9.8)},
			now: at(10), want: false,
		},
		{
			name: "other stuck writing to a peer that stopped reading",
			self: flow{windowStart: at(9), idleSince: at(4)}, other: flow{windowStart: at(5)},
			now: at(10), want: true, // lapsed at 6; idle together from 6 to 10
		},
		{
			name: "other in a long write, not yet two periods",
			self: flow{windowStart: at(9), idleSince: at(4)}, other: flow{windowStart: at(8.5)},
			now: at(10), want: false,
		},
		{
			name: "the same write with quarter-period windows: lapsed at 8.75, a period ago",
			self: flow{windowStart: at(9.75), idleSince: at(4)}, other: flow{windowStart: at(8.5)},
			now: at(10), want: true, window: P / 4,
		},
		{
			name: "quarter-period windows: idle together for most of a period only",
			self: flow{windowStart: at(9.75), idleSince: at(9.25)}, other: flow{windowStart: at(10), idleSince: at(9)},
			now: at(10), want: false, window: P / 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			window := tt.window
			if window == 0 {
				window = P
			}
			p := &pump{idle: P, span: window, flows: [2]flow{tt.self, tt.other}}
			if got := p.expired(up, tt.now); got != tt.want {
				t.Errorf("expired = %t, want %t", got, tt.want)
			}
			self := p.flows[up]
			if !self.windowStart.Equal(tt.now) {
				t.Errorf("next window starts %v, want now", self.windowStart)
			}
			wantSince := tt.self.idleSince
			if wantSince == zero {
				wantSince = tt.self.windowStart
			}
			if !self.idleSince.Equal(wantSince) {
				t.Errorf("idleSince %v, want %v", self.idleSince, wantSince)
			}
		})
	}
}

// TestProgressClearsIdle checks that a window with bytes resets the run of
// empty windows, and that an empty chunk boundary keeps it.
func TestProgressClearsIdle(t *testing.T) {
	p := &pump{idle: time.Second}
	since := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	p.flows[down].idleSince = since
	p.progress(down, 0)
	if !p.flows[down].idleSince.Equal(since) {
		t.Error("an empty chunk cleared idleSince")
	}
	p.progress(down, 10)
	if !p.flows[down].idleSince.IsZero() {
		t.Error("bytes did not clear idleSince")
	}
}

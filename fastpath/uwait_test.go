//go:build linux

package fastpath

import (
	"testing"
	"time"
)

// TestUringWait: only a loop with work keeps its P, and only until its
// next sweep; an idle loop waits long and gives its P up.
func TestUringWait(t *testing.T) {
	for _, tc := range []struct {
		name      string
		idle, raw bool
		swept     time.Duration
		wait      time.Duration
		hold      bool
	}{
		{"busy, holding", false, true, 10 * time.Millisecond, tick - 10*time.Millisecond, true},
		{"busy, not holding", false, false, 0, tick, false},
		{"busy, sweep overdue", false, true, 2 * tick, time.Millisecond, true},
		{"idle, holding asked", true, true, 10 * time.Millisecond, idleWait, false},
		{"idle", true, false, 0, idleWait, false},
	} {
		wait, hold := uringWait(tc.idle, tc.raw, tc.swept)
		if wait != tc.wait || hold != tc.hold {
			t.Errorf("%s: uringWait = %v, %v; want %v, %v", tc.name, wait, hold, tc.wait, tc.hold)
		}
	}
}

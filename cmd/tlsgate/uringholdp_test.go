package main

import (
	"testing"

	"github.com/tlsgate/tlsgate/listener"
)

// TestUringHoldP: io_uring loops keep their P only while at least one P
// is left for everything else.
func TestUringHoldP(t *testing.T) {
	u, e := listener.Options{Engine: listener.EngineUring}, listener.Options{Engine: listener.EngineEpoll}
	for _, tc := range []struct {
		name      string
		listeners []listener.Options
		procs     int
		want      bool
	}{
		{"none", []listener.Options{e, e}, 2, false},
		{"one of two procs", []listener.Options{u, e}, 2, true},
		{"one proc", []listener.Options{u}, 1, false},
		{"two of two procs", []listener.Options{u, u}, 2, false},
		{"two of four procs", []listener.Options{u, u, e}, 4, true},
	} {
		if got := uringHoldP(tc.listeners, tc.procs); got != tc.want {
			t.Errorf("%s: uringHoldP = %v, want %v", tc.name, got, tc.want)
		}
	}
}

package main

import "github.com/tlsgate/tlsgate/listener"

// uringHoldP says whether engine = "uring" listeners may keep a P while
// their loop waits (listener.Deps.UringHoldP): each one's loop then holds
// one of the procs Ps, so only while they leave at least one P for the
// rest of the process (handshakes, hand-offs, the admin API, the log).
func uringHoldP(listeners []listener.Options, procs int) bool {
	n := 0
	for _, o := range listeners {
		if o.Engine == listener.EngineUring {
			n++
		}
	}
	return n > 0 && n < procs
}

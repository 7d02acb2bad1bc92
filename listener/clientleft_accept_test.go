package listener

import (
	"net"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestClientGoneBeforeAByteAcceptWrappersFireNothing: an accept-stage
// wrapper (a latency, a bandwidth cap, a slicer, a truncate …) is
// installed at accept, before anything is read, and was counted as fired
// there. A client that connects and closes, or resets, before it sends a
// byte gives it nothing to act on: the listener reads no first bytes,
// writes nothing, and only closes. Such a rule was still logged and
// counted (fault ls, tlsgate_faults_fired_total) although the client was
// gone before it acted.
func TestClientGoneBeforeAByteAcceptWrappersFireNothing(t *testing.T) {
	ms := faults.Duration(time.Millisecond)
	rules := []faults.Rule{
		{Action: faults.ActLatency, Latency: ms, Direction: faults.Both},
		{Action: faults.ActLatency, Latency: ms, Direction: faults.C2S},
		{Action: faults.ActBandwidth, Rate: 100},
		{Action: faults.ActSlicer, AverageSize: 10, Delay: ms},
		{Action: faults.ActFragment, AverageSize: 10, Delay: ms},
		{Action: faults.ActFirstByteDelay, Delay: ms},
		{Action: faults.ActTruncate, Bytes: 10},
		{Action: faults.ActLimitData, Bytes: 10, Direction: faults.C2S},
		{Action: faults.ActSlowClose, Delay: ms},
	}
	listeners := []Options{
		{Name: "plain", Mode: Plaintext},
		{Name: "pass", Mode: Passthrough},
		{Name: "term", Mode: Terminate, ClientSSL: &ClientSSL{}},
	}
	var all []Options
	for _, lo := range listeners {
		for _, eng := range []Engine{EngineAuto, EngineGoroutines} {
			lo.Engine = eng
			all = append(all, lo)
		}
	}
	for _, lo := range all {
		for _, rule := range rules {
			for _, rst := range []bool{false, true} {
				how := "close"
				if rst {
					how = "reset"
				}
				name := lo.Name + "/" + string(lo.Engine) + "/" + string(rule.Action) + "-" + string(rule.Direction) + "/" + how
				t.Run(name, func(t *testing.T) {
					e := faults.NewEngine(nil)
					rule.Name = "at-accept"
					rule.Stage = faults.StageAccept
					if err := e.Add(rule); err != nil {
						t.Fatal(err)
					}
					o := lo
					o.Backend = hstsBackend(t)
					o.PlainBackend = o.Backend
					h := startListenerDeps(t, o, func(d *Deps) { d.Faults = e })
					c, err := net.Dial("tcp", h.addr)
					if err != nil {
						t.Fatal(err)
					}
					if rst {
						_ = c.(*net.TCPConn).SetLinger(0)
					}
					_ = c.Close()
					r := h.next()
					if len(r.o.FirstBytes) != 0 {
						t.Fatalf("first bytes %q from a client that sent none", r.o.FirstBytes)
					}
					if len(r.o.Faults) != 0 || len(r.o.FaultFirings) != 0 {
						t.Errorf("route %s: faults %v logged as fired for a client that left before the rule acted", r.o.Route, r.o.Faults)
					}
					if n := e.List()[0].Fires; n != 0 {
						t.Errorf("route %s: fault ls counts %d firings for a rule that did nothing", r.o.Route, n)
					}
				})
			}
		}
	}
}

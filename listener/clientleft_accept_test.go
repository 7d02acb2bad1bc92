package listener

import (
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
	for _, lo := range onBothEngines(listeners) {
		for _, rule := range rules {
			for _, rst := range []bool{false, true} {
				name := lo.Name + "/" + string(lo.Engine) + "/" + string(rule.Action) + "-" + string(rule.Direction) + "/" + closeOrReset(rst)
				t.Run(name, func(t *testing.T) {
					rule.Name = "at-accept"
					rule.Stage = faults.StageAccept
					leaveBeforeAByte(t, lo, rule, rst, "before the rule acted")
				})
			}
		}
	}
}

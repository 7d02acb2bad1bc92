package listener

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestClientGoneBeforeAByteFiresNothing: a client that connects and closes,
// or resets, before it sends a byte meets no stage after accept: there are
// no first bytes, no handshake, no request and no response, and the
// listener closes the connection ("closed"). A client_hello rule (a reset
// there) was still planned as fired on every listener, and later ones (a
// truncate, a block page, an abort) wherever the listener relays
// plaintext until endsAtFirstBytes took such a close for the listener's
// own end: logged and counted (fault ls, tlsgate_faults_fired_total, which
// counts Outcome.Faults) although the client left and nothing acted.
func TestClientGoneBeforeAByteFiresNothing(t *testing.T) {
	a40 := faults.Alert(40)
	rules := []faults.Rule{
		{Action: faults.ActTruncate, Bytes: 10, Stage: faults.StageResponse},
		{Action: faults.ActBlockPage},
		{Action: faults.ActAbort},
		{Action: faults.ActReset, Stage: faults.StageClientHello},
		{Action: faults.ActLatency, Latency: faults.Duration(time.Millisecond), Stage: faults.StageRequest},
		{Action: faults.ActAlert, Alert: &a40, Stage: faults.StageIdle, Timeout: faults.Duration(time.Second)},
		{Action: faults.ActHTTPDate, Skew: faults.Duration(time.Hour)},
	}
	listeners := []Options{
		{Name: "plain", Mode: Plaintext},
		{Name: "auto", Mode: Auto},
		{Name: "pass-allow", Mode: Passthrough, NonSSL: NonSSLAllow},
		{Name: "pass", Mode: Passthrough},
		{Name: "term", Mode: Terminate, ClientSSL: &ClientSSL{}},
	}
	for _, lo := range onBothEngines(listeners) {
		for _, rule := range rules {
			for _, rst := range []bool{false, true} {
				t.Run(lo.Name+"/"+string(lo.Engine)+"/"+string(rule.Action)+"@"+string(rule.Stage)+"/"+closeOrReset(rst), func(t *testing.T) {
					rule.Name = "everywhere"
					h, r := leaveBeforeAByte(t, lo, rule, rst, "before a byte")
					if strings.Contains(r.d.Summary, "everywhere") || strings.Contains(r.d.Summary, "injected") {
						t.Errorf("route %s: summary %q names a rule that did nothing", r.o.Route, r.d.Summary)
					}
					for _, ent := range h.logs.All() {
						for k, v := range ent.ContextMap() {
							if s, ok := v.(string); ok && strings.Contains(s, "everywhere") {
								t.Errorf("log field %s = %q names a rule that did nothing", k, s)
							}
						}
					}
				})
			}
		}
	}
}

// onBothEngines gives each listener on both engines: the event loop plans
// a connection's later stages itself (Decide) or hands it to the
// goroutine path.
func onBothEngines(listeners []Options) []Options {
	var all []Options
	for _, lo := range listeners {
		for _, eng := range []Engine{EngineAuto, EngineGoroutines} {
			lo.Engine = eng
			all = append(all, lo)
		}
	}
	return all
}

// closeOrReset names how a client leaves: rst means with a reset.
func closeOrReset(rst bool) string {
	if rst {
		return "reset"
	}
	return "close"
}

// leaveBeforeAByte starts listener o with rule alone, connects and closes
// (rst: resets) before sending a byte, and checks the listener read no
// first bytes and neither logged nor counted the rule as fired; left says
// when the client left, for the messages. It returns the harness and the
// outcome for the caller's own checks.
func leaveBeforeAByte(t *testing.T, o Options, rule faults.Rule, rst bool, left string) (*harness, result) {
	t.Helper()
	e := faults.NewEngine(nil)
	if err := e.Add(rule); err != nil {
		t.Fatal(err)
	}
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
		t.Errorf("route %s: faults %v logged as fired for a client that left %s", r.o.Route, r.o.Faults, left)
	}
	if n := e.List()[0].Fires; n != 0 {
		t.Errorf("route %s: fault ls counts %d firings for a rule that did nothing", r.o.Route, n)
	}
	return h, r
}

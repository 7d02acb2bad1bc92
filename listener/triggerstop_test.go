package listener

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestTriggerEndsLikeAStop: a reset, close, alert or plaintext reply that
// fires on the first bytes of a later stage (the server's flight, the
// request, the response) ends the connection as a stop does, so the log
// must say the rule did it. Before, the same reset was blamed on the
// client ("saw tlsgate's certificate and reset": it never got one), a close
// read as a handshake failure ("use of closed network connection"), and on
// a passthrough listener every one of them was logged as a working relay.
func TestTriggerEndsLikeAStop(t *testing.T) {
	alert := faults.Alert(40)
	cases := []struct {
		name    string
		mode    Mode
		rule    faults.Rule
		request bool // the client gets through the handshake and sends a request
		alert   int  // the alert the outcome should say was sent, or -1
	}{
		{"terminate reset at server_flight", Terminate, faults.Rule{Action: faults.ActReset, Stage: faults.StageServerFlight}, false, -1},
		{"terminate close at server_flight", Terminate, faults.Rule{Action: faults.ActClose, Stage: faults.StageServerFlight}, false, -1},
		{"terminate alert at server_flight", Terminate, faults.Rule{Action: faults.ActAlert, Stage: faults.StageServerFlight, Alert: &alert}, false, 40},
		{"terminate plaintext_reply at server_flight", Terminate, faults.Rule{Action: faults.ActPlaintextReply, Stage: faults.StageServerFlight}, false, -1},
		{"terminate reset at request", Terminate, faults.Rule{Action: faults.ActReset, Stage: faults.StageRequest}, true, -1},
		{"terminate reset at response", Terminate, faults.Rule{Action: faults.ActReset, Stage: faults.StageResponse}, true, -1},
		{"terminate close at request", Terminate, faults.Rule{Action: faults.ActClose, Stage: faults.StageRequest}, true, -1},
		// The echo backend answers the ClientHello with itself: that is
		// the server flight the trigger fires on.
		{"passthrough reset at server_flight", Passthrough, faults.Rule{Action: faults.ActReset, Stage: faults.StageServerFlight}, false, -1},
		{"passthrough alert at server_flight", Passthrough, faults.Rule{Action: faults.ActAlert, Stage: faults.StageServerFlight, Alert: &alert}, false, 40},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			tc.rule.Name = "cut"
			if err := e.Add(tc.rule); err != nil {
				t.Fatal(err)
			}
			opts := Options{Mode: tc.mode, Backend: echoBackend(t)}
			if tc.mode == Terminate {
				opts.ClientSSL = &ClientSSL{}
			}
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
			switch {
			case tc.request && err != nil:
				t.Fatalf("handshake: %v", err)
			case !tc.request && err == nil:
				c.Close()
				t.Fatal("handshake succeeded through a rule that ends the server flight")
			case tc.request:
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				_, _ = c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
				_, rerr := c.Read(make([]byte, 64))
				c.Close()
				if rerr == nil {
					t.Fatal("read succeeded through a rule that ends the connection")
				}
			}
			r := h.next()
			if r.o.FaultApplied != string(tc.rule.Action) || r.o.Route != "fault_"+string(tc.rule.Action) {
				t.Errorf("fault_applied %q route %q, want %q", r.o.FaultApplied, r.o.Route, tc.rule.Action)
			}
			if r.d.Code != explain.CodeFaultInjected || !strings.Contains(r.d.Summary, "injected by rule cut") {
				t.Errorf("diagnosis %s: %s", r.d.Code, r.d.Summary)
			}
			if r.o.ClientTLS.AlertSent != tc.alert {
				t.Errorf("alert sent %d, want %d", r.o.ClientTLS.AlertSent, tc.alert)
			}
			t.Logf("client: %v; summary: %s", err, r.d.Summary)
		})
	}
}

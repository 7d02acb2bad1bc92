package listener

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// bigResponse is what responseBackend answers to any line.
const bigResponse = 20000

// responseBackend reads one line, answers with bigResponse bytes and
// closes: a server whose response a fault can cut.
func responseBackend(t *testing.T) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) {
		if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
			return
		}
		_, _ = c.Write([]byte(strings.Repeat("x", bigResponse)))
	})
}

// TestCutEndsLikeAStop: a byte wrapper that cuts or stalls the stream
// after the handshake (truncate, limit_data, timeout at response; an MTU
// stall at server_flight that the handshake fit under) ended the
// connection as surely as a reset there does. The log must name the rule
// as what ended it, not call the connection ok with the whole response
// counted as delivered; and the bytes down are what reached the client.
func TestCutEndsLikeAStop(t *testing.T) {
	classic := []tls.CurveID{tls.X25519}
	cases := []struct {
		name     string
		mode     Mode
		rule     faults.Rule
		maxDown  int64  // the bytes down the outcome may claim
		variant  string // a phrase of the diagnosis' cause
		recorded bool   // recorded as the stop
	}{
		{"truncate at response", Terminate, faults.Rule{Action: faults.ActTruncate, Stage: faults.StageResponse, Bytes: 1000, Then: faults.ThenFIN},
			1000, "stream cut short", true},
		{"limit_data at response", Terminate, faults.Rule{Action: faults.ActLimitData, Stage: faults.StageResponse, Bytes: 1000},
			1000, "byte budget", true},
		{"timeout at response", Terminate, faults.Rule{Action: faults.ActTimeout, Stage: faults.StageResponse, Timeout: faults.Duration(200 * time.Millisecond)},
			0, "holds a flow and gives up", true},
		// The handshake flight fits a 1400-byte path; the response's
		// full-size records do not.
		{"mtu at server_flight", Terminate, faults.Rule{Action: faults.ActMTU, Stage: faults.StageServerFlight, MTU: 1400},
			bigResponse - 1, "the TLS handshake fit in small packets", true},
		{"truncate on passthrough", Passthrough, faults.Rule{Action: faults.ActTruncate, Stage: faults.StageServerFlight, Bytes: 60, Then: faults.ThenFIN},
			60, "stream cut short", true},
		// tlsgate's own handshake failed: the handshake's diagnosis names
		// the rule as the flight's damage (flight_cut), as before.
		{"truncate in the handshake", Terminate, faults.Rule{Action: faults.ActTruncate, Stage: faults.StageServerFlight, Bytes: 100, Then: faults.ThenFIN},
			0, "cut tlsgate's handshake flight", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			tc.rule.Name = "cut"
			if err := e.Add(tc.rule); err != nil {
				t.Fatal(err)
			}
			opts := Options{Mode: tc.mode, Backend: responseBackend(t)}
			if tc.mode == Terminate {
				opts.ClientSSL = &ClientSSL{}
			}
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
			raw, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			// How long the client waits is the fault's input (it gives
			// up on a stalled stream), not an assertion.
			_ = raw.SetDeadline(time.Now().Add(2 * time.Second))
			c := tls.Client(raw, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool(), CurvePreferences: classic})
			if _, err := io.WriteString(c, "GET\n"); err == nil {
				_, _ = io.Copy(io.Discard, c)
			}
			c.Close()
			r := h.next()
			d := explain.Complete(r.o, *r.d)
			if tc.recorded != (r.o.FaultApplied == string(tc.rule.Action)) || tc.recorded && r.o.Route != "fault_"+string(tc.rule.Action) {
				t.Errorf("fault_applied %q route %q; want the rule recorded as the stop: %v", r.o.FaultApplied, r.o.Route, tc.recorded)
			}
			if d.OK || tc.recorded && (d.Code != explain.CodeFaultInjected || !strings.Contains(d.Summary, "injected by rule cut")) {
				t.Errorf("diagnosis %s: %s", d.Code, d.Summary)
			}
			if !strings.Contains(d.Cause+d.Summary, tc.variant) {
				t.Errorf("diagnosis %s does not say %q: %s", d.Code, tc.variant, d.Cause)
			}
			if r.o.BytesDown > tc.maxDown {
				t.Errorf("bytes down %d, want at most %d: what reached the client, not what the relay wrote", r.o.BytesDown, tc.maxDown)
			}
			t.Logf("%s: down=%d: %s", d.Code, r.o.BytesDown, d.Summary)
		})
	}
}

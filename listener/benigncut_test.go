package listener

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestWrapperThatNeverCutsStaysOK: a byte wrapper whose limit the
// connection never reaches (a truncate or limit_data above the response,
// an idle_timeout longer than any pause, an mtu stall that recovers) cut
// nothing: the connection is not logged as ended by it.
func TestWrapperThatNeverCutsStaysOK(t *testing.T) {
	big := int64(10 * bigResponse)
	cases := []struct {
		name string
		mode Mode
		rule faults.Rule
	}{
		{"truncate above the response", Terminate, faults.Rule{Action: faults.ActTruncate, Stage: faults.StageResponse, Bytes: big, Then: faults.ThenFIN}},
		{"truncate hold above the response", Terminate, faults.Rule{Action: faults.ActTruncate, Stage: faults.StageResponse, Bytes: big, Then: faults.ThenHold}},
		{"limit_data above the response", Terminate, faults.Rule{Action: faults.ActLimitData, Stage: faults.StageResponse, Bytes: big}},
		{"idle_timeout never reached", Terminate, faults.Rule{Action: faults.ActIdleTimeout, Stage: faults.StageIdle, Timeout: faults.Duration(time.Hour)}},
		{"idle_timeout hold never reached", Terminate, faults.Rule{Action: faults.ActIdleTimeout, Stage: faults.StageIdle, Timeout: faults.Duration(time.Hour), Then: faults.ThenHold}},
		{"mtu that recovers", Terminate, faults.Rule{Action: faults.ActMTU, Stage: faults.StageServerFlight, MTU: 1400, RecoverAfter: faults.Duration(20 * time.Millisecond)}},
		// MSS clamping: the same small path, and nothing stalls or fires.
		{"mtu with honor_mss", Terminate, faults.Rule{Action: faults.ActMTU, Stage: faults.StageServerFlight, MTU: 576, HonorMSS: true}},
		{"truncate above on passthrough", Passthrough, faults.Rule{Action: faults.ActTruncate, Stage: faults.StageServerFlight, Bytes: big, Then: faults.ThenFIN}},
		{"latency on passthrough", Passthrough, faults.Rule{Action: faults.ActLatency, Stage: faults.StageServerFlight, Latency: faults.Duration(time.Millisecond)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			tc.rule.Name = "benign"
			if err := e.Add(tc.rule); err != nil {
				t.Fatal(err)
			}
			var backend string
			var cfg *tls.Config
			opts := Options{Mode: tc.mode}
			if tc.mode == Terminate {
				opts.ClientSSL, backend = &ClientSSL{}, responseBackend(t)
			} else {
				var roots = func() (string, *tls.Config) {
					addr, pool := tlsBackendWith(t, nil)
					return addr, &tls.Config{ServerName: "lab.test", RootCAs: pool}
				}
				backend, cfg = roots()
			}
			opts.Backend = backend
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
			if cfg == nil {
				cfg = &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()}
			}
			raw, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			_ = raw.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard
			c := tls.Client(raw, cfg)
			req := "GET\n"
			if tc.mode == Passthrough {
				req = engineRequest
			}
			if _, err := io.WriteString(c, req); err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(io.Discard, c)
			if err != nil {
				t.Fatalf("client read %d bytes: %v", n, err)
			}
			_ = raw.Close()
			r := h.next()
			if !r.d.OK || r.o.FaultApplied != "" {
				t.Errorf("diagnosis %s (%s), fault_applied %q route %q; client read all %d bytes", r.d.Code, r.d.Summary, r.o.FaultApplied, r.o.Route, n)
			}
			if tc.rule.HonorMSS && len(r.o.FaultFirings) != 0 {
				t.Errorf("an mtu rule with honor_mss fired: %+v", r.o.FaultFirings)
			}
			if tc.rule.HonorMSS && n < bigResponse {
				t.Errorf("client read %d bytes, want the whole %d-byte response", n, bigResponse)
			}
		})
	}
}

package listener

import (
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestFaultActedWhere: the rule that ended, cut or stalled a connection is
// recorded with where it acted, and its symptom is worded for that place.
// An MTU rule armed at server_flight stalls the certificate flight when
// that is the first burst too large, and the response after a handshake
// that fit otherwise; on plaintext there is no handshake at all. The log
// line must not promise "stuck after Client hello" for a stall in the
// data, nor a handshake timeout on plain HTTP.
func TestFaultActedWhere(t *testing.T) {
	classic := []tls.CurveID{tls.X25519}
	cases := []struct {
		name       string
		mode       Mode
		rule       faults.Rule
		acted      string
		want, lack []string // in the recorded firing's symptom
	}{
		// The handshake flight fits a 1400-byte path; the response does not.
		{"mtu stalls the response", Terminate, faults.Rule{Action: faults.ActMTU, Stage: faults.StageServerFlight, MTU: 1400},
			"response", []string{"after the handshake", "with N out of M bytes received"}, []string{"stuck after Client hello", "TLS handshake timeout"}},
		// A 300-byte path stalls the certificate flight itself.
		{"mtu stalls the flight", Terminate, faults.Rule{Action: faults.ActMTU, Stage: faults.StageServerFlight, MTU: 300},
			"server_flight", []string{"in the server's certificate flight", "stuck after Client hello"}, []string{"N out of M"}},
		{"mtu on plaintext", Plaintext, faults.Rule{Action: faults.ActMTU, Stage: faults.StageServerFlight, MTU: 1400},
			"response", []string{"plain HTTP exchange", "with N out of M bytes received"}, []string{"Client hello", "handshake"}},
		// A stop acts at its own stage.
		{"reset at response", Terminate, faults.Rule{Action: faults.ActReset, Stage: faults.StageResponse},
			"response", []string{"connection reset mid-stream"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			tc.rule.Name = "where"
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
			var c net.Conn = raw
			if tc.mode == Terminate {
				c = tls.Client(raw, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool(), CurvePreferences: classic})
			}
			if _, err := io.WriteString(c, "GET\n"); err == nil {
				_, _ = io.Copy(io.Discard, c)
			}
			c.Close()
			r := h.next()
			if len(r.o.FaultFirings) != 1 {
				t.Fatalf("firings %+v, want the one rule", r.o.FaultFirings)
			}
			fr := r.o.FaultFirings[0]
			if fr.Stage != string(tc.rule.Stage) || fr.Acted != tc.acted {
				t.Errorf("firing stage %q acted %q, want stage %q acted %q", fr.Stage, fr.Acted, tc.rule.Stage, tc.acted)
			}
			for _, w := range tc.want {
				if !strings.Contains(fr.Symptom, w) {
					t.Errorf("symptom %q lacks %q", fr.Symptom, w)
				}
			}
			for _, w := range tc.lack {
				if strings.Contains(fr.Symptom, w) {
					t.Errorf("symptom %q says %q", fr.Symptom, w)
				}
			}
			d := explain.Complete(r.o, *r.d)
			t.Logf("%s: acted %s: %s | %s", d.Code, fr.Acted, d.Summary, fr.Symptom)
		})
	}
}

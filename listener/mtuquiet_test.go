package listener

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestMTUThatNeverStallsDoesNotFire: an MTU rule fires only when a burst
// too large for its path stalls. Before, a connection whose handshake and
// data all fit a 1400-byte path was logged "rule fired: mtu …; the client
// should see: timeout (PMTUD black hole)…", named in the diagnosis and
// counted against max_fires, while the client got everything.
func TestMTUThatNeverStallsDoesNotFire(t *testing.T) {
	for _, mode := range []Mode{Terminate, Plaintext} {
		t.Run(string(mode), func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Add(faults.Rule{Name: "pmtu", Action: faults.ActMTU, Stage: faults.StageServerFlight, MTU: 1400}); err != nil {
				t.Fatal(err)
			}
			opts := Options{Mode: mode, Backend: echoBackend(t)}
			if mode == Terminate {
				opts.ClientSSL = &ClientSSL{}
			}
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
			raw, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			_ = raw.SetDeadline(time.Now().Add(20 * time.Second))
			var c net.Conn = raw
			if mode == Terminate {
				// A classic key share keeps the hello and the flight small.
				c = tls.Client(raw, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool(),
					CurvePreferences: []tls.CurveID{tls.X25519}})
			}
			const msg = "PING small enough for any path\n"
			if _, err := io.WriteString(c, msg); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
				t.Fatalf("echo %q, %v", got, err)
			}
			c.Close()
			r := h.next()
			if len(r.o.Faults) != 0 || len(r.o.FaultFirings) != 0 {
				t.Errorf("faults %v firings %+v, want none: nothing stalled", r.o.Faults, r.o.FaultFirings)
			}
			if st := e.List()[0]; st.Fires != 0 {
				t.Errorf("%d fires counted", st.Fires)
			}
			if d := explain.Complete(r.o, *r.d); d.Code != explain.CodeOK {
				t.Errorf("diagnosis %s: %s", d.Code, d.Summary)
			}
		})
	}
}

package listener

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestPlainEarlyStopWording: a reset or close at accept, or on the first
// bytes, of a client that speaks plain HTTP (curl http:// to a plaintext or
// auto listener) is logged and explained for that client. Before, the log
// promised curl (35) and a handshake error, and the explanation sent the
// reader to the SNI, the JA3 and openssl s_client, for a request that was
// plain HTTP all along.
func TestPlainEarlyStopWording(t *testing.T) {
	cases := []struct {
		name string
		mode Mode
		rule faults.Rule
		saw  string // in the recorded firing's symptom and the client hint
	}{
		{"reset on the request, auto", Auto, faults.Rule{Action: faults.ActReset, Stage: faults.StageClientHello}, "(56) Recv failure"},
		{"close on the request, plaintext", Plaintext, faults.Rule{Action: faults.ActClose, Stage: faults.StageClientHello}, "(52) Empty reply"},
		{"reset at accept, plaintext", Plaintext, faults.Rule{Action: faults.ActReset, Stage: faults.StageAccept}, "(56) Recv failure"},
		{"close at accept, plaintext", Plaintext, faults.Rule{Action: faults.ActClose, Stage: faults.StageAccept}, "(52) Empty reply"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			tc.rule.Name = "early"
			if err := e.Add(tc.rule); err != nil {
				t.Fatal(err)
			}
			opts := Options{Mode: tc.mode, Backend: echoBackend(t)}
			if tc.mode == Auto {
				opts.PlainBackend = opts.Backend
			}
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
			// A reset at accept may beat the connect (curl's (7)): the
			// outcome is logged all the same.
			if c, err := net.Dial("tcp", h.addr); err == nil {
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n")
				_, _ = io.ReadAll(c)
				c.Close()
			}
			r := h.next()
			if r.o.FaultApplied != string(tc.rule.Action) || len(r.o.FaultFirings) != 1 {
				t.Fatalf("fault_applied %q firings %+v", r.o.FaultApplied, r.o.FaultFirings)
			}
			sym := r.o.FaultFirings[0].Symptom
			d := explain.Complete(r.o, *r.d)
			text := strings.Join(append([]string{d.Cause, d.ClientSaw, sym}, d.Checks...), "\n")
			for _, s := range []string{sym, d.ClientSaw} {
				if !strings.Contains(s, tc.saw) {
					t.Errorf("%q lacks %q", s, tc.saw)
				}
			}
			for _, w := range []string{"(35)", "SNI", "JA3", "openssl s_client", "https://", "TLS handshake"} {
				if strings.Contains(text, w) {
					t.Errorf("plain HTTP client's stop says %q:\n%s", w, text)
				}
			}
		})
	}
}

// TestAutoAcceptStopWording: a reset or close at accept on an auto
// listener came before a byte was read, and the listener takes TLS and
// plain HTTP alike, so neither the firing's symptom nor the explanation
// may take the client for a TLS one (they used to promise only curl (35)
// and a handshake error): both name what each kind of client prints.
func TestAutoAcceptStopWording(t *testing.T) {
	cases := []struct {
		name           string
		rule           faults.Rule
		tlsSaw, plainW string
	}{
		{"reset at accept", faults.Rule{Action: faults.ActReset, Stage: faults.StageAccept}, "(35)", "(56) Recv failure"},
		{"close at accept", faults.Rule{Action: faults.ActClose, Stage: faults.StageAccept}, "(35)", "(52) Empty reply"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			tc.rule.Name = "early"
			if err := e.Add(tc.rule); err != nil {
				t.Fatal(err)
			}
			backend := echoBackend(t)
			h := startListenerDeps(t, Options{Mode: Auto, Backend: backend, PlainBackend: backend}, func(d *Deps) { d.Faults = e })
			if c, err := net.Dial("tcp", h.addr); err == nil {
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n")
				_, _ = io.ReadAll(c)
				c.Close()
			}
			r := h.next()
			if r.o.FaultApplied != string(tc.rule.Action) || len(r.o.FaultFirings) != 1 {
				t.Fatalf("fault_applied %q firings %+v", r.o.FaultApplied, r.o.FaultFirings)
			}
			sym := r.o.FaultFirings[0].Symptom
			d := explain.Complete(r.o, *r.d)
			for _, s := range []string{sym, d.ClientSaw} {
				for _, w := range []string{"https://", tc.tlsSaw, "http://", tc.plainW} {
					if !strings.Contains(s, w) {
						t.Errorf("%q lacks %q: an auto listener's client may speak either", s, w)
					}
				}
			}
			if !strings.Contains(d.ClientSaw, "An auto listener takes TLS and plain HTTP") {
				t.Errorf("client saw %q: want it to say which client is unknown", d.ClientSaw)
			}
		})
	}
}

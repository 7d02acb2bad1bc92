package listener

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestEpollEngineAppliesFaults loads rules into a passthrough listener
// served by the epoll engine. A rule evaluated by the loop must fire
// exactly once (max_fires and draws count every evaluation), act through
// the goroutine path, and leave connections it does not select on the
// loop.
func TestEpollEngineAppliesFaults(t *testing.T) {
	needEpoll(t)
	cases := []struct {
		name    string
		rule    faults.Rule
		sni     string
		fired   bool
		applied string
	}{
		{name: "accept stage, selected by client", sni: "any.test", fired: true, applied: "reset",
			rule: faults.Rule{Name: "rst-local", Stage: faults.StageAccept, Action: faults.ActReset, Client: "127.0.0.1/32"}},
		{name: "client_hello stage, selected by SNI", sni: "victim.test", fired: true, applied: "reset",
			rule: faults.Rule{Name: "rst-victim", Stage: faults.StageClientHello, Action: faults.ActReset, SNI: "victim.test"}},
		{name: "client_hello stage, not selected", sni: "bystander.test",
			rule: faults.Rule{Name: "rst-victim", Stage: faults.StageClientHello, Action: faults.ActReset, SNI: "victim.test"}},
		{name: "accept stage, not selected", sni: "bystander.test",
			rule: faults.Rule{Name: "rst-other", Stage: faults.StageAccept, Action: faults.ActReset, Client: "198.51.100.7/32"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Add(tc.rule); err != nil {
				t.Fatal(err)
			}
			backend := tlsEchoBackend(t)
			h := startListenerDeps(t, Options{Mode: Passthrough, Backend: backend}, func(d *Deps) { d.Faults = e })
			herr := talk(h.addr, tc.sni)
			r := h.next()
			if h.srv.eng == nil {
				t.Fatal("the listener did not run the epoll engine")
			}
			fires := e.List()[0].Fires
			if !tc.fired {
				if herr != nil || r.d.Code != explain.CodeOK || fires != 0 {
					t.Fatalf("unselected connection: client error %v, code %s, %d fires", herr, r.d.Code, fires)
				}
				return
			}
			if fires != 1 {
				t.Fatalf("rule fired %d times, want exactly 1", fires)
			}
			if !errors.Is(herr, syscall.ECONNRESET) && !errors.Is(herr, io.EOF) {
				t.Fatalf("selected client's handshake ended with %v, want a reset", herr)
			}
			if r.o.FaultApplied != tc.applied || len(r.o.FaultFirings) != 1 || r.o.FaultFirings[0].Rule != tc.rule.Name {
				t.Fatalf("outcome: applied %q, firings %+v", r.o.FaultApplied, r.o.FaultFirings)
			}
		})
	}
}

// talk runs a TLS handshake and a ping through addr; an accept-stage reset
// may already fail the dial.
func talk(addr, sni string) error {
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c := tls.Client(raw, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
	defer c.Close()
	herr := c.Handshake()
	if herr == nil {
		_, _ = c.Write([]byte("ping"))
		got := make([]byte, 4)
		_, herr = io.ReadFull(c, got)
		if herr == nil && string(got) != "ping" {
			herr = errors.New("echo came back as " + string(got))
		}
	}
	return herr
}

// tlsEchoBackend is a TLS server on loopback that echoes what it reads.
func tlsEchoBackend(t *testing.T) string {
	t.Helper()
	cert := newTestServerCA(t).leaf(t, "backend.test")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	return serveEach(t, ln, func(c net.Conn) { _, _ = io.Copy(c, c) })
}

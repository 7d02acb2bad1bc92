package listener

import (
	"crypto/tls"
	"slices"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestALPNDowngrade: an alpn_downgrade rule makes tlsgate an HTTP/1.1-only
// proxy, terminating and inspecting. A client offering h2 and http/1.1
// gets http/1.1 (and in inspect mode the real server, which speaks h2, is
// offered only http/1.1 too); a client offering only h2 is refused with
// alert 120 and the rule named as the cause. Without the rule, inspect
// mode keeps h2 end to end.
func TestALPNDowngrade(t *testing.T) {
	sca := newTestServerCA(t)
	backend := realHTTPS(t, sca.leaf(t, "lab.test"))
	tests := []struct {
		name    string
		mode    Mode
		rule    bool
		offer   []string
		want    string // the protocol the client gets; "" with refused
		refused bool
	}{
		{"inspect, no rule", Inspect, false, []string{"h2", "http/1.1"}, "h2", false},
		{"inspect, fall back", Inspect, true, []string{"h2", "http/1.1"}, "http/1.1", false},
		{"inspect, h2 only", Inspect, true, []string{"h2"}, "", true},
		{"terminate, fall back", Terminate, true, []string{"h2", "http/1.1"}, "http/1.1", false},
		{"terminate, h2 only", Terminate, true, []string{"h2"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if tt.rule {
				if err := e.Set([]faults.Rule{{Name: "h11-proxy", Action: faults.ActALPNDowngrade}}); err != nil {
					t.Fatal(err)
				}
			}
			opts := Options{Mode: tt.mode, Backend: backend, ClientSSL: &ClientSSL{}, ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool(), NextProtos: tt.offer})
			switch {
			case tt.refused:
				if err == nil || !strings.Contains(err.Error(), "remote error: tls: no application protocol") {
					t.Errorf("client error %v, want the alert 120 refusal", err)
				}
			case err != nil:
				t.Fatalf("client handshake: %v", err)
			default:
				if got := c.ConnectionState().NegotiatedProtocol; got != tt.want {
					t.Errorf("client negotiated %q, want %q", got, tt.want)
				}
			}
			if c != nil {
				c.Close()
			}
			r := h.next()
			if tt.refused {
				if r.o.FaultApplied != "alpn_downgrade" || r.d.Code != explain.CodeFaultInjected || !strings.Contains(r.d.Summary, "h11-proxy") ||
					r.o.ClientTLS.AlertSent != 120 {
					t.Errorf("fault_applied %q alert %d, code %s: %s", r.o.FaultApplied, r.o.ClientTLS.AlertSent, r.d.Code, r.d.Summary)
				}
				return
			}
			if r.o.ClientTLS.ALPN != tt.want {
				t.Errorf("client leg ALPN %q, want %q", r.o.ClientTLS.ALPN, tt.want)
			}
			if tt.mode == Inspect && tt.rule && (!slices.Equal(r.o.Backend.TLS.ALPNOffered, []string{"http/1.1"}) || r.o.Backend.TLS.ALPN != "http/1.1") {
				t.Errorf("server leg offered %q, got %q; want http/1.1 alone", r.o.Backend.TLS.ALPNOffered, r.o.Backend.TLS.ALPN)
			}
			if tt.rule && (len(r.o.Faults) != 1 || r.o.FaultApplied != "") {
				t.Errorf("faults %v, fault_applied %q: a fallen-back connection lists the rule and is no stop", r.o.Faults, r.o.FaultApplied)
			}
		})
	}
}

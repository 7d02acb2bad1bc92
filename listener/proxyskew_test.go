package listener

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestProxySkew: a proxy_skew rule shifts tlsgate's own (injected) clock on
// the upstream leg, so a good server certificate (valid from an hour ago
// to a day ahead) fails verification on its dates, in inspect mode and on
// a terminating listener with server_ssl, and the connection is explained
// as that rule's doing. A shift inside the window changes nothing, and a
// verification failure of another kind stays the server's.
func TestProxySkew(t *testing.T) {
	sca := newTestServerCA(t)
	other := newTestServerCA(t)
	backend := realHTTPS(t, sca.leaf(t, "lab.test"))
	// The injected clock, not the wall clock, is what the skew shifts:
	// 23h from now is inside the window, and a 2h shift on it is not.
	clock := time.Now().Add(23 * time.Hour)
	tests := []struct {
		name    string
		opts    Options
		skew    time.Duration
		applied string // FaultApplied; "" when the rule decided nothing
		code    string
		verify  string // in the upstream verification error
	}{
		{"inspect, clock ahead", Options{Mode: Inspect, ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}},
			2 * time.Hour, "proxy_skew", explain.CodeFaultInjected, "is after"},
		{"server_ssl, clock behind", Options{Mode: Terminate, ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}},
			-25 * time.Hour, "proxy_skew", explain.CodeFaultInjected, "is before"},
		{"inspect, inside the window", Options{Mode: Inspect, ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}},
			-time.Hour, "", explain.CodeOK, ""},
		// Inside the window, so the dates pass and the chain fails.
		{"inspect, untrusted server", Options{Mode: Inspect, ServerSSL: &ServerSSL{CAFile: other.file, Verify: true}},
			-time.Hour, "", explain.CodeBackendTLSVerify, "unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Set([]faults.Rule{{Name: "proxy-clock", Action: faults.ActProxySkew, Skew: faults.Duration(tt.skew)}}); err != nil {
				t.Fatal(err)
			}
			opts := tt.opts
			opts.Backend, opts.ClientSSL = backend, &ClientSSL{}
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults, d.Now = e, func() time.Time { return clock } })
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
			if err == nil {
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				_, _ = c.Write([]byte("GET / HTTP/1.1\r\nHost: lab.test\r\nConnection: close\r\n\r\n"))
				buf := make([]byte, 1)
				_, _ = c.Read(buf)
				c.Close()
			}
			r := h.next()
			if r.o.FaultApplied != tt.applied || r.d.Code != tt.code {
				t.Fatalf("fault_applied %q, code %s (%s); want %q, %s", r.o.FaultApplied, r.d.Code, r.d.Summary, tt.applied, tt.code)
			}
			if !strings.Contains(r.o.Backend.TLS.Verify, tt.verify) {
				t.Errorf("upstream verify %q, want %q in it", r.o.Backend.TLS.Verify, tt.verify)
			}
			if len(r.o.Faults) != 1 || r.o.Faults[0] != "proxy-clock" {
				t.Errorf("faults %v, want [proxy-clock]", r.o.Faults)
			}
			if tt.applied != "" && !strings.Contains(r.d.Summary, "proxy-clock") {
				t.Errorf("summary %q does not name the rule", r.d.Summary)
			}
		})
	}
}

// TestProxySkewNeedsVerifiedUpstream: without TLS of tlsgate's own to the
// server that it verifies, its clock decides nothing, so the rule does not
// fire.
func TestProxySkewNeedsVerifiedUpstream(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts Options
		want bool
	}{
		{"inspect", Options{Mode: Inspect}, true},
		{"terminate with server_ssl", Options{Mode: Terminate, ServerSSL: &ServerSSL{Verify: true}}, true},
		{"terminate, plain backend", Options{Mode: Terminate}, false},
		{"server_ssl without verification", Options{Mode: Terminate, ServerSSL: &ServerSSL{}}, false},
		{"passthrough", Options{Mode: Passthrough, ServerSSL: &ServerSSL{Verify: true}}, false},
		{"auto without client_ssl", Options{Mode: Auto, ServerSSL: &ServerSSL{Verify: true}}, false},
	} {
		if got := tt.opts.VerifiesUpstream(); got != tt.want {
			t.Errorf("%s: VerifiesUpstream %v, want %v", tt.name, got, tt.want)
		}
	}
}

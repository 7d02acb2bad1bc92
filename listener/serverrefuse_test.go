package listener

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestServerLegRefusedWithAlert: a real server that answers tlsgate's
// ClientHello with an alert plainly speaks TLS, so the advice must not
// begin by asking whether the port speaks TLS; a protocol_version alert
// names the version range, since the backend is older than tlsgate's
// server leg accepts.
func TestServerLegRefusedWithAlert(t *testing.T) {
	cases := []struct {
		name      string
		cfg       func(*tls.Config)
		alert     int
		cause     string // in the cause
		check     string // in the checks
		notChecks string // never in the checks
	}{
		{"TLS 1.1 only", func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS11 },
			70, "older than TLS 1.2", "-tls1_1", "Check the backend port speaks TLS"},
		{"RC4 only", func(c *tls.Config) {
			c.MaxVersion, c.CipherSuites = tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA}
		}, 40, "alert 40 handshake_failure", "ciphers", "Check the backend port speaks TLS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sca := newTestServerCA(t)
			cfg := &tls.Config{Certificates: []tls.Certificate{sca.leaf(t, "lab.test")}}
			tc.cfg(cfg)
			ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
			if err != nil {
				t.Fatal(err)
			}
			backend := serveEach(t, ln, func(c net.Conn) {
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				_ = c.(*tls.Conn).Handshake()
			})
			h := startListener(t, Options{Mode: Inspect, Backend: backend, ClientSSL: &ClientSSL{},
				ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, nil)
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
			if err == nil {
				c.Close()
				t.Fatal("client handshake succeeded although the real server refused tlsgate")
			}
			r := h.next()
			if r.d.Code != explain.CodeBackendTLSFailed || r.o.Backend.TLS.AlertRecv != tc.alert {
				t.Fatalf("code %s alert %d: %s", r.d.Code, r.o.Backend.TLS.AlertRecv, r.d.Summary)
			}
			if !strings.Contains(r.d.Cause, tc.cause) {
				t.Errorf("cause %q, want %q", r.d.Cause, tc.cause)
			}
			checks := strings.Join(r.d.Checks, "\n")
			if !strings.Contains(checks, tc.check) || strings.Contains(checks, tc.notChecks) {
				t.Errorf("checks %q, want %q and no %q", r.d.Checks, tc.check, tc.notChecks)
			}
		})
	}
}

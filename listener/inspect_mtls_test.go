package listener

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestBackendWantsClientCert: a real server that requires a client
// certificate, and a listener without server_ssl cert and key. The
// diagnosis must name the missing certificate and its fix, not "check the
// port speaks TLS"; and under TLS 1.3, where the backend refuses only after
// its handshake (alert 116 on the first read), the client's own handshake
// with tlsgate completed, so it saw a reset after it (curl (56)), not one
// in place of a ServerHello (curl (35)).
func TestBackendWantsClientCert(t *testing.T) {
	cases := []struct {
		name     string
		mode     Mode
		max      uint16
		alert    int
		clientOK bool   // the client's handshake with tlsgate completes
		saw      string // in ClientSaw
		notSaw   string // never in ClientSaw
	}{
		{"inspect/TLS 1.2", Inspect, tls.VersionTLS12, 40, false, "curl: (35)", "(56)"},
		{"inspect/TLS 1.3", Inspect, tls.VersionTLS13, 116, true, "curl: (56)", "(35)"},
		{"terminate/TLS 1.3", Terminate, tls.VersionTLS13, 116, true, "curl: (56)", "(35)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sca := newTestServerCA(t)
			clients := x509.NewCertPool()
			clients.AddCert(sca.cert)
			ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{sca.leaf(t, "lab.test")},
				MaxVersion: tc.max, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clients})
			if err != nil {
				t.Fatal(err)
			}
			backend := serveEach(t, ln, func(c net.Conn) {
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				if c.(*tls.Conn).Handshake() == nil {
					_, _ = io.Copy(io.Discard, c) // TLS 1.3: the refusal comes on this read
				}
			})
			h := startListener(t, Options{Mode: tc.mode, Backend: backend, ClientSSL: &ClientSSL{},
				ServerSSL: &ServerSSL{CAFile: sca.file, ServerName: "lab.test", Verify: true}}, nil)
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
			if (err == nil) != tc.clientOK {
				t.Fatalf("client handshake error %v, want success %v", err, tc.clientOK)
			}
			if err == nil {
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				_, _ = c.Write([]byte("GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n"))
				if n, rerr := c.Read(make([]byte, 64)); rerr == nil {
					t.Errorf("client read %d bytes through a backend that refused tlsgate", n)
				}
				c.Close()
			}
			r := h.next()
			b := r.o.Backend.TLS
			if r.d.Code != explain.CodeBackendTLSFailed || b.AlertRecv != tc.alert || !b.CertRequested || b.Mutual {
				t.Fatalf("code %s alert %d cert requested %v mutual %v: %s", r.d.Code, b.AlertRecv, b.CertRequested, b.Mutual, r.d.Summary)
			}
			if !strings.Contains(r.d.Cause, "asked tlsgate for a client certificate") {
				t.Errorf("cause %q, want it to say the backend asked for a client certificate", r.d.Cause)
			}
			checks := strings.Join(r.d.Checks, "\n")
			if !strings.Contains(checks, "server_ssl.cert and server_ssl.key") || strings.Contains(checks, "speaks TLS") {
				t.Errorf("checks %q, want server_ssl.cert and server_ssl.key, not whether the port speaks TLS", r.d.Checks)
			}
			if !strings.Contains(r.d.ClientSaw, tc.saw) || strings.Contains(r.d.ClientSaw, tc.notSaw) {
				t.Errorf("client saw %q, want %s and no %s", r.d.ClientSaw, tc.saw, tc.notSaw)
			}
		})
	}
}

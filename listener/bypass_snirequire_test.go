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

// TestBypassWithSNIRequire: on an inspect listener whose client-ssl
// requires SNI, a bypassed connection is spliced to the real server before
// the profile applies, and is logged as the bypass it is, not refused. A
// client bypassed by its address and dialling an IP (no SNI) used to get
// the real server's answer while the log said "SSL Handshake failed" and
// sni_missing. The same holds for a hello beyond sniff's cap, bypassed by
// address or by an SNI glob; a client without SNI that no entry matches is
// still refused.
func TestBypassWithSNIRequire(t *testing.T) {
	sca := newTestServerCA(t)
	realServer := realHTTPS(t, sca.leaf(t, "127.0.0.1", "bank.lab.test"))
	realRoots := x509.NewCertPool()
	realRoots.AddCert(sca.cert)
	big := bigALPN()
	tests := []struct {
		name string
		from string // the client's source address
		// sni is the name the client verifies; an IP sends no SNI.
		sni   string
		alpn  []string
		large bool
		// reason is what the bypass must say; "" means refused for SNI.
		reason string
	}{
		{"address, no SNI", "127.0.0.2", "127.0.0.1", []string{"http/1.1"}, false, "address 127.0.0.2 is in bypass"},
		{"address, no SNI, beyond cap", "127.0.0.2", "127.0.0.1", big, true, "address 127.0.0.2 is in bypass"},
		{"sni glob, beyond cap", "127.0.0.1", "bank.lab.test", big, true, "SNI bank.lab.test matches bypass *.lab.test"},
		{"no match, no SNI", "127.0.0.1", "127.0.0.1", []string{"http/1.1"}, false, ""},
	}
	h := startListener(t, Options{Mode: Inspect, Backend: realServer, Bypass: []string{"127.0.0.2", "*.lab.test"},
		ClientSSL: &ClientSSL{SNIRequire: true}, ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(tc.from)}}
			c, err := tls.DialWithDialer(d, "tcp", h.addr, &tls.Config{ServerName: tc.sni, RootCAs: realRoots, NextProtos: tc.alpn})
			if tc.reason == "" {
				if err == nil {
					_ = c.Close()
					t.Error("handshake done, want the hello without SNI refused")
				}
			} else {
				if err != nil {
					t.Fatalf("handshake: %v, want the real server's certificate", err)
				}
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := io.WriteString(c, "GET /bypass HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(c)
				if err != nil || !strings.Contains(string(got), "real server saw GET /bypass") {
					t.Fatalf("answer %q, %v: want the real server's", got, err)
				}
				_ = c.Close()
			}
			r := h.next()
			if r.o.HelloTooLarge != tc.large {
				t.Fatalf("hello beyond the parse cap %v (%q), want %v: the case proves nothing", r.o.HelloTooLarge, r.o.HelloErr, tc.large)
			}
			if tc.reason == "" {
				if r.d.Code != explain.CodeSNIMissing {
					t.Errorf("code %s (%s), want sni_missing", r.d.Code, r.d.Summary)
				}
				return
			}
			if r.o.Route != "bypass" || !strings.Contains(r.o.Bypass, tc.reason) {
				t.Errorf("route %q bypass %q, want bypass with %q", r.o.Route, r.o.Bypass, tc.reason)
			}
			if r.d.Code != explain.CodeOK || len(r.d.BigIP) != 0 {
				t.Errorf("code %s, BIG-IP lines %v (%s); want ok and no handshake failure", r.d.Code, r.d.BigIP, r.d.Summary)
			}
			if !strings.Contains(r.d.Summary, "bypassed (not decrypted)") || strings.Contains(r.d.ClientSaw, "alert 40") {
				t.Errorf("summary %q, client saw %q: want the bypass, no alert", r.d.Summary, r.d.ClientSaw)
			}
		})
	}
}

package listener

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// TestServerLegNoSNIHostname: a client that dials the listener's address
// sends no SNI, so with no server_name the server leg is checked against
// the backend's own host, which a certificate for names does not carry.
// The diagnosis must say that the missing SNI chose the name, not only
// "hostname mismatch", since the backend's certificate is fine for its
// names; a client that sent one gets the plain mismatch.
func TestServerLegNoSNIHostname(t *testing.T) {
	cases := []struct {
		name, sni string
		want      string // in the cause
		not       string // never in the cause
	}{
		{"no SNI", "", "sent no SNI", "\x00"},
		{"SNI", "lab.test", "hostname mismatch", "sent no SNI"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sca := newTestServerCA(t)
			backend := realHTTPS(t, sca.leaf(t, "www.lab.test"))
			h := startListener(t, Options{Mode: Inspect, Backend: backend, ClientSSL: &ClientSSL{},
				ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, nil)
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: tc.sni, InsecureSkipVerify: true})
			if err == nil {
				c.Close()
				t.Fatal("client handshake succeeded although the server leg failed verification")
			}
			r := h.next()
			if r.d.Code != explain.CodeBackendTLSVerify {
				t.Fatalf("code %s: %s", r.d.Code, r.d.Summary)
			}
			if !strings.Contains(r.d.Cause, tc.want) || strings.Contains(r.d.Cause, tc.not) {
				t.Errorf("cause %q, want %q and no %q", r.d.Cause, tc.want, tc.not)
			}
			host, _, _ := net.SplitHostPort(backend)
			if tc.sni == "" && !strings.Contains(r.d.Cause, "own address, "+host+",") {
				t.Errorf("cause %q, want the name checked (%s)", r.d.Cause, host)
			}
		})
	}
}

package listener

import (
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestServerLegToPlainPort: the server leg reaches a port that answers the
// ClientHello with plain HTTP. On terminate the fix is to drop the
// server_ssl table; on inspect there is no such table to drop (it always
// speaks TLS to the server), so the advice must not tell the operator to
// remove it.
func TestServerLegToPlainPort(t *testing.T) {
	cases := []struct {
		mode      Mode
		want, not string
	}{
		{Terminate, "Remove [listener.server_ssl]", "mode = \"terminate\""},
		{Inspect, "mode = \"terminate\"", "Remove [listener.server_ssl]"},
	}
	for _, tc := range cases {
		t.Run(string(tc.mode), func(t *testing.T) {
			backend := serveEach(t, nil, func(c net.Conn) {
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				_, _ = c.Read(make([]byte, 4096))
				_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			})
			h := startListener(t, Options{Mode: tc.mode, Backend: backend, ClientSSL: &ClientSSL{},
				ServerSSL: &ServerSSL{Verify: true}}, nil)
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
			if err == nil {
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n")
				_, _ = c.Read(make([]byte, 64))
				c.Close()
			}
			r := h.next()
			if r.d.Code != explain.CodeBackendTLSFailed || !strings.Contains(r.d.Cause, "non-TLS bytes") {
				t.Fatalf("code %s: %s / %s", r.d.Code, r.d.Summary, r.d.Cause)
			}
			checks := strings.Join(r.d.Checks, "\n")
			if !strings.Contains(checks, tc.want) || strings.Contains(checks, tc.not) {
				t.Errorf("checks %q, want %q and no %q", r.d.Checks, tc.want, tc.not)
			}
		})
	}
}

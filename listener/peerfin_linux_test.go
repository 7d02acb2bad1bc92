package listener

import (
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestFINBeforeFlight: a client whose FIN came with its ClientHello
// closed before tlsgate's certificate was written, so it refused nothing:
// it is a client that closed early, not one that saw the certificate and
// hung up. Only a FIN after the flight is that silent refusal. The FIN
// rides in the hello's own segment (TCP_CORK holds the data until the
// shutdown adds it), so the order does not depend on timing.
func TestFINBeforeFlight(t *testing.T) {
	hello := captureHello(t)
	tests := []struct {
		name      string
		readFirst bool // read the server's flight before sending the FIN
		code      string
	}{
		{"fin with the hello", false, explain.CodeClientClosedEarly},
		{"fin after the flight", true, explain.CodeClientRejectedSilently},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Terminate, Backend: echoBackend(t), ClientSSL: &ClientSSL{}}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// A deadline only so a broken listener cannot hang the test.
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			tcp := c.(*net.TCPConn)
			if !tt.readFirst {
				cork(t, tcp)
			}
			if _, err := c.Write(hello); err != nil {
				t.Fatal(err)
			}
			if tt.readFirst {
				if _, err := io.ReadAtLeast(c, make([]byte, 64), 1); err != nil {
					t.Fatalf("no server flight: %v", err)
				}
			}
			_ = tcp.CloseWrite()
			_, _ = io.Copy(io.Discard, c)
			r := h.next()
			if r.d.Code != tt.code || r.o.ClientTLS.FINBeforeFlight == tt.readFirst || !r.o.ClientTLS.ServerFlightSent {
				t.Fatalf("code %s (%s), FIN before flight %v, flight sent %v; want %s",
					r.d.Code, r.d.Summary, r.o.ClientTLS.FINBeforeFlight, r.o.ClientTLS.ServerFlightSent, tt.code)
			}
		})
	}
}

// cork holds c's writes back until the connection is shut down, so the
// data and the FIN leave in one segment.
func cork(t *testing.T, c *net.TCPConn) {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, 1)
	}); err != nil || serr != nil {
		t.Fatalf("TCP_CORK: %v %v", err, serr)
	}
}

package e2e

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// startResettingBackend answers every request with the start of a long
// response and then resets the connection, as a crashing backend does.
func startResettingBackend(t *testing.T) *backend {
	t.Helper()
	return startConnBackend(t, func(c net.Conn) {
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(time.Minute))
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil || line == "\r\n" {
				break
			}
		}
		_, _ = fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial")
		_ = c.(*net.TCPConn).SetLinger(0)
	})
}

// TestBackendResetMidStream: a backend that resets in the middle of its
// answer reaches curl as a reset, on both engines and through a terminate
// listener, and the log names the backend as the side that reset.
func TestBackendResetMidStream(t *testing.T) {
	t.Parallel()
	be := startResettingBackend(t)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "epoll", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\n", be.addr)},
		{Name: "goroutines", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\nengine = \"goroutines\"\n", be.addr)},
		{Name: "terminate", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", be.addr)},
	}})
	for _, name := range []string{"epoll", "goroutines", "terminate"} {
		t.Run(name, func(t *testing.T) {
			url := "http://" + g.Addr(name) + "/"
			args := []string{url}
			if name == "terminate" {
				args = []string{"--cacert", g.CAPEM(), "https://" + g.Addr(name) + "/"}
			}
			r := runCurl(t, args...)
			r.wantExit(t, 56) // curl: (56) Recv failure: Connection reset by peer
			e := g.curlEvent(t, name, r)
			wantCode(t, e, "backend_reset")
			wantLines(t, e)
			if !strings.Contains(e.Summary, "backend "+be.addr+" reset the connection") {
				t.Errorf("summary %q does not name the backend as the side that reset", e.Summary)
			}
		})
	}
}

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

// relayNames are the listeners relayListeners makes: a plaintext one on
// each engine, and a terminate one (the goroutine engine, decrypting).
var relayNames = []string{"epoll", "goroutines", "terminate"}

// relayListeners puts each of relayNames in front of backend addr.
func relayListeners(addr string) []spec {
	return []spec{
		{Name: "epoll", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\n", addr)},
		{Name: "goroutines", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\nengine = \"goroutines\"\n", addr)},
		{Name: "terminate", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", addr)},
	}
}

// relayURL is curl's arguments for path on relay listener name: http://,
// or https:// trusting the lab CA on the terminate listener.
func (g *gate) relayURL(name, path string) []string {
	if name == "terminate" {
		return []string{"--cacert", g.CAPEM(), "https://" + g.Addr(name) + path}
	}
	return []string{"http://" + g.Addr(name) + path}
}

// TestBackendResetMidStream: a backend that resets in the middle of its
// answer reaches curl as a reset, on both engines and through a terminate
// listener, and the log names the backend as the side that reset.
func TestBackendResetMidStream(t *testing.T) {
	t.Parallel()
	be := startResettingBackend(t)
	g := startGate(t, gateConfig{listeners: relayListeners(be.addr)})
	for _, name := range relayNames {
		t.Run(name, func(t *testing.T) {
			r := runCurl(t, g.relayURL(name, "/")...)
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

package e2e

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// startAbortingBackend reads until the client's side of the connection
// ends and then closes without a byte, as nginx in front of a slow
// application does when the client goes away (its 499).
func startAbortingBackend(t *testing.T) *backend {
	t.Helper()
	return startConnBackend(t, func(c net.Conn) {
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(time.Minute))
		_, _ = io.Copy(io.Discard, c)
	})
}

// TestClientGaveUpUnanswered: curl gives up on a backend that never
// answers (-m), its close reaches the backend, which closes in turn
// without a byte. Nothing failed on the relay, so the connection is ok,
// but on both engines its event carries the warning that no answer came,
// with the request and how long the client waited.
func TestClientGaveUpUnanswered(t *testing.T) {
	t.Parallel()
	be := startAbortingBackend(t)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "epoll", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\n", be.addr)},
		{Name: "goroutines", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\nengine = \"goroutines\"\n", be.addr)},
	}})
	for _, name := range []string{"epoll", "goroutines"} {
		t.Run(name, func(t *testing.T) {
			r := runCurl(t, "-m", "1", "http://"+g.Addr(name)+"/slow")
			r.wantExit(t, 28) // curl: (28) Operation timed out after 1000 milliseconds with 0 bytes received
			e := g.curlEvent(t, name, r)
			wantCode(t, e, "ok")
			wantLines(t, e)
			if e.BytesDown != 0 || e.BytesUp == 0 {
				t.Errorf("bytes up %d down %d, want the request up and nothing down", e.BytesUp, e.BytesDown)
			}
			if len(e.Warnings) != 1 {
				t.Fatalf("warnings %q, want the one that says no answer came; event: %s", e.Warnings, e)
			}
			w := e.Warnings[0]
			for _, want := range []string{"no answer: the client sent", "(GET /slow HTTP/1.1)", "closed its sending side (FIN) 1", "then " + be.addr + " closed without a byte", "gave up waiting"} {
				if !strings.Contains(w, want) {
					t.Errorf("warning %q lacks %q", w, want)
				}
			}
		})
	}
}

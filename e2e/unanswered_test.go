package e2e

import (
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// finAfter finds when the client's FIN came in the no-answer warning.
var finAfter = regexp.MustCompile(`\(FIN\) (\S+) after connecting`)

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
// answers (-m 2), its close reaches the backend, which closes in turn
// without a byte. Nothing failed on the relay, so the connection is ok,
// but on both engines, and through a terminate listener, its event
// carries the warning that no answer came, with the request and how long
// the client waited.
func TestClientGaveUpUnanswered(t *testing.T) {
	t.Parallel()
	be := startAbortingBackend(t)
	g := startGate(t, gateConfig{listeners: relayListeners(be.addr)})
	for _, name := range relayNames {
		t.Run(name, func(t *testing.T) {
			// -m 2: a TLS handshake slowed by a loaded machine must not
			// take the whole budget before the request is sent.
			r := runCurl(t, append([]string{"-m", "2"}, g.relayURL(name, "/slow")...)...)
			r.wantExit(t, 28) // curl: (28) Operation timed out after 2000 milliseconds with 0 bytes received
			e := g.curlEvent(t, name, r)
			wantCode(t, e, "ok")
			if name != "terminate" { // which logs its handshake's details line
				wantLines(t, e)
			}
			if e.BytesDown != 0 || e.BytesUp == 0 {
				t.Errorf("bytes up %d down %d, want the request up and nothing down", e.BytesUp, e.BytesDown)
			}
			if len(e.Warnings) != 1 {
				t.Fatalf("warnings %q, want the one that says no answer came; event: %s", e.Warnings, e)
			}
			w := e.Warnings[0]
			for _, want := range []string{"no answer: the client sent", "(GET /slow HTTP/1.1)", "then " + be.addr + " closed without a byte", "stopped waiting"} {
				if !strings.Contains(w, want) {
					t.Errorf("warning %q lacks %q", w, want)
				}
			}
			// The FIN's time is curl's 2 s timeout, give or take the
			// machine's load (rounded to the millisecond, it may read 1.999s).
			m := finAfter.FindStringSubmatch(w)
			if m == nil {
				t.Fatalf("warning %q does not say when the client's FIN came", w)
			}
			if d, err := time.ParseDuration(m[1]); err != nil || d < 1500*time.Millisecond || d > 6*time.Second {
				t.Errorf("the client's FIN came %s (%v) after connecting, want about curl's 2s timeout", m[1], err)
			}
			if !strings.HasPrefix(e.ClientSaw, "No answer") || strings.Contains(strings.Join(e.Checks, " "), "Nothing to fix") {
				t.Errorf("client saw %q, checks %q: want the no-answer texts, not a normal connection's", e.ClientSaw, e.Checks)
			}
		})
	}
}

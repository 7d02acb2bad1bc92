package faultse2e

import (
	"os"
	"testing"
)

// TestKnownBugs holds cases that fail today because of a bug reported to
// the owner of the code, so that the fix can be checked end to end by
// setting FAULTS_E2E_KNOWN_BUGS=1. Each case names the bug. When a fix
// lands, move the case into its suite.
func TestKnownBugs(t *testing.T) {
	if os.Getenv("FAULTS_E2E_KNOWN_BUGS") == "" {
		t.Skip("known bugs; set FAULTS_E2E_KNOWN_BUGS=1 to run (see the comment on each case)")
	}
	t.Parallel()
	runCases(t, []faultCase{
		// latency delivers from its own goroutine, but the wrapper passes
		// SetWriteDeadline straight to the socket. crypto/tls's close_notify
		// (tls.Conn.CloseWrite/Close) sets the write deadline to now right
		// after writing the alert into the wrapper, so the goroutine's later
		// socket writes of the still-queued response fail with "i/o timeout"
		// and the client never gets the body. Any backend that closes after
		// its response (Connection: close, HTTP/1.0) triggers it.
		{name: "latency_connection_close", rule: "action = \"latency\"\nlatency = \"20ms\"\n", checks: []check{
			goGets("/hello"), pyGets("/hello"),
		}},
	})
}

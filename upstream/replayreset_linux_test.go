package upstream

import (
	"io"
	"testing"
	"time"
)

// TestPumpReplayMeetsBackendReset: a backend that reset the connection
// before the relay replayed the client's first bytes (the peeked request)
// ended it: the replay's write takes the reset's error, so the relay's
// reads of the backend see nothing of it, and ResetBy must say whose reset
// it was. It said nothing in about one run in twelve of a real curl
// against a backend that resets at accept (the reset logged ok). What the
// backend sent before its reset still reaches the client (drainDown).
func TestPumpReplayMeetsBackendReset(t *testing.T) {
	const first = "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n"
	for _, said := range []string{"", "a banner, then the reset"} {
		t.Run("said="+said, func(t *testing.T) {
			r := newRig(t, false)
			if said != "" {
				if _, err := r.backendApp.Write([]byte(said)); err != nil {
					t.Fatal(err)
				}
			}
			_ = r.backendApp.SetLinger(0)
			_ = r.backendApp.Close()
			for deadline := time.Now().Add(20 * time.Second); !peerReset(r.backendSide); time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) { // hang guard only
					t.Fatal("the backend's reset never reached the relay's socket")
				}
			}
			done := r.start([]byte(first), 0)
			_ = r.clientApp.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
			got, _ := io.ReadAll(r.clientApp)
			var pr pumpResult
			select {
			case pr = <-done:
			case <-time.After(20 * time.Second): // hang guard only
				t.Fatal("the pump never ended")
			}
			if pr.res.ResetBy != SideBackend || pr.err == nil || pr.res.Down != int64(len(said)) || string(got) != said {
				t.Errorf("reset by %q, error %v, %d bytes down, client read %q; want the backend's reset after its %q",
					pr.res.ResetBy, pr.err, pr.res.Down, got, said)
			}
		})
	}
}

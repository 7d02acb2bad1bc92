package upstream

import (
	"io"
	"testing"
	"time"
)

// TestPumpSilentBackendEndIsBackendReset: a backend that closes (FIN) at
// once, before a byte of answer, resets the request the relay then writes
// to it. That reset is the backend's (ResetBy backend): the client asked
// and got nothing. Before, a FIN ahead of the reset always excused it, as
// the close race of a backend that had answered, so whether the relay was
// logged a reset or a clean end depended on which direction saw the
// backend's end first. One that answered and then closed still excuses
// the reset of what came after (ResetBy "").
func TestPumpSilentBackendEndIsBackendReset(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		want   string
	}{
		{name: "closed before a byte", want: SideBackend},
		{name: "answered, then closed", answer: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, false)
			done := r.start(nil, 0)
			if _, err := io.WriteString(r.backendApp, tt.answer); err != nil {
				t.Fatal(err)
			}
			_ = r.backendApp.Close() // a FIN: nothing of ours is unread yet
			// The relay passes the FIN on: the client reads the answer,
			// if any, and the end. The deadline is a hang guard only.
			_ = r.clientApp.SetDeadline(time.Now().Add(30 * time.Second))
			got, err := io.ReadAll(r.clientApp)
			if err != nil || string(got) != tt.answer {
				t.Fatalf("client read %q, %v; want %q and the end", got, err, tt.answer)
			}
			// Then the client's request goes up and meets the closed
			// socket: write until the relay ends on the reset.
			var pr pumpResult
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
				select {
				case pr = <-done:
				default:
					if time.Now().After(deadline) {
						t.Fatal("the relay never ended")
					}
					_, _ = io.WriteString(r.clientApp, "GET / HTTP/1.1\r\n\r\n")
					continue
				}
				break
			}
			if pr.res.ResetBy != tt.want || pr.res.FirstFIN != SideBackend || pr.res.Down != int64(len(tt.answer)) {
				t.Errorf("reset by %q, first FIN %q, %d bytes down (error %v); want reset by %q after the backend's FIN and %d bytes",
					pr.res.ResetBy, pr.res.FirstFIN, pr.res.Down, pr.err, tt.want, len(tt.answer))
			}
		})
	}
}

//go:build linux

package fastpath

import (
	"io"
	"net"
	"testing"
	"time"
)

// TestSilentBackendEndIsBackendReset: a backend that closes (FIN) before
// a byte of answer resets the request the loop then writes to it, and
// that reset is the backend's (ResetBy backend): the client asked and got
// nothing, as upstream's pump now decides for the goroutine engine. A FIN
// ahead of the reset excused it before, as the close race of a backend
// that had answered; one that answered and then closed still is excused.
func TestSilentBackendEndIsBackendReset(t *testing.T) {
	for _, tt := range []struct {
		name, answer, want string
	}{
		{name: "closed before a byte", want: "backend"},
		{name: "answered, then closed", answer: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", want: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, c, b := helloRelayed(t)
			if _, err := io.WriteString(b, tt.answer); err != nil {
				t.Fatal(err)
			}
			_ = b.Close()                                       // a FIN: the hello was read, nothing is unread
			_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
			got, err := io.ReadAll(c)
			if err != nil || string(got) != tt.answer {
				t.Fatalf("client read %q, %v; want %q and the end", got, err, tt.answer)
			}
			// The client's request then meets the backend's closed
			// socket: write until the loop ends the relay on the reset.
			var r Result
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
				select {
				case r = <-h.closed:
				default:
					if time.Now().After(deadline) {
						t.Fatal("the relay never ended")
					}
					_, _ = c.(*net.TCPConn).Write([]byte("GET / HTTP/1.1\r\n\r\n"))
					continue
				}
				break
			}
			if r.ResetBy != tt.want || r.FirstFIN != "backend" || r.Down != int64(len(tt.answer)) {
				t.Errorf("reset by %q, first FIN %q, %d bytes down (error %v); want reset by %q after the backend's FIN and %d bytes",
					r.ResetBy, r.FirstFIN, r.Down, r.Err, tt.want, len(tt.answer))
			}
		})
	}
}

//go:build linux

package fastpath

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// gatedHandler holds each accepted connection in Open until the test
// lets it go, so the client's bytes (and FIN) are queued on the socket
// before the loop first looks at it, as they usually are under load: the
// loop reads them before it watches the socket.
type gatedHandler struct {
	*testHandler
	gate chan struct{}
}

func (h *gatedHandler) Open(c *Conn) Verdict {
	h.opened <- c
	<-h.gate
	return Wait
}

// TestBytesQueuedAtAccept: whatever the client sent before its socket
// was accepted (a whole request, a request and its FIN, too few bytes to
// decide on, bytes for a hand-off, or only a FIN) reaches the backend or
// the hand-off exactly once, and what comes later is not missed.
func TestBytesQueuedAtAccept(t *testing.T) {
	for _, tt := range []struct {
		name  string
		first string
		fin   bool   // the client half-closes before the accept
		later string // sent after the accept
		wait  int    // the handler waits for this many bytes
		hand  bool   // a hand-off, not a relay
	}{
		{name: "request", first: "GET / HTTP/1.1\r\n\r\n", later: "more"},
		{name: "request and FIN", first: "GET / HTTP/1.1\r\n\r\n", fin: true},
		{name: "too few bytes", first: "GE", later: "T / HTTP/1.1\r\n\r\n", wait: 5},
		{name: "too few bytes and FIN", first: "GE", fin: true, wait: 5, hand: true},
		{name: "hand-off", first: "Hello", hand: true},
		{name: "FIN only", fin: true, hand: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			th := newTestHandler(echoBackend(t))
			th.waitFor = tt.wait
			h := &gatedHandler{testHandler: th, gate: make(chan struct{})}
			_, addr := startEngine(t, h, Config{})
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			<-h.opened // accepted, held in Open
			if tt.first != "" {
				if _, err := c.Write([]byte(tt.first)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.fin {
				_ = c.(*net.TCPConn).CloseWrite()
			}
			close(h.gate)
			if tt.hand {
				hd := <-h.handed
				defer hd.Close()
				_ = c.(*net.TCPConn).CloseWrite()
				rest, _ := io.ReadAll(hd)
				if got := string(hd.consumed) + string(rest); got != tt.first {
					t.Fatalf("the hand-off got %q (%q read by the loop), want %q", got, hd.consumed, tt.first)
				}
				return
			}
			if tt.later != "" {
				if _, err := c.Write([]byte(tt.later)); err != nil {
					t.Fatal(err)
				}
				_ = c.(*net.TCPConn).CloseWrite()
			}
			echoed, err := io.ReadAll(c)
			if want := tt.first + tt.later; err != nil || !bytes.Equal(echoed, []byte(want)) {
				t.Fatalf("echoed %q, %v; want %q", echoed, err, want)
			}
			if r := <-h.closed; r.Err != nil || r.Up != int64(len(tt.first+tt.later)) {
				t.Errorf("result: err %v, up %d; want no error, %d up", r.Err, r.Up, len(tt.first+tt.later))
			}
		})
	}
}

package listener

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestStalledHelloClientFINFirst: a client sends the start of a hello,
// stalls past the peek deadline (the passthrough relay forwards what came),
// then half-closes; the backend answers that FIN with a decode_error alert
// and closes, as openssl s_server does. The relay must record that the
// client closed first, on both engines, and the words must not blame the
// backend's alert for the end.
func TestStalledHelloClientFINFirst(t *testing.T) {
	partial := []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc}
	decodeError := []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 50}
	for _, eng := range testEngines {
		t.Run(string(eng), func(t *testing.T) {
			needEngine(t, eng)
			got, fin := make(chan []byte, 1), make(chan []byte, 1)
			backend := serveEach(t, nil, func(c net.Conn) {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
				b := make([]byte, len(partial))
				n, _ := io.ReadFull(c, b)
				got <- b[:n]
				rest, _ := io.ReadAll(c) // to the client's FIN
				fin <- rest
				_, _ = c.Write(decodeError)
			})
			h := startListener(t, Options{Mode: Passthrough, Backend: backend, Engine: eng, PeekTimeout: 50 * time.Millisecond}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
			if _, err := c.Write(partial); err != nil {
				t.Fatal(err)
			}
			// The FIN goes only once the backend has the stalled bytes:
			// the relay has begun, so the order is certain.
			if b := <-got; string(b) != string(partial) {
				t.Fatalf("backend read % x, want the partial hello", b)
			}
			if err := c.(*net.TCPConn).CloseWrite(); err != nil {
				t.Fatal(err)
			}
			if b := <-fin; len(b) != 0 {
				t.Fatalf("backend read % x more, want the client's FIN", b)
			}
			_, _ = io.ReadAll(c)
			r := h.next()
			if r.o.FirstFIN != explain.SideClient || r.o.FirstFINAfter <= 0 || r.o.FirstFINAfter > r.o.Duration {
				t.Errorf("first FIN %q after %v (connection %v); want the client's, within the connection", r.o.FirstFIN, r.o.FirstFINAfter, r.o.Duration)
			}
			const want = "the client closed its side (FIN) after "
			if !strings.Contains(r.d.Summary, want) || !strings.Contains(r.d.Summary, "the backend then answered with alert 50 decode_error and closed") {
				t.Errorf("summary %q; want %q… then the backend's alert as its answer", r.d.Summary, want)
			}
		})
	}
}

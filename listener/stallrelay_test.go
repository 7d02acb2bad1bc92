package listener

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// stallPeek is the peek deadline of tests whose input is a client that
// stalls at it: long enough that a client descheduled between its connect
// and its write on a busy machine still counts as having written (at
// 200 ms, such a client was once taken for a silent one). The tests wait
// for it; none asserts how long anything took.
const stallPeek = 1500 * time.Millisecond

// TestStalledHelloRelayed: a client that sends three bytes of a hello and
// stalls is relayed to a passthrough backend at the peek deadline, and
// the connection lives on until the backend or the idle timer ends it.
// The log says what happened at the deadline and what ended it, not that
// nothing came "within the peek timeout" as if the connection ended there.
// An auto listener does the same, with the two bytes before the record's
// version too: only TLS begins so, and TLS goes to backend, not to
// plain_backend as plaintext (as it did before).
func TestStalledHelloRelayed(t *testing.T) {
	silent := serveEach(t, nil, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	closer := serveEach(t, nil, func(c net.Conn) { _, _ = c.Read(make([]byte, 64)) })
	plain := serveEach(t, nil, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	tests := []struct {
		name    string
		mode    Mode
		first   []byte
		backend string
		engine  Engine
		end     explain.End
		says    string
	}{
		{"idle timer, goroutines", Passthrough, []byte{22, 3, 1}, silent, EngineGoroutines, explain.EndIdleTimeout, "idle_timeout of 1s reset both sides"},
		{"idle timer, epoll", Passthrough, []byte{22, 3, 1}, silent, EngineAuto, explain.EndIdleTimeout, "idle_timeout of 1s reset both sides"},
		{"backend closes", Passthrough, []byte{22, 3, 1}, closer, EngineGoroutines, "", "closed (FIN)"},
		{"auto, three bytes", Auto, []byte{22, 3, 1}, closer, EngineGoroutines, "", "closed (FIN)"},
		{"auto, two bytes, goroutines", Auto, []byte{22, 3}, closer, EngineGoroutines, "", "closed (FIN)"},
		{"auto, two bytes, epoll", Auto, []byte{22, 3}, silent, EngineAuto, explain.EndIdleTimeout, "idle_timeout of 1s reset both sides"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits out the deadline
			h := startListener(t, Options{Mode: tt.mode, Backend: tt.backend, PlainBackend: plain, Engine: tt.engine,
				PeekTimeout: stallPeek, HandshakeTimeout: stallPeek, IdleTimeout: time.Second}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// A deadline only so a broken listener cannot hang the test.
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := c.Write(tt.first); err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, c)
			_ = c.Close() // as a client does on the backend's close
			r := h.next()
			if r.o.Route != "passthrough" || r.o.End != tt.end || r.d.Code != explain.CodeHandshakeTimeout {
				t.Fatalf("route %q end %q code %s (%s); want a relayed stall ended by %q", r.o.Route, r.o.End, r.d.Code, r.d.Summary, tt.end)
			}
			if !strings.Contains(r.d.Summary, "relayed to "+tt.backend+" at the peek deadline") || !strings.Contains(r.d.Summary, tt.says) ||
				!strings.Contains(r.d.Summary, "ended after "+r.o.Duration.Round(time.Millisecond).String()) || len(r.d.BigIP) != 0 {
				t.Errorf("summary %q, BIG-IP %v; want the relay at the deadline, %q, the real duration, no SSL failure line", r.d.Summary, r.d.BigIP, tt.says)
			}
		})
	}
}

// TestStalledPrefixTerminated: an auto listener that terminates TLS takes
// a hello's start (a record's first two bytes, a lone 0x16, an SSLv2
// header), stalled at the peek deadline, to its handshake like the first
// three bytes: the same route and diagnosis, not a plaintext relay to
// plain_backend (as before).
func TestStalledPrefixTerminated(t *testing.T) {
	plain := serveEach(t, nil, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	for _, first := range [][]byte{{22, 3}, {22, 3, 1}, {22}, {0x80, 0x2e, 0x01}} {
		t.Run(fmt.Sprintf("% x", first), func(t *testing.T) {
			t.Parallel() // each waits out the deadline
			h := startListener(t, Options{Mode: Auto, Backend: plain, PlainBackend: plain, ClientSSL: &ClientSSL{},
				PeekTimeout: stallPeek, HandshakeTimeout: stallPeek, IdleTimeout: time.Second}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// A deadline only so a broken listener cannot hang the test.
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := c.Write(first); err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, c)
			r := h.next()
			if r.o.Route != "terminate" || r.o.Backend.Attempted || r.d.Code != explain.CodeHandshakeTimeout {
				t.Errorf("route %q backend dialled %v code %s (%s); want the handshake's timeout, no backend", r.o.Route, r.o.Backend.Attempted, r.d.Code, r.d.Summary)
			}
		})
	}
}

package listener

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestStalledHelloRelayed: a client that sends three bytes of a hello and
// stalls is relayed to a passthrough backend at the peek deadline, and
// the connection lives on until the backend or the idle timer ends it.
// The log says what happened at the deadline and what ended it, not that
// nothing came "within the peek timeout" as if the connection ended there.
func TestStalledHelloRelayed(t *testing.T) {
	silent := serveEach(t, nil, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	closer := serveEach(t, nil, func(c net.Conn) { _, _ = c.Read(make([]byte, 64)) })
	tests := []struct {
		name    string
		backend string
		engine  Engine
		end     explain.End
		says    string
	}{
		{"idle timer, goroutines", silent, EngineGoroutines, explain.EndIdleTimeout, "idle_timeout of 1s reset both sides"},
		{"idle timer, epoll", silent, EngineAuto, explain.EndIdleTimeout, "idle_timeout of 1s reset both sides"},
		{"backend closes", closer, EngineGoroutines, "", "closed (FIN)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Passthrough, Backend: tt.backend, Engine: tt.engine,
				PeekTimeout: 200 * time.Millisecond, HandshakeTimeout: 200 * time.Millisecond, IdleTimeout: time.Second}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// A deadline only so a broken listener cannot hang the test.
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := c.Write([]byte{22, 3, 1}); err != nil {
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

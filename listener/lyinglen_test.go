package listener

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestRecordLongerThanSent: a record header that promises 16384 bytes with
// a whole ClientHello inside and nothing after it is a hello still
// arriving, as crypto/tls reads it, not a complete one: the deadline or
// the client's close ends the wait as for any truncated hello, and no
// SNI or JA4 is claimed from bytes crypto/tls never accepted.
func TestRecordLongerThanSent(t *testing.T) {
	hello := captureHello(t)
	lie := append([]byte{22, 3, 1, 0x40, 0}, hello[5:]...)
	tests := []struct {
		name   string
		mode   Mode
		engine Engine
		close  bool
		code   string
	}{
		{"terminate stalls", Terminate, EngineGoroutines, false, explain.CodeHandshakeTimeout},
		{"terminate closes", Terminate, EngineGoroutines, true, explain.CodeClientClosedEarly},
		{"passthrough stalls", Passthrough, EngineGoroutines, false, explain.CodeHandshakeTimeout},
		{"passthrough stalls, epoll", Passthrough, EngineAuto, false, explain.CodeHandshakeTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Mode: tt.mode, Backend: echoBackend(t), PeekTimeout: 300 * time.Millisecond,
				HandshakeTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond, Engine: tt.engine}
			if tt.mode == Terminate {
				opts.ClientSSL = &ClientSSL{}
			}
			h := startListener(t, opts, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write(lie); err != nil {
				t.Fatal(err)
			}
			if tt.close {
				_ = c.(*net.TCPConn).CloseWrite()
			}
			r := h.next()
			if r.o.Hello != nil || !strings.Contains(r.o.HelloErr, "declares 16384 bytes") {
				t.Fatalf("hello %+v, error %q: a hello in a record still arriving is no hello yet", r.o.Hello, r.o.HelloErr)
			}
			// All of it counts, not only the 64 bytes an Outcome keeps.
			if r.d.Code != tt.code || !strings.Contains(r.d.Summary, strconv.Itoa(len(lie))+" bytes") {
				t.Errorf("code %s (%s), want %s for a truncated hello", r.d.Code, r.d.Summary, tt.code)
			}
		})
	}
}

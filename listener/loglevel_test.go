package listener

import (
	"context"
	"net"
	"syscall"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/bigiplog"
)

// TestOutcomeLogLevel: the listener logs each connection at bigiplog.Level,
// the level the bigip and syslog formats write its lines at: warn for a
// failure BIG-IP has no line for (a refused backend), info for a success.
func TestOutcomeLogLevel(t *testing.T) {
	// A backend that answers the SYN with RST, without a port that some
	// other process could take in the meantime.
	refuse := func(_ context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	for _, tc := range []struct {
		name, backend string
		dial          func(context.Context, string, string) (net.Conn, error)
		ok            bool
		want          zapcore.Level
	}{
		{"backend_refused", "127.0.0.1:9", refuse, false, zapcore.WarnLevel},
		{"ok", echoBackend(t), nil, true, zapcore.InfoLevel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Plaintext, Backend: tc.backend, Engine: EngineGoroutines}, tc.dial)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n")); err != nil {
				t.Fatal(err)
			}
			_ = c.(*net.TCPConn).CloseWrite()
			_, _ = c.Read(make([]byte, 512))
			_ = c.Close()
			r := h.next()
			if r.d.OK != tc.ok || tc.name != r.d.Code {
				t.Fatalf("diagnosed %s (ok %v), want ok %v", r.d.Code, r.d.OK, tc.ok)
			}
			var got []zapcore.Level
			for _, ent := range h.logs.All() {
				if _, isConn := ent.ContextMap()[bigiplog.EventKey]; isConn {
					got = append(got, ent.Level)
				}
			}
			if len(got) != 1 || got[0] != tc.want || got[0] != bigiplog.Level(*r.d) {
				t.Errorf("%s logged at %v, want once at %v", r.d.Code, got, tc.want)
			}
		})
	}
}

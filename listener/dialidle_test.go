package listener

import (
	"io"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/internal/heldport"
)

// blackholeBackend returns a loopback address whose accept queue is full,
// so a connect to it gets no answer (its SYN is dropped) until the
// dialler gives up: a filtered backend, without leaving loopback.
func blackholeBackend(t *testing.T) string {
	t.Helper()
	addr, _ := heldport.Unanswered(t)
	return addr
}

// TestDialTimeoutIsNotIdle: a backend that never answers the connect is a
// dial timeout on both engines, even when the idle timeout is shorter.
// The epoll engine used to count the dial as idle time and report
// idle_timeout, naming a backend flow that never existed.
func TestDialTimeoutIsNotIdle(t *testing.T) {
	needEpoll(t)
	bh := blackholeBackend(t)
	for _, eng := range testEngines {
		t.Run(string(eng), func(t *testing.T) {
			needEngine(t, eng)
			h := startListener(t, Options{Mode: Plaintext, Backend: bh, Engine: eng,
				IdleTimeout: 100 * time.Millisecond, DialTimeout: 600 * time.Millisecond}, nil)
			c := dialGuarded(t, h.addr)
			if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			r := h.next()
			if r.d.Code != explain.CodeBackendTimeout || !r.o.Backend.TimedOut {
				t.Errorf("code %s (%s), backend %+v; want backend_timeout", r.d.Code, r.d.Summary, r.o.Backend)
			}
			if r.o.Backend.Local.IsValid() {
				t.Errorf("backend flow %s logged for a dial that never completed", r.o.Backend.Local)
			}
		})
	}
}

package listener

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestDrainMeetsIdleTimeout: a relay drains (the client has sent its
// request and its FIN, the backend answered and keeps its side open) and
// the backend then goes silent. The idle timeout ends it on both engines:
// the outcome names the idle timeout, says the client's FIN came first,
// and counts exactly the bytes each side got.
func TestDrainMeetsIdleTimeout(t *testing.T) {
	const answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	const idle = 200 * time.Millisecond
	for _, eng := range []Engine{EngineGoroutines, EngineEpoll} {
		t.Run(string(eng), func(t *testing.T) {
			finSeen, release := make(chan struct{}), make(chan struct{})
			t.Cleanup(func() { close(release) })
			backend := serveEach(t, nil, func(c net.Conn) {
				_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
				b := make([]byte, len(engineRequest))
				if _, err := io.ReadFull(c, b); err != nil {
					return
				}
				if _, err := io.WriteString(c, answer); err != nil {
					return
				}
				if rest, err := io.ReadAll(c); err != nil || len(rest) != 0 {
					return // not the client's FIN alone
				}
				close(finSeen)
				<-release // open and silent until the test ends
			})
			h := startListener(t, Options{Mode: Plaintext, Backend: backend, Engine: eng, IdleTimeout: idle}, nil)
			c := dialGuarded(t, h.addr)
			if _, err := io.WriteString(c, engineRequest); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(answer))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != answer {
				t.Fatalf("client read %q, %v; want the answer", got, err)
			}
			if err := c.CloseWrite(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-finSeen:
			case <-time.After(20 * time.Second): // hang guard only
				t.Fatal("the backend never saw the client's FIN")
			}
			rest, err := io.ReadAll(c)
			if len(rest) != 0 || !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("client then read %q, %v; want tlsgate's reset at the idle timeout", rest, err)
			}
			r := h.next()
			if r.o.End != explain.EndIdleTimeout || r.o.IdleTimeout != idle || r.o.FirstFIN != explain.SideClient ||
				r.o.BytesUp != int64(len(engineRequest)) || r.o.BytesDown != int64(len(answer)) || r.o.BytesUpUndelivered != 0 {
				t.Errorf("end %q, idle timeout %v, first FIN %q, %d bytes up (%d undelivered), %d down; want idle_timeout after %v, the client's FIN, %d up and %d down",
					r.o.End, r.o.IdleTimeout, r.o.FirstFIN, r.o.BytesUp, r.o.BytesUpUndelivered, r.o.BytesDown, idle, len(engineRequest), len(answer))
			}
			if r.d.Code != explain.CodeIdleTimeout || !strings.Contains(r.d.Summary, idle.String()) {
				t.Errorf("code %s, summary %q; want %s naming %v", r.d.Code, r.d.Summary, explain.CodeIdleTimeout, idle)
			}
			t.Logf("%s: %s", r.d.Code, r.d.Summary)
		})
	}
}

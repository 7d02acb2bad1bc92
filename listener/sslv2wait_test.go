package listener

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestSSLv2HelloWaitsForItsLength: an SSLv2-format hello names its length
// in its two-byte header, so the peek waits for all of it (up to the peek
// deadline and cap), as it does for a TLS record: the hello is parsed and
// logged, on both engines. Before, its first five bytes decided the route
// and the rest went unread: a stalled hello was relayed as if whole, and a
// split one was logged without its cipher specs.
func TestSSLv2HelloWaitsForItsLength(t *testing.T) {
	hello := sslv2Hello()
	for _, eng := range testEngines {
		t.Run(string(eng)+"/split", func(t *testing.T) {
			needEngine(t, eng)
			be := echoBackend(t)
			h := startListener(t, Options{Mode: Passthrough, Backend: be, Engine: eng}, nil)
			c := dialGuarded(t, h.addr)
			if _, err := c.Write(hello[:11]); err != nil {
				t.Fatal(err)
			}
			// Not a timed assertion: the pause only gives a listener that
			// routes on the header a chance to, so the test fails without
			// the wait; with it, any pause passes.
			time.Sleep(100 * time.Millisecond)
			if _, err := c.Write(hello[11:]); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(hello))
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, hello) {
				t.Fatalf("echo % x, %v; want the whole hello relayed", got, err)
			}
			_ = c.CloseWrite()
			_, _ = io.Copy(io.Discard, c)
			r := h.next()
			if r.o.SSLv2 == nil || len(r.o.SSLv2.CipherSpecs) != 3 || r.o.HelloErr != "" {
				t.Fatalf("SSLv2 hello %+v, hello error %q; want the split hello parsed with its 3 cipher specs", r.o.SSLv2, r.o.HelloErr)
			}
			if r.o.Route != "passthrough" || r.o.PeekEnd != explain.PeerSpoke {
				t.Errorf("route %q, peek end %v; want passthrough after the whole hello", r.o.Route, r.o.PeekEnd)
			}
		})
		t.Run(string(eng)+"/stalled", func(t *testing.T) {
			needEngine(t, eng)
			be := echoBackend(t)
			h := startListener(t, Options{Mode: Passthrough, Backend: be, Engine: eng, PeekTimeout: 200 * time.Millisecond}, nil)
			c := dialGuarded(t, h.addr)
			if _, err := c.Write(hello[:11]); err != nil {
				t.Fatal(err)
			}
			// The relay begins only at the peek deadline; the echo says it did.
			got := make([]byte, 11)
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, hello[:11]) {
				t.Fatalf("echo % x, %v; want the stalled bytes relayed", got, err)
			}
			_ = c.CloseWrite()
			_, _ = io.Copy(io.Discard, c)
			r := h.next()
			if r.o.PeekEnd != explain.PeerPartial || !strings.Contains(r.o.HelloErr, "sslv2 hello: 11 of 36 bytes") {
				t.Errorf("peek end %v, hello error %q; want the peek to have waited for the hello to the deadline (partial, 11 of 36 bytes)",
					r.o.PeekEnd, r.o.HelloErr)
			}
		})
	}
}

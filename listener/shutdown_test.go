package listener

import (
	"context"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestShutdownCutIsOurs: connections still open when Shutdown's grace runs
// out (a relay, and a client still being peeked at) are logged as closed
// by tlsgate, not as the client's doing, on both engines.
func TestShutdownCutIsOurs(t *testing.T) {
	banner := bannerBackend(t)
	for _, eng := range testEngines {
		t.Run(string(eng), func(t *testing.T) {
			needEngine(t, eng)
			h := startListener(t, Options{Name: "cut", Mode: Plaintext, Backend: banner, Engine: eng}, nil)
			relayed := dialGuarded(t, h.addr)
			if _, err := io.WriteString(relayed, engineRequest); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(relayed, make([]byte, len(engineBanner))); err != nil {
				t.Fatalf("relay: %v", err)
			}
			_ = dialGuarded(t, h.addr) // silent: still being peeked at
			partial := dialGuarded(t, h.addr)
			if _, err := io.WriteString(partial, partialRequest); err != nil {
				t.Fatal(err)
			}
			waitLive(t, h.srv, 3)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			if err := h.srv.Shutdown(ctx); err == nil {
				t.Fatal("Shutdown returned nil with two connections still open past the grace")
			}
			if _, err := relayed.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("the relayed client read %v after the cut, want a reset", err)
			}
			sawPartial := false
			for range 3 {
				r := h.next()
				if r.d.Code != explain.CodeShutdownCut || r.o.End != explain.EndShutdown {
					t.Errorf("route %q: code %s (%s), want %s", r.o.Route, r.d.Code, r.d.Summary, explain.CodeShutdownCut)
				}
				sawPartial = sawPartial || string(r.o.FirstBytes) == partialRequest
			}
			if !sawPartial {
				// What the client had sent is the evidence of what it was.
				t.Errorf("no outcome kept the %q a client sent before the cut", partialRequest)
			}
		})
	}
}

// partialRequest is a request line cut short: the peek waits for the rest.
const partialRequest = "GET /slow HT"

// waitLive waits until the server holds n connections (on its loops or
// goroutines). A hang guard bounds it; it asserts no timing.
func waitLive(t *testing.T, s *Server, n int64) {
	t.Helper()
	for range 2000 {
		s.mu.Lock()
		live := int64(len(s.conns))
		eng := s.eng
		s.mu.Unlock()
		if eng != nil {
			live += eng.Live()
		}
		if live >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the server never held %d connections", n)
}

// TestZeroGraceCutsLateHandoffs: with no grace at all, a client that
// speaks just after Shutdown began is handed from a loop to the goroutine
// path before the loop sees Abort. That connection must be cut like the
// rest; it used to be served, and Shutdown waited for it without end.
//
// When the client's bytes leave is a race with the cut, and the test takes
// no side in it: the cut may reach the client before its write (the loop
// saw Abort first and reset the socket), and then the write, not the read,
// reports the reset. Linux reports a reset once, to the first call that
// looks, and the read after it sees a plain EOF: the test took that EOF for
// a FIN cut, and failed now and then on the io_uring engine, whose loop
// wakes for Abort at once. Each order must show the client a reset; the
// "before" and "after" cases fix the two orders, "during" keeps the race.
func TestZeroGraceCutsLateHandoffs(t *testing.T) {
	for _, eng := range []Engine{EngineEpoll, EngineUring} {
		for _, when := range []string{"before", "during", "after"} {
			t.Run(string(eng)+"/"+when, func(t *testing.T) {
				needEngine(t, eng)
				echo := echoBackend(t)
				h := startListener(t, Options{Mode: Passthrough, Backend: echo, PlainBackend: echo, NonSSL: NonSSLAllow,
					Engine: eng}, nil)
				c := dialGuarded(t, h.addr)
				waitLive(t, h.srv, 1)
				// Plain bytes on a TLS listener with non_ssl = allow go to
				// the goroutine path: the hand-off races the loop's Abort.
				var werr error
				speak := func() { _, werr = io.WriteString(c, engineRequest) }
				if when == "before" {
					speak()
				}
				ctx, cancel := context.WithCancel(context.Background())
				cancel() // grace 0: close at once
				done := make(chan error, 1)
				go func() { done <- h.srv.Shutdown(ctx) }()
				if when == "during" {
					speak()
				}
				select {
				case <-done:
				case <-time.After(10 * time.Second): // a hang guard, not a timing check
					_ = c.Close()
					t.Fatal("Shutdown with zero grace still waiting after 10s: a handed-off connection escaped the cut")
				}
				if when == "after" {
					speak()
				}
				_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
				_, rerr := io.ReadAll(c)
				if !clientSawReset(werr, rerr) {
					t.Errorf("client write ended with %v, read with %v after the cut, want a reset in one of them", werr, rerr)
				}
			})
		}
	}
}

// clientSawReset says whether a client that wrote (werr) and then read to
// the end (rerr) was reset: the kernel reports a reset to the first call
// after it came, so a write that met it leaves the read a plain EOF. EPIPE
// is a later write's answer to the same reset. A read that timed out saw
// nothing.
func clientSawReset(werr, rerr error) bool {
	if errors.Is(werr, syscall.ECONNRESET) || errors.Is(werr, syscall.EPIPE) {
		return true
	}
	return rerr != nil && !errors.Is(rerr, os.ErrDeadlineExceeded)
}

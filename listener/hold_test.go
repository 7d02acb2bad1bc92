package listener

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// quietFor is how long a client read waits to show that nothing (no byte,
// FIN or RST) arrives. A slow machine can only make that check pass
// wrongly, never fail wrongly.
const quietFor = 300 * time.Millisecond

// heldTimeout is the handshake or idle timeout that ends a held
// connection. The fault must have held something before it fires (the
// server flight, the backend's answer); on a loaded machine a shorter
// timeout can fire first, and then nothing is held and tlsgate's FIN is
// right, which the test would read as a leak.
const heldTimeout = 2 * time.Second

// heldCase is a fault that holds the way to the client, and a client that
// waits behind it until one of tlsgate's own timeouts ends the connection.
type heldCase struct {
	name   string
	opts   Options
	rule   faults.Rule
	client func(t *testing.T, addr string) *net.TCPConn
	code   string // the diagnosis, logged when tlsgate's timeout fires
}

func heldCases(t *testing.T) []heldCase {
	echo := echoBackend(t)
	hello := captureHello(t)
	// A TLS client that sent its hello and waits for the answer, which
	// the fault loses.
	tlsClientWaits := func(t *testing.T, addr string) *net.TCPConn {
		c := dialGuarded(t, addr)
		if _, err := c.Write(hello); err != nil {
			t.Fatal(err)
		}
		return c
	}
	return []heldCase{
		{name: "mtu, at the handshake timeout",
			opts: Options{Mode: Terminate, Backend: echo, ClientSSL: &ClientSSL{}, HandshakeTimeout: heldTimeout},
			rule: faults.Rule{Name: "tunnel-mtu-576", Action: faults.ActMTU, MTU: 576}, client: tlsClientWaits,
			code: explain.CodeHandshakeTimeout},
		{name: "blackhole stop, at the idle timeout",
			opts: Options{Mode: Terminate, Backend: echo, ClientSSL: &ClientSSL{}, IdleTimeout: 300 * time.Millisecond},
			rule: faults.Rule{Name: "drop-hello", Stage: faults.StageClientHello, Action: faults.ActBlackhole}, client: tlsClientWaits,
			code: explain.CodeFaultInjected},
		{name: "blackhole toward the client on a relay, at the idle timeout",
			opts: Options{Mode: Plaintext, Backend: echo, IdleTimeout: heldTimeout},
			rule: faults.Rule{Name: "drop-answers", Stage: faults.StageResponse, Action: faults.ActBlackhole, Direction: faults.S2C},
			client: func(t *testing.T, addr string) *net.TCPConn {
				c := dialGuarded(t, addr)
				if _, err := io.WriteString(c, engineRequest); err != nil {
					t.Fatal(err)
				}
				return c
			},
			// The blackhole swallowed the answer, so it is what ended the
			// connection (recorded as the stop, as every cut is), though
			// tlsgate's idle timer closed the relay.
			code: explain.CodeFaultInjected},
	}
}

// startHeld runs tt's listener with its fault rule and max_connections 1,
// and a client it holds; it returns once tlsgate's timeout has ended (and
// logged) the connection.
func startHeld(t *testing.T, tt heldCase, eng Engine) (*harness, *net.TCPConn, result) {
	t.Helper()
	e := faults.NewEngine(nil)
	if err := e.Add(tt.rule); err != nil {
		t.Fatal(err)
	}
	opts := tt.opts
	opts.MaxConnections, opts.Engine = 1, eng
	h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
	c := tt.client(t, h.addr)
	r := h.next()
	if r.d.Code != tt.code || r.o.FaultFirings == nil {
		t.Fatalf("logged %s (%s), fault firings %v; want %s with the rule", r.d.Code, r.d.Summary, r.o.FaultFirings, tt.code)
	}
	return h, c, r
}

// TestHeldPastTimeouts: when handshake_timeout or idle_timeout ends a
// connection whose way to the client a fault holds (a PMTUD black hole, a
// blackhole), the client must see nothing, as behind a real black hole,
// until it gives up: tlsgate's FIN showed curl (35) after 10 s where a
// black hole gives (28). The socket still counts toward max_connections
// until it really closes, and the connection is logged once, when
// tlsgate's timeout ended it.
func TestHeldPastTimeouts(t *testing.T) {
	for _, tt := range heldCases(t) {
		for _, eng := range testEngines {
			if eng != EngineGoroutines && tt.opts.Mode == Terminate {
				continue // terminating listeners run on goroutines only
			}
			t.Run(tt.name+"/"+string(eng), func(t *testing.T) {
				needEngine(t, eng)
				h, c, _ := startHeld(t, tt, eng)
				expectQuiet(t, c)
				if n := h.srv.Active(); n != 1 {
					t.Errorf("Active = %d while the socket is held, want 1", n)
				}
				// The held socket keeps the only slot.
				if err := refusedRead(h.addr); !errors.Is(err, syscall.ECONNRESET) {
					t.Errorf("a connection over max_connections saw %v, want the refusal's reset", err)
				}
				// The client gives up: the socket closes, the slot is free.
				_ = c.Close()
				waitActive(t, h.srv, 0)
				next := dialGuarded(t, h.addr)
				_ = next.Close()
				if r := h.next(); r.o.Client.Port() != addrPort(next.LocalAddr()).Port() {
					t.Errorf("logged %v, want the connection after the hold", r.o.Client)
				}
				if got := h.srv.Refused(); got != 1 {
					t.Errorf("refused %d connections, want only the one over the limit while held", got)
				}
				if extra := len(h.out); extra != 0 {
					t.Errorf("%d more outcomes logged; want one per connection", extra)
				}
			})
		}
	}
}

// TestShutdownEndsHeld: a held socket is a live connection to Shutdown:
// its client is still waiting. When the grace runs out it is reset with
// the rest, Shutdown reports that it had to force, and no goroutine or
// descriptor of the hold is left.
func TestShutdownEndsHeld(t *testing.T) {
	cases := heldCases(t)
	type run struct {
		tt  heldCase
		eng Engine
	}
	// The terminating case on goroutines; the relay case on every engine.
	runs := []run{{cases[0], EngineGoroutines}}
	for _, eng := range testEngines {
		runs = append(runs, run{cases[2], eng})
	}
	for _, r := range runs {
		t.Run(r.tt.name+"/"+string(r.eng), func(t *testing.T) {
			needEngine(t, r.eng)
			shutdownEndsHeld(t, r.tt, r.eng)
		})
	}
}

// shutdownEndsHeld holds tt's client on eng, then shuts down with a grace
// the hold outlasts.
func shutdownEndsHeld(t *testing.T, tt heldCase, eng Engine) {
	t.Helper()
	h, c, _ := startHeld(t, tt, eng)
	expectQuiet(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := h.srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v with a held socket past the grace, want it forced", err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("the held client read %v after the shutdown, want a reset", err)
	}
	if n := h.srv.Active(); n != 0 {
		t.Errorf("Active = %d after Shutdown returned", n)
	}
	// Shutdown waited for the hold to end, so its goroutine has returned
	// (or is returning) and its descriptor is closed.
	for end := time.Now().Add(10 * time.Second); holdGoroutines() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) { // a hang guard
			t.Fatalf("%d hold goroutines left after Shutdown", holdGoroutines())
		}
	}
	if extra := len(h.out); extra != 0 {
		t.Errorf("%d more outcomes logged after the shutdown; the held connection was logged already", extra)
	}
}

// refusedRead dials addr and reads: the error a refused connection ends
// with, which its connect may already report when the reset is quick.
func refusedRead(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a hang guard
	_, err = c.Read(make([]byte, 1))
	return err
}

// holdGoroutines counts the goroutines running a hold.
func holdGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return bytes.Count(buf, []byte("faults.(*Held).run("))
}

// expectQuiet reads from c for quietFor and fails on anything but the
// timeout: a byte, a FIN (EOF) or an RST would not have come through.
func expectQuiet(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(quietFor))
	n, err := c.Read(make([]byte, 1))
	if ne, ok := errors.AsType[net.Error](err); !ok || !ne.Timeout() {
		t.Fatalf("held client read %d bytes, %v; want silence (no FIN, no RST) after tlsgate's timeout", n, err)
	}
	_ = c.SetReadDeadline(time.Time{})
}

// waitActive waits until the server has n connections open. A hang guard
// bounds it; it asserts no timing.
func waitActive(t *testing.T, s *Server, n int64) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); s.Active() != n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("the server still has %d connections open, want %d", s.Active(), n)
		}
	}
}

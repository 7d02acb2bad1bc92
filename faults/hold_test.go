package faults

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// quietFor is how long a client read waits to show that nothing (no byte,
// FIN or RST) arrives. A slow machine can only make such a check pass
// wrongly, never fail wrongly; the matching check without the hold sees
// the FIN at once.
const quietFor = 300 * time.Millisecond

// holdWatch is a WrapDeps.Hold that reports the hold's start and end.
type holdWatch struct {
	started chan *Held
	closed  chan struct{}
}

func newHoldWatch() *holdWatch {
	return &holdWatch{started: make(chan *Held, 1), closed: make(chan struct{})}
}

func (w *holdWatch) hold(h *Held) func() {
	w.started <- h
	return func() { close(w.closed) }
}

// waitStarted waits for the hold to begin and returns it.
func (w *holdWatch) waitStarted(t *testing.T) *Held {
	t.Helper()
	select {
	case h := <-w.started:
		return h
	case <-time.After(hangGuard):
		t.Fatal("the socket was not held")
		return nil
	}
}

// waitClosed waits for the held socket to be really closed.
func (w *holdWatch) waitClosed(t *testing.T) {
	t.Helper()
	select {
	case <-w.closed:
	case <-time.After(hangGuard):
		t.Fatal("the held socket was never closed")
	}
}

// expectQuiet reads from the client for quietFor and fails on anything but
// the timeout: data, a FIN (EOF) or an RST would all have got through the
// black hole. want is what must arrive before (bytes that passed).
func expectQuiet(t *testing.T, cli net.Conn, want int) {
	t.Helper()
	_ = cli.SetReadDeadline(time.Now().Add(quietFor))
	n, err := io.Copy(io.Discard, cli)
	if !isTimeout(err) || n != int64(want) {
		t.Fatalf("client read %d bytes, then %v; want %d bytes and silence (no FIN, no RST)", n, err, want)
	}
}

// TestHeldEndSendsNothing: closing or resetting a conn whose way to the
// client a fault holds for good must send the client nothing, as through a
// real black hole our FIN or RST would be lost too. tlsgate's handshake
// timeout closing such a conn once showed curl an EOF (35) instead of its
// own timeout (28). Where nothing holds the way, the end goes out.
func TestHeldEndSendsNothing(t *testing.T) {
	closeIt := func(c net.Conn) error { return c.Close() }
	tests := []struct {
		name   string
		rule   Rule
		writes []int                // writes toward the client, in bytes
		end    func(net.Conn) error // how tlsgate ends the conn
		passed int                  // bytes the client receives
		held   bool
	}{
		{"mtu stalled, close", Rule{Action: ActMTU, MTU: 576}, []int{2000}, closeIt, 0, true},
		{"mtu stalled, reset", Rule{Action: ActMTU, MTU: 576}, []int{2000}, Reset, 0, true},
		{"mtu stalled after a small write", Rule{Action: ActMTU, MTU: 576}, []int{100, 2000, 100}, closeIt, 100, true},
		{"mtu still passing", Rule{Action: ActMTU, MTU: 576}, []int{100}, closeIt, 100, false},
		{"blackhole toward the client", Rule{Action: ActBlackhole, Direction: S2C, Stage: StageServerFlight}, []int{100}, closeIt, 0, true},
		{"blackhole both ways as a wrapper", Rule{Action: ActBlackhole, Direction: Both, Stage: StageServerFlight}, []int{100}, Reset, 0, true},
		{"blackhole on the client's bytes only", Rule{Action: ActBlackhole, Direction: C2S, Stage: StageServerFlight}, []int{100}, closeIt, 100, false},
		{"blackhole then fin", Rule{Action: ActBlackhole, Direction: S2C, Stage: StageServerFlight, Then: ThenFIN, Delay: Duration(time.Hour)}, []int{100}, closeIt, 0, false},
		{"timeout that holds", Rule{Action: ActTimeout, Direction: S2C}, []int{100}, closeIt, 0, true},
		{"truncate past its limit", Rule{Action: ActTruncate, Bytes: 10}, []int{100}, closeIt, 10, true},
		{"truncate within its limit", Rule{Action: ActTruncate, Bytes: 1000}, []int{100}, closeIt, 100, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cli := loopbackPair(t)
			watch := newHoldWatch()
			w := Wrap(srv, []*Rule{rule(t, tt.rule)}, FacingClient, WrapDeps{Hold: watch.hold})
			for _, n := range tt.writes {
				if _, err := w.Write(make([]byte, n)); err != nil {
					t.Fatal(err)
				}
			}
			if err := tt.end(w); err != nil {
				t.Fatalf("ending the conn: %v", err)
			}
			if !tt.held {
				_ = cli.SetReadDeadline(time.Now().Add(hangGuard))
				n, err := io.Copy(io.Discard, cli)
				if err != nil || n != int64(tt.passed) {
					t.Fatalf("client read %d bytes, then %v; want %d bytes and the FIN", n, err, tt.passed)
				}
				if len(watch.started) != 0 {
					t.Error("a socket was held with nothing holding the way")
				}
				return
			}
			expectQuiet(t, cli, tt.passed)
			if len(watch.started) != 1 {
				t.Fatal("the socket was held without telling WrapDeps.Hold")
			}
			// The client gives up: the hold ends and the socket closes.
			_ = cli.Close()
			watch.waitClosed(t)
		})
	}
}

// TestHeldCloseWakesEveryone: the hold must not keep anything blocked on
// the conn. A read waiting on the socket itself (no inbound filter) or on
// the inbound filters' pipe ends when the conn is closed, as after a real
// close: the listener relies on that to end a handshake or relay at its
// timeouts (crypto/tls closes the conn when its context ends).
func TestHeldCloseWakesEveryone(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		op   func(w net.Conn) error
	}{
		{"read from the socket", Rule{Action: ActMTU, MTU: 576}, func(w net.Conn) error {
			_, err := w.Write(make([]byte, 2000)) // stall first
			if err != nil {
				return err
			}
			_, err = w.Read(make([]byte, 1))
			return err
		}},
		{"read through inbound filters", Rule{Action: ActBlackhole, Direction: Both, Stage: StageServerFlight}, func(w net.Conn) error {
			_, err := w.Read(make([]byte, 1))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cli := loopbackPair(t)
			w := Wrap(srv, []*Rule{rule(t, tt.rule)}, FacingClient, WrapDeps{})
			ended := make(chan error, 1)
			go func() { ended <- tt.op(w) }()
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-ended:
				if err == nil {
					t.Error("the blocked operation returned no error after Close")
				}
			case <-time.After(hangGuard):
				t.Fatal("an operation blocked on the held conn was not woken by Close")
			}
			_ = cli.Close()
		})
	}
}

// TestHoldEnds: a hold whose client never gives up still ends, with an
// RST, at the hold's maximum or when the holder resets it (a listener's
// shutdown), so no descriptor is kept for ever.
func TestHoldEnds(t *testing.T) {
	tests := []struct {
		name string
		end  func(clk *fakeClock, h *Held)
	}{
		{"at HoldMax", func(clk *fakeClock, _ *Held) {
			if got := clk.Timers(); len(got) != 1 || got[0] != time.Minute {
				t.Errorf("timers = %v, want the one-minute HoldMax", got)
			}
			clk.Fire()
		}},
		{"by Reset", func(_ *fakeClock, h *Held) { _ = h.Reset() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cli := loopbackPair(t)
			clk := newFakeClock()
			watch := newHoldWatch()
			deps := clk.deps()
			deps.Hold, deps.HoldMax = watch.hold, time.Minute
			w := Wrap(srv, []*Rule{rule(t, Rule{Action: ActMTU, MTU: 576})}, FacingClient, deps)
			if _, err := w.Write(make([]byte, 2000)); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			expectQuiet(t, cli, 0)
			tt.end(clk, watch.waitStarted(t))
			watch.waitClosed(t)
			_ = cli.SetReadDeadline(time.Now().Add(hangGuard))
			if _, err := cli.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("client read after the hold = %v, want a reset", err)
			}
		})
	}
}

// TestApplyHoldOutlivesItsDeadline: a stop that holds (blackhole) returns
// at the read deadline the listener bounds it with, but the client still
// sees nothing, not the FIN that closing then sent, until it gives up.
func TestApplyHoldOutlivesItsDeadline(t *testing.T) {
	tests := []struct {
		name string
		r    Rule
	}{
		{"blackhole", Rule{Action: ActBlackhole}},
		{"large hello, then hold", Rule{Action: ActLargeHello, Then: ThenHold}},
		{"alert, then hold", Rule{Action: ActAlert, Alert: ptr(Alert(40)), Then: ThenHold}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rule(t, tt.r)
			watch := newHoldWatch()
			addr, res := serveHello(t, func(c net.Conn, h *sniff.ClientHello) error {
				_ = c.SetReadDeadline(time.Now()) // the bound has come
				_, err := Apply(c, r, h, WrapDeps{Hold: watch.hold})
				return err
			})
			raw, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			hs := make(chan error, 1)
			go func() {
				hs <- tls.Client(raw, &tls.Config{ServerName: "lab.test", InsecureSkipVerify: true}).Handshake()
			}()
			if err := <-res; err != nil {
				t.Fatalf("Apply: %v", err)
			}
			select {
			case err := <-hs:
				if tt.r.Action != ActAlert {
					t.Fatalf("the client's handshake ended with %v while held; want it still waiting", err)
				}
				// The alert got through, and nothing after it.
				expectQuiet(t, raw, 0)
			case <-time.After(quietFor):
			}
			watch.waitStarted(t)
			_ = raw.Close()
			watch.waitClosed(t)
		})
	}
}

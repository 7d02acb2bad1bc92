package upstream

import (
	"errors"
	"io"
	"syscall"
	"testing"
	"time"
)

// TestErrPending: a reset's error stays on the socket until a call takes
// it, and errPending sees it there without taking it. Without a FIN a
// relay's reads end in ECONNRESET while the error waits, and in a plain
// EOF once a write took it: that EOF is then no FIN (awaitWriteFail).
func TestErrPending(t *testing.T) {
	tests := []struct {
		name  string
		abort bool // the peer resets (SO_LINGER 0) instead of closing
		fin   bool // the peer's socket is closed, with a FIN or a reset
		take  bool // a write takes the error before the check
		want  bool
	}{
		{name: "open connection", want: false},
		{name: "FIN only", fin: true, want: false},
		{name: "reset, error untaken", fin: true, abort: true, want: true},
		{name: "reset, a write took the error", fin: true, abort: true, take: true, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, peer := tcpPair(t)
			if tt.abort {
				_ = peer.SetLinger(0)
			}
			if tt.fin {
				_ = peer.Close()
				// Wait for the kernel's view of the end (a hang guard only).
				for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
					if s := tcpState(ours); s == tcpCloseWait || s == tcpClose {
						break
					}
					if time.Now().After(deadline) {
						t.Fatal("the peer's end never reached our socket")
					}
				}
			}
			if tt.take {
				if _, err := ours.Write([]byte("x")); !errors.Is(err, syscall.ECONNRESET) {
					t.Fatalf("write: %v; want the reset's error", err)
				}
			}
			if got := errPending(ours); got != tt.want {
				t.Errorf("errPending = %v, want %v", got, tt.want)
			}
			if got := errPending(ours); got != tt.want {
				t.Errorf("errPending a second time = %v, want %v: the first call took the error", got, tt.want)
			}
			if tt.abort && !tt.take {
				// The error is still there for the read to take.
				if _, err := ours.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
					t.Errorf("read after errPending: %v; want the reset", err)
				}
			}
			if tt.take {
				if _, err := ours.Read(make([]byte, 1)); err != io.EOF {
					t.Errorf("read after the write took the reset: %v; want a plain EOF", err)
				}
			}
		})
	}
}

// TestPumpFINThenResetPassesFIN: a backend that answers and closes, then
// resets the client's next bytes, which the relay wrote after the FIN,
// ended with its FIN: the relay reads the answer and that FIN only once
// the reset is on the socket, with its error untaken (the client sends
// nothing more). The client gets the answer and a FIN, not a reset, and
// the relay waits for no failing write that will never come.
func TestPumpFINThenResetPassesFIN(t *testing.T) {
	r := newRig(t, false)
	g := &gatedConn{Conn: r.backendSide, open: make(chan struct{})}
	r.backendSide = g
	openGate := func() { g.once.Do(func() { close(g.open) }) }
	t.Cleanup(openGate)
	done := r.start(nil, 0)

	const said = "the backend's answer, then its FIN"
	if _, err := r.backendApp.Write([]byte(said)); err != nil {
		t.Fatal(err)
	}
	r.backendApp.Close()
	_ = r.clientApp.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
	if _, err := r.clientApp.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); !peerReset(g.Conn); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the backend never reset the relay's write")
		}
	}
	openGate()
	got, err := io.ReadAll(r.clientApp)
	if string(got) != said || err != nil {
		t.Errorf("client read %q, %v; want the backend's bytes, then its FIN", got, err)
	}
	if err := r.clientApp.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	var pr pumpResult
	select {
	case pr = <-done:
	case <-time.After(20 * time.Second): // hang guard only
		t.Fatal("the pump never ended")
	}
	if pr.res.Down != int64(len(said)) || pr.res.FirstFIN != SideBackend {
		t.Errorf("%d bytes down, first FIN %q, error %v; want the backend's %d bytes and its FIN first",
			pr.res.Down, pr.res.FirstFIN, pr.err, len(said))
	}
}

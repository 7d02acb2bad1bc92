//go:build linux

package fastpath

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"
)

// holdingHandler is testHandler whose Decide, for a client whose first
// byte is 'B', holds the loop's thread until release closes and then
// hands the connection off: a test makes the loop look away while the
// kernel moves another connection on.
type holdingHandler struct {
	*testHandler
	decided chan byte     // the first byte of each Decide, as it begins
	release chan struct{} // closed: a held Decide returns
}

func (h *holdingHandler) Decide(c *Conn, b []byte) (Verdict, netip.AddrPort) {
	h.decided <- b[0]
	if b[0] == 'B' {
		<-h.release
		return Handoff, netip.AddrPort{}
	}
	return h.testHandler.Decide(c, b)
}

// fullBacklogListener listens on loopback with a backlog of 0 and one
// connection queued, unaccepted: the kernel drops the next SYN, so a
// connect to it stays in SYN_SENT until the SYN is sent again (about a
// second later) after the queue has room. It returns the listener and a
// func that accepts and closes the queued connection, making that room.
func fullBacklogListener(t *testing.T) (*net.TCPListener, func()) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		syscall.Close(fd)
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "backlog0")
	fl, err := net.FileListener(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ln := fl.(*net.TCPListener)
	t.Cleanup(func() { ln.Close() })
	filler, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { filler.Close() })
	return ln, func() {
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		filler.Close()
	}
}

// TestConnectSeenAfterBackendEnd: a backend accepts, writes and resets
// (or closes) before the loop has seen its connect finish. The connect
// succeeded, so the connection was up: the client gets the backend's bytes
// and then its end, and a reset is the backend's after those bytes, not a
// dial failure (which dropped the bytes and reset the client bare).
func TestConnectSeenAfterBackendEnd(t *testing.T) {
	for _, reset := range []bool{true, false} {
		name := "close"
		if reset {
			name = "reset"
		}
		t.Run(name, func(t *testing.T) { connectSeenAfterBackendEnd(t, reset) })
	}
}

func connectSeenAfterBackendEnd(t *testing.T, reset bool) {
	ln, room := fullBacklogListener(t)
	h := &holdingHandler{testHandler: newTestHandler(ln.Addr().(*net.TCPAddr).AddrPort()),
		decided: make(chan byte, 4), release: make(chan struct{})}
	released := false
	defer func() {
		if !released {
			close(h.release)
		}
	}()
	_, addr := startEngine(t, h, Config{Loops: 1, BusyPoll: -1})

	// A's relay starts: its connect stays in SYN_SENT (the backlog is
	// full), and its first bytes wait for it.
	a, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	_ = a.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
	if _, err := a.Write([]byte("A hello")); err != nil {
		t.Fatal(err)
	}
	if b := <-h.decided; b != 'A' {
		t.Fatalf("first Decide saw %q, want A's", b)
	}
	// B holds the one loop: its Decide runs after A's dial returned.
	b, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Write([]byte("B")); err != nil {
		t.Fatal(err)
	}
	if c := <-h.decided; c != 'B' {
		t.Fatalf("second Decide saw %q, want B's", c)
	}
	// With the loop held, the backend gets A's connection (on the SYN's
	// retransmission), writes and resets it; the kernel completes all of
	// that on loopback before each call returns.
	room()
	_ = ln.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
	bc, err := ln.AcceptTCP()
	if err != nil {
		t.Fatal(err)
	}
	const said = "backend said this, then ended"
	if _, err := bc.Write([]byte(said)); err != nil {
		t.Fatal(err)
	}
	if reset {
		_ = bc.SetLinger(0)
	}
	bc.Close()
	close(h.release)
	released = true

	got, err := io.ReadAll(a)
	if string(got) != said || reset && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client read %q, %v; want the backend's bytes, then its end", got, err)
	}
	_ = a.(*net.TCPConn).CloseWrite() // after a FIN, the relay waits for the client's
	var r Result
	select {
	case r = <-h.closed:
	case <-time.After(20 * time.Second): // hang guard only
		t.Fatal("no result")
	}
	if !reset {
		if r.DialErr != nil || r.Down != int64(len(said)) || r.FirstFIN != "backend" {
			t.Errorf("result: dial error %v, %d bytes down, first FIN %q; want the backend's %d bytes and its FIN, no dial error",
				r.DialErr, r.Down, r.FirstFIN, len(said))
		}
		return
	}
	if r.DialErr != nil || r.ResetBy != "backend" || r.Down != int64(len(said)) || r.Err == nil {
		t.Errorf("result: dial error %v, reset by %q, %d bytes down, error %v; want the backend's reset after %d bytes, no dial error",
			r.DialErr, r.ResetBy, r.Down, r.Err, len(said))
	}
	if !r.BackendLocal.IsValid() {
		t.Errorf("backend local address %v, want the connection's", r.BackendLocal)
	}
}

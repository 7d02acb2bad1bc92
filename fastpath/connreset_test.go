//go:build linux

package fastpath

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
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

// startHolding starts a one-loop engine whose holdingHandler relays to
// backend. release lets a held Decide return; calling it again does
// nothing, and the test's end calls it before the engine stops, which
// waits for the loop.
func startHolding(t *testing.T, backend netip.AddrPort) (h *holdingHandler, addr string, release func()) {
	t.Helper()
	h = &holdingHandler{testHandler: newTestHandler(backend), decided: make(chan byte, 4), release: make(chan struct{})}
	_, addr = startEngine(t, h, Config{Loops: 1, BusyPoll: -1})
	var once sync.Once
	release = func() { once.Do(func() { close(h.release) }) }
	t.Cleanup(release)
	return h, addr, release
}

// dialDecided dials addr, writes first and waits for Decide to begin on
// those bytes; the test's end closes the connection.
func dialDecided(t *testing.T, h *holdingHandler, addr, first string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
	if _, err := c.Write([]byte(first)); err != nil {
		t.Fatal(err)
	}
	if b := <-h.decided; b != first[0] {
		t.Fatalf("Decide saw %q, want %q's", b, first[:1])
	}
	return c
}

// result waits for the next connection's Result.
func (h *holdingHandler) result(t *testing.T) Result {
	t.Helper()
	select {
	case r := <-h.closed:
		return r
	case <-time.After(20 * time.Second): // hang guard only
		t.Fatal("no result")
		return Result{}
	}
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
	h, addr, release := startHolding(t, ln.Addr().(*net.TCPAddr).AddrPort())

	// A's relay starts: its connect stays in SYN_SENT (the backlog is
	// full), and its first bytes wait for it.
	a := dialDecided(t, h, addr, "A hello")
	// B holds the one loop: its Decide runs after A's dial returned.
	dialDecided(t, h, addr, "B")
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
	release()

	got, err := io.ReadAll(a)
	if string(got) != said || reset && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client read %q, %v; want the backend's bytes, then its end", got, err)
	}
	_ = a.(*net.TCPConn).CloseWrite() // after a FIN, the relay waits for the client's
	r := h.result(t)
	// The client's first bytes waited for the connect. After a reset they
	// were never written: none counted up, all of them undelivered. After
	// a close, the connection could still take them (the backend's kernel
	// resets them later): written and counted.
	sent := int64(len("A hello"))
	wantUp, wantLost := int64(0), sent
	if !reset {
		wantUp, wantLost = sent, 0
	}
	if r.Up != wantUp || r.Undelivered != wantLost {
		t.Errorf("result: %d bytes up, %d undelivered; want %d and %d of the client's %d", r.Up, r.Undelivered, wantUp, wantLost, sent)
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

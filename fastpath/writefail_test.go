//go:build linux

package fastpath

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestBackendWriteFailDeliversRest: a write to the backend fails (its
// reset came) while what the backend sent before the reset is still
// queued on its socket, unread by the relay. Those bytes go to the client
// before the reset, as they do when the relay's read meets the reset
// first: no byte the backend sent is lost. The loop is held (B's Decide)
// while the client writes and the backend then answers and resets, so the
// client's bytes are the first event the loop sees after it: the write
// fails before any read of the backend.
func TestBackendWriteFailDeliversRest(t *testing.T) {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	h, addr, release := startHolding(t, ln.Addr().(*net.TCPAddr).AddrPort())

	const hello = "A hello"
	a := dialDecided(t, h, addr, hello)
	_ = ln.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
	bc, err := ln.AcceptTCP()
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	if _, err := io.ReadFull(bc, make([]byte, len(hello))); err != nil {
		t.Fatal(err)
	}
	// B holds the one loop.
	dialDecided(t, h, addr, "B")
	if _, err := a.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	const said = "the backend's answer, then its reset"
	if _, err := bc.Write([]byte(said)); err != nil {
		t.Fatal(err)
	}
	_ = bc.SetLinger(0)
	bc.Close()
	release()

	got, err := io.ReadAll(a)
	if string(got) != said || !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client read %q, %v; want the backend's bytes, then a reset", got, err)
	}
	r := h.result(t)
	if r.ResetBy != "backend" || r.Down != int64(len(said)) || string(r.DownHead[:r.DownHeadLen]) != said[:r.DownHeadLen] {
		t.Errorf("result: reset by %q, %d bytes down (head %q), error %v; want the backend's reset after its %d bytes",
			r.ResetBy, r.Down, r.DownHead[:r.DownHeadLen], r.Err, len(said))
	}
	t.Logf("result: reset by %q, %d down, %v", r.ResetBy, r.Down, r.Err)
}

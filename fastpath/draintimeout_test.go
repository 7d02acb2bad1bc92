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

// TestDrainMeetsIdleTimeout: the client sent its bytes and its FIN, the
// backend answered and keeps its side open, then says nothing more. The
// loop's idle timeout ends the drain: both sides are reset, and the
// result says idle (ErrIdle), the client's FIN first, and exactly the
// bytes relayed each way.
func TestDrainMeetsIdleTimeout(t *testing.T) {
	const ask, answer = "R ping", "pong, then silence"
	finSeen, release := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
		b := make([]byte, len(ask))
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		if _, err := io.WriteString(c, answer); err != nil {
			return
		}
		if rest, err := io.ReadAll(c); err != nil || len(rest) != 0 {
			return
		}
		close(finSeen)
		<-release // open and silent until the test ends
	}()
	h := newTestHandler(ln.Addr().(*net.TCPAddr).AddrPort())
	_, addr := startEngine(t, h, Config{IdleTimeout: 200 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
	if _, err := io.WriteString(c, ask); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(answer))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != answer {
		t.Fatalf("client read %q, %v; want the answer", got, err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-finSeen:
	case <-time.After(20 * time.Second): // hang guard only
		t.Fatal("the backend never saw the client's FIN")
	}
	if rest, err := io.ReadAll(c); len(rest) != 0 || !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client then read %q, %v; want the loop's reset at the idle timeout", rest, err)
	}
	var r Result
	select {
	case r = <-h.closed:
	case <-time.After(20 * time.Second): // hang guard only
		t.Fatal("no result")
	}
	if !errors.Is(r.Err, ErrIdle) || r.ResetBy != "" || r.FirstFIN != "client" ||
		r.Up != int64(len(ask)) || r.Down != int64(len(answer)) || r.Undelivered != 0 || r.BackendRemote != h.backend {
		t.Errorf("result: error %v, reset by %q, first FIN %q, %d up (%d undelivered), %d down; want ErrIdle after the client's FIN, %d up and %d down",
			r.Err, r.ResetBy, r.FirstFIN, r.Up, r.Undelivered, r.Down, len(ask), len(answer))
	}
}

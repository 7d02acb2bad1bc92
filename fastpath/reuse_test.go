//go:build linux

package fastpath

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// reuseHandler relays every connection whose first byte is not 'H' and
// hands the rest off; it remembers every Conn it was given.
type reuseHandler struct {
	backend netip.AddrPort
	mu      sync.Mutex
	handed  map[*Conn]bool
	opened  map[*Conn]bool
	live    map[*Conn]bool // opened, not yet Closed or handed off
	opens   int
	bad     []string
}

func (h *reuseHandler) Open(c *Conn) Verdict {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.handed[c] {
		h.bad = append(h.bad, fmt.Sprintf("Open got Conn %p again after handing it off", c))
	}
	if c.State != nil || c.Consumed != nil || c.Watch != nil {
		h.bad = append(h.bad, fmt.Sprintf("Open got Conn %p with a previous connection's fields", c))
	}
	if h.live[c] {
		h.bad = append(h.bad, fmt.Sprintf("Open got Conn %p while its connection was still live", c))
	}
	h.opened[c], h.live[c] = true, true
	h.opens++
	c.State = h // anything, for the next Open to find cleared
	return Wait
}

func (h *reuseHandler) Decide(_ *Conn, b []byte) (Verdict, netip.AddrPort) {
	if b[0] == 'H' {
		return Handoff, netip.AddrPort{}
	}
	return Relay, h.backend
}

func (h *reuseHandler) Handoff(c *Conn, nc net.Conn, _ error) {
	h.mu.Lock()
	h.handed[c] = true
	delete(h.live, c)
	h.mu.Unlock()
	if nc != nil {
		_ = nc.Close()
	}
}

func (h *reuseHandler) Closed(c *Conn, _ Result) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.live[c] {
		h.bad = append(h.bad, fmt.Sprintf("Closed got Conn %p, which is not live (reported twice, or reused)", c))
	}
	delete(h.live, c)
}

// TestEndedConnsAreReusedHandedOffNever: the loops (both engines: see
// TestUringEngine) give an ended Conn to a later accept, zeroed, and never
// one they handed off, which the goroutine path may still be reading.
func TestEndedConnsAreReusedHandedOffNever(t *testing.T) {
	h := &reuseHandler{backend: echoBackend(t), handed: map[*Conn]bool{}, opened: map[*Conn]bool{}, live: map[*Conn]bool{}}
	_, addr := startEngine(t, h, Config{})
	const conns = 200
	for i := range conns {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		first := "relay me"
		if i%4 == 3 {
			first = "H: hand me off"
		}
		if _, err := io.WriteString(c, first); err != nil {
			t.Fatal(err)
		}
		_ = c.(*net.TCPConn).CloseWrite()
		_, _ = io.Copy(io.Discard, c) // the echo, or the hand-off's close
		_ = c.Close()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, b := range h.bad {
		t.Error(b)
	}
	if h.opens != conns {
		t.Fatalf("%d opens, want %d", h.opens, conns)
	}
	// Some reuse at least: sync.Pool drops a share of what it is given
	// under -race (the io_uring loop's own list drops none).
	if len(h.opened) > conns-10 {
		t.Errorf("%d connections in %d distinct Conns: ended Conns were not reused", conns, len(h.opened))
	}
}

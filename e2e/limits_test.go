package e2e

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// refusalMsg is tlsgate's own (non-BIG-IP) line for max_connections.
const refusalMsg = "max_connections reached"

// Case 15: max_connections = 2 resets the third connection, and a burst of
// refusals is summarised in a few log lines, not one per connection.
func TestMaxConnections(t *testing.T) {
	t.Parallel()
	echoBE := startEchoBackend(t, nil)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "limited", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\nmax_connections = 2\n", echoBE.addr)},
	}})
	addr := g.Addr("limited")

	// Two connections that provably hold their slots: each got its echo
	// back, so tlsgate accepted it and is relaying it.
	var held []net.Conn
	var heldAddrs []string
	for i := range 2 {
		c, local := dialTCP(t, addr)
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(clientTimeout))
		msg := fmt.Sprintf("hold %d\n", i)
		if _, err := io.WriteString(c, msg); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
			t.Fatalf("held connection %d: echo %q, %v", i, got, err)
		}
		held = append(held, c)
		heldAddrs = append(heldAddrs, local)
	}

	// On loopback the reset can beat connect() itself, so a reset reported
	// by the dial counts as well as one reported by the first read.
	refusedReset := func(t *testing.T, i int) {
		t.Helper()
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err == nil {
			err = readEnd(c)
			c.Close()
		}
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("connection %d over the limit ended with %v, want a reset", i, err)
		}
	}
	refusedReset(t, 3)
	const burst = 50
	for i := range burst {
		refusedReset(t, 4+i)
	}

	// Freed slots serve again.
	for _, c := range held {
		c.Close()
	}
	for _, a := range heldAddrs {
		wantCode(t, g.eventFrom(t, "limited", a), "ok")
	}
	c, _ := dialTCP(t, addr)
	_ = c.SetDeadline(time.Now().Add(clientTimeout))
	if _, err := io.WriteString(c, "again\n"); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 6)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "again\n" {
		t.Errorf("after the held connections closed: echo %q, %v", got, err)
	}
	c.Close()
	g.stop(t)

	var lines int
	var refused, total int64
	for _, l := range g.lines(t) {
		if strings.HasPrefix(l.Msg, refusalMsg) {
			if l.Listener != "limited" {
				t.Errorf("refusal line for listener %q", l.Listener)
			}
			lines++
			refused += l.Refused
			total = max(total, l.RefusedTotal)
		}
		if l.Conn != nil && l.Conn.Diagnosis == "max_connections" {
			t.Errorf("a per-connection event for a refused connection: %s", l.Conn)
		}
	}
	if lines == 0 || lines >= 10 {
		t.Errorf("%d %q lines for %d refusals, want between 1 and 9", lines, refusalMsg, burst+1)
	}
	if refused != burst+1 || total != burst+1 {
		t.Errorf("refusals counted %d (total %d), want %d", refused, total, burst+1)
	}
}

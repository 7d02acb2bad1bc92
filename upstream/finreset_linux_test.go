package upstream

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestFinBeforeReset: a write that meets the peer's reset tells whether
// the peer's FIN came first (a peer that closed and reset what we sent
// after) from a reset with no FIN, and whether bytes before the FIN are
// still unread. Only the first case is the close race.
func TestFinBeforeReset(t *testing.T) {
	tests := []struct {
		name   string
		before string // what the peer sends before it goes
		abort  bool   // the peer resets (SO_LINGER 0) instead of closing
		want   bool
	}{
		{name: "FIN, then a reset of our bytes", want: true},
		{name: "FIN after unread bytes, then a reset", before: "tail", want: false},
		{name: "reset, no FIN", abort: true, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			ours, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer ours.Close()
			peer, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			if tt.before != "" {
				_, _ = io.WriteString(peer, tt.before)
			}
			if tt.abort {
				_ = peer.(*net.TCPConn).SetLinger(0)
			}
			_ = peer.Close()
			// Write until the kernel reports the reset: the first write
			// after a FIN is accepted, and the peer's closed socket
			// answers it with the reset. The deadline is a hang guard.
			var werr error
			for deadline := time.Now().Add(20 * time.Second); werr == nil; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("no reset came")
				}
				_, werr = ours.Write([]byte("x"))
			}
			if !errors.Is(werr, syscall.EPIPE) && !errors.Is(werr, syscall.ECONNRESET) {
				t.Fatalf("write: %v; want a reset", werr)
			}
			if got := finBeforeReset(ours, werr); got != tt.want {
				t.Errorf("finBeforeReset(%v) = %v, want %v", werr, got, tt.want)
			}
		})
	}
}

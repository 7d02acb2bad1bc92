//go:build linux

package fastpath

import (
	"io"
	"net"
	"testing"
	"time"
)

// TestClientFINFirst: the relay says whether it read the client's FIN
// before it wrote any of the backend's bytes to the client
// (upstream.Result's ClientFINFirst, which the listener reads the same way
// for both engines). The backend answers only after the FIN came through,
// or the client half-closes only after it read the answer, so the order
// is certain.
func TestClientFINFirst(t *testing.T) {
	for _, tt := range []struct {
		name     string
		finFirst bool
	}{
		{"FIN first", true},
		{"answer first", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, c, b := helloRelayed(t)
			const answer = "the backend's answer"
			if tt.finFirst {
				_ = c.(*net.TCPConn).CloseWrite()
				if rest, err := io.ReadAll(b); err != nil || len(rest) != 0 {
					t.Fatalf("backend read %q, %v; want the client's FIN", rest, err)
				}
				_, _ = b.Write([]byte(answer))
				if _, err := io.ReadFull(c, make([]byte, len(answer))); err != nil {
					t.Fatal(err)
				}
			} else {
				_, _ = b.Write([]byte(answer))
				if _, err := io.ReadFull(c, make([]byte, len(answer))); err != nil {
					t.Fatal(err)
				}
				_ = c.(*net.TCPConn).CloseWrite()
				_, _ = io.ReadAll(b)
			}
			_ = b.(*net.TCPConn).CloseWrite()
			_, _ = io.ReadAll(c)
			if r := <-h.closed; r.ClientFINFirst != tt.finFirst {
				t.Errorf("ClientFINFirst %v, want %v (err %v)", r.ClientFINFirst, tt.finFirst, r.Err)
			}
		})
	}
}

// TestFirstFIN: the relay names the side whose FIN it read while the
// other was still open, and when after the accept (upstream.Result's
// FirstFIN): a backend's alert after a client's half-close is its
// reaction to it, and the diagnosis must say who ended the connection.
func TestFirstFIN(t *testing.T) {
	for _, first := range []string{"client", "backend"} {
		t.Run(first, func(t *testing.T) {
			began := time.Now()
			h, c, b := helloRelayed(t)
			if first == "client" {
				_ = c.(*net.TCPConn).CloseWrite()
				if _, err := io.ReadAll(b); err != nil {
					t.Fatal(err)
				}
				_ = b.(*net.TCPConn).CloseWrite()
				_, _ = io.ReadAll(c)
			} else {
				_ = b.(*net.TCPConn).CloseWrite()
				if _, err := io.ReadAll(c); err != nil {
					t.Fatal(err)
				}
				_ = c.(*net.TCPConn).CloseWrite()
				_, _ = io.ReadAll(b)
			}
			r := <-h.closed
			took := time.Since(began)
			if r.FirstFIN != first {
				t.Errorf("FirstFIN %q, want %q (err %v)", r.FirstFIN, first, r.Err)
			}
			if r.FirstFINAfter < 0 || r.FirstFINAfter > took {
				t.Errorf("FirstFINAfter %v, want within the connection's %v", r.FirstFINAfter, took)
			}
		})
	}
}

//go:build linux

package fastpath

import (
	"io"
	"net"
	"net/netip"
	"testing"

	"github.com/tlsgate/tlsgate/upstream"
)

// TestUpLastRead: the relay keeps the first bytes and the length of its
// last read from the client (upstream.Result's UpLast, which the listener
// reads the same way for both engines), and none when it read nothing
// past the decided bytes.
func TestUpLastRead(t *testing.T) {
	closeNotify13 := "\x17\x03\x03\x00\x13" + string(make([]byte, 19))
	for _, tt := range []struct {
		name    string
		writes  []string
		want    string
		wantLen int
	}{
		{"request, then close_notify", []string{"GET / HTTP/1.1\r\n\r\n", closeNotify13}, closeNotify13[:upstream.LastSize], len(closeNotify13)},
		{"short", []string{"abc"}, "abc", 3},
		{"nothing", nil, "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Each write reaches the backend before the next is sent, so
			// the decided bytes and every write are reads of their own.
			h, c, b := helloRelayed(t)
			for _, w := range tt.writes {
				_, _ = c.Write([]byte(w))
				if _, err := io.ReadFull(b, make([]byte, len(w))); err != nil {
					t.Fatal(err)
				}
			}
			_ = c.(*net.TCPConn).CloseWrite()
			_ = b.(*net.TCPConn).CloseWrite()
			_, _ = io.ReadAll(c)
			r := <-h.closed
			if got := string(r.UpLast[:min(upstream.LastSize, r.UpLastLen)]); got != tt.want || r.UpLastLen != tt.wantLen {
				t.Errorf("last read %q (%d B), want %q (%d B)", got, r.UpLastLen, tt.want, tt.wantLen)
			}
		})
	}
}

// acceptOne is a backend on loopback that accepts one connection and
// hands it over on the channel, for tests that drive the backend's side
// of a relay by hand.
func acceptOne(t *testing.T) (<-chan net.Conn, netip.AddrPort) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		accepted <- c
	}()
	return accepted, ln.Addr().(*net.TCPAddr).AddrPort()
}

// helloRelayed starts an engine in front of an acceptOne backend, dials it
// and sends "hello", and returns once the backend has read it: the test
// handler, the client's side and the backend's side of a relay in place.
func helloRelayed(t *testing.T) (*testHandler, net.Conn, net.Conn) {
	t.Helper()
	accepted, backend := acceptOne(t)
	h := newTestHandler(backend)
	_, addr := startEngine(t, h, Config{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_, _ = c.Write([]byte("hello"))
	b := <-accepted
	t.Cleanup(func() { b.Close() })
	if _, err := io.ReadFull(b, make([]byte, len("hello"))); err != nil {
		t.Fatal(err)
	}
	return h, c, b
}

// Package heldport gives tests loopback ports that no parallel test can
// take: each is a socket bound to 127.0.0.1 and held until the test ends.
// Bound without listening, the port refuses connections (a closed
// backend); listening with a full accept queue, it leaves them unanswered
// (a backend behind a filtering firewall). The net package cannot bind
// without listening, so the socket calls live in one file per OS family.
package heldport

import (
	"fmt"
	"net"
	"testing"
	"time"
)

// Refusing returns a loopback port where nothing listens and nothing will:
// connecting to it is refused.
func Refusing(t testing.TB) (addr string, port int) {
	t.Helper()
	_, port = bind(t)
	return loopback(port), port
}

// Unanswered returns a loopback port whose accept queue is full, so a
// connect to it gets no answer (the kernel drops its SYN) until the dialler
// gives up.
func Unanswered(t testing.TB) (addr string, port int) {
	t.Helper()
	s, port := bind(t)
	if err := s.listen(0); err != nil {
		t.Fatalf("heldport: listen on %s: %v", loopback(port), err)
	}
	for range 16 {
		c, err := net.DialTimeout("tcp", loopback(port), 200*time.Millisecond)
		if err != nil {
			return loopback(port), port // this connect went unanswered: the queue is full
		}
		t.Cleanup(func() { _ = c.Close() })
	}
	t.Fatalf("heldport: the accept queue of %s never filled", loopback(port))
	return "", 0
}

// bind opens a TCP socket bound to a free loopback port, closed when the
// test ends.
func bind(t testing.TB) (socket, int) {
	t.Helper()
	s, err := newSocket()
	if err != nil {
		t.Fatalf("heldport: socket: %v", err)
	}
	t.Cleanup(func() { _ = s.close() })
	port, err := s.bindLoopback()
	if err != nil {
		t.Fatalf("heldport: bind to 127.0.0.1: %v", err)
	}
	return s, port
}

func loopback(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }

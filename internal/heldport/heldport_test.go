package heldport

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestRefusing: a connect to the held port is refused, and the port stays
// held (a listener cannot take it) until the test ends.
func TestRefusing(t *testing.T) {
	addr, port := Refusing(t)
	if port == 0 {
		t.Fatalf("port 0 for %s", addr)
	}
	_, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial %s: %v, want connection refused", addr, err)
	}
	if ln, err := net.Listen("tcp", addr); err == nil {
		ln.Close()
		t.Fatalf("listened on %s while it was held", addr)
	}
}

// TestUnanswered: a connect to the held port is neither accepted nor
// refused; the dialler gives up.
func TestUnanswered(t *testing.T) {
	addr, _ := Unanswered(t)
	c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
	if err == nil {
		c.Close()
		t.Fatalf("dial %s connected; want no answer", addr)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("dial %s: %v, want a timeout", addr, err)
	}
}

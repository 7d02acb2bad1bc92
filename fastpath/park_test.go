//go:build linux

package fastpath

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestParkSeesEventsFromBeforeIt is the lost wake-up the loop had until
// session 6: an event that reached the loop's epoll set after its last
// poll, and whose readiness the netpoller had already taken, left park
// asleep until its deadline (up to 100 ms) with a connection waiting. A
// client that sent one request and waited for the answer stalled for
// that long, about one connection in a few thousand.
func TestParkSeesEventsFromBeforeIt(t *testing.T) {
	l := unservedLoop(t)
	fds := socketPair(t)
	if _, err := l.watch(fds[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := syscall.Write(fds[1], []byte("x")); err != nil {
		t.Fatal(err)
	}
	// Let the netpoller see ep turn readable and take that readiness,
	// without polling ep itself: the event stays queued there, as one
	// does that arrives between the loop's last poll and its park. When
	// the netpoller saw the edge before this Read began, Read's own
	// reset drops it and no second call comes: that is the same state,
	// and the deadline ends the wait for it.
	if err := l.epf.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	calls := 0
	if err := l.eprc.Read(func(uintptr) bool { calls++; return calls > 1 }); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal(err)
	}
	got := make(chan int, 1)
	go func() { got <- l.park(time.Minute) }()
	select {
	case n := <-got:
		if n != 1 || int(l.evs[0].Fd) != fds[0] {
			t.Fatalf("park returned %d events (first fd %d), want the socket pair's (fd %d)", n, l.evs[0].Fd, fds[0])
		}
	case <-time.After(10 * time.Second):
		// Not a speed limit: a park that sees the event returns at once,
		// one that lost it sleeps for the whole minute.
		t.Fatal("park slept with an event queued on the loop's epoll set")
	}
}

// unservedLoop is the one loop of an engine that is never served, for
// driving its methods directly; Stop releases it when the test ends.
func unservedLoop(t *testing.T) *loop {
	t.Helper()
	return unservedLoopWith(t, Config{Loops: 1})
}

// unservedLoopWith is unservedLoop with cfg (whose Loops must be 1).
func unservedLoopWith(t *testing.T, cfg Config) *loop {
	t.Helper()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	e, err := New(ln, newTestHandler(echoBackend(t)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e.loops[0]
}

// socketPair is a connected, non-blocking pair closed when the test ends.
func socketPair(t *testing.T) [2]int {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Close(fds[0])
		syscall.Close(fds[1])
	})
	return [2]int(fds)
}

//go:build linux

package fastpath

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestAcceptWaitsForListening: a refuse rule shuts the listening socket
// down (shutdown SHUT_RD), which makes accept fail with EINVAL and the
// level-triggered socket report EPOLLHUP until it listens again. The loop
// must not spin on it, must keep it, and must not check it again every
// tick while it is down (it used to watch it again at each sweep, to take
// one more EPOLLHUP, one more failing accept and unwatch it): it waits
// for Engine.Listening, which rings its eventfd, and then accepts at once.
func TestAcceptWaitsForListening(t *testing.T) {
	l := unservedLoop(t)
	sa, err := syscall.Getsockname(l.lfd)
	if err != nil {
		t.Fatal(err)
	}
	addr := sockaddrAddrPort(sa).String()
	if err := syscall.Shutdown(l.lfd, syscall.SHUT_RD); err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial while shut down: %v, want connection refused", err)
	}
	now := time.Now()
	l.accept(now)
	if l.lfd < 0 {
		t.Fatal("after EINVAL the loop closed the listening socket; it must keep it")
	}
	if n := rawEpollPoll(l.ep, l.evs); n != 0 {
		t.Fatalf("the loop's epoll set still reports %d events (fd %d, events %#x): the loop would spin", n, l.evs[0].Fd, l.evs[0].Events)
	}
	// Ticks pass while it is down: nothing in the loop's epoll set.
	for i := 1; i <= 3; i++ {
		l.sweep(now.Add(time.Duration(i) * tick))
		if n := rawEpollPoll(l.ep, l.evs); n != 0 {
			t.Fatalf("tick %d while down: %d events (fd %d, events %#x): the loop checks the socket again instead of waiting for Listening",
				i, n, l.evs[0].Fd, l.evs[0].Events)
		}
	}

	// Listen again on the same port (a port-0 socket lost its port at
	// shutdown and is bound again first), then tell the engine.
	if err := syscall.Bind(l.lfd, sa); err != nil && !errors.Is(err, syscall.EINVAL) {
		t.Fatal(err)
	}
	if err := syscall.Listen(l.lfd, 128); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial after listening again: %v", err)
	}
	defer c.Close()
	l.e.Listening()
	n := rawEpollPoll(l.ep, l.evs)
	if n != 1 || int(l.evs[0].Fd) != l.in.efd {
		t.Fatalf("after Listening: %d events, want the loop's eventfd rung", n)
	}
	l.takeInbox(time.Now())
	deadline := time.Now().Add(10 * time.Second)
	for l.load.Load() == 0 && time.Now().Before(deadline) {
		if n := rawEpollPoll(l.ep, l.evs); n > 0 && int(l.evs[0].Fd) == l.lfd {
			l.accept(time.Now())
		}
		time.Sleep(time.Millisecond)
	}
	if l.load.Load() != 1 {
		t.Fatal("the loop accepted nothing after the socket listened again")
	}
}

//go:build linux

package fastpath

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestAcceptPausesWhileNotListening: a refuse rule shuts the listening
// socket down (shutdown SHUT_RD), which makes accept fail with EINVAL and
// the level-triggered socket report EPOLLHUP until it listens again. The
// loop used to leave it watched and spin on it; it must unwatch it for a
// tick, keep it, and accept from it again once it listens.
func TestAcceptPausesWhileNotListening(t *testing.T) {
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
	if l.lfd < 0 || !l.paused.After(now) {
		t.Fatalf("after EINVAL: lfd %d paused %v, want the socket kept and accept paused", l.lfd, l.paused)
	}
	if n := rawEpollPoll(l.ep, l.evs); n != 0 {
		t.Fatalf("the loop's epoll set still reports %d events (fd %d, events %#x): the loop would spin", n, l.evs[0].Fd, l.evs[0].Events)
	}

	// Listen again on the same port (a port-0 socket lost its port at
	// shutdown and is bound again first), and the sweep after the pause
	// watches it again.
	if err := syscall.Bind(l.lfd, sa); err != nil && !errors.Is(err, syscall.EINVAL) {
		t.Fatal(err)
	}
	if err := syscall.Listen(l.lfd, 128); err != nil {
		t.Fatal(err)
	}
	l.sweep(now.Add(tick))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial after listening again: %v", err)
	}
	defer c.Close()
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

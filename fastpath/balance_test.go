//go:build linux

package fastpath

import (
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// loads is how many client connections each loop owns.
func loads(e *Engine) []int32 {
	n := make([]int32, len(e.loops))
	for i, l := range e.loops {
		n[i] = l.load.Load()
	}
	return n
}

// waitOwned waits until the loops own want connections between them. It
// bounds a wait for a condition; it asserts no speed.
func waitOwned(t *testing.T, e *Engine, want int32) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		var sum int32
		for _, n := range loads(e) {
			sum += n
		}
		if sum == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("loops own %v, want %d in all", loads(e), want)
		}
	}
}

// TestLoopsShareConnections: connections opened one after another end up
// spread over the loops within one of each other, whichever loop the
// kernel woke for each accept, and the ones passed to a sibling relay.
func TestLoopsShareConnections(t *testing.T) {
	h := newTestHandler(echoBackend(t))
	e, addr := startEngine(t, h, Config{Loops: 2})
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range 9 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		<-h.opened
		waitOwned(t, e, int32(i+1))
	}
	if n := loads(e); n[0]-n[1] > 1 || n[1]-n[0] > 1 {
		t.Fatalf("loops own %v connections: not shared", n)
	}
	for i, c := range conns {
		msg := fmt.Sprintf("conn %d", i)
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
			t.Fatalf("conn %d: echo %q, %v", i, got, err)
		}
	}
}

// TestInboxOfEndedLoop: a loop that ended takes nothing more, so the giver
// keeps the connection instead of losing it; one with connections queued
// may not end.
func TestInboxOfEndedLoop(t *testing.T) {
	l := &loop{}
	l.in.efd = -1
	l.in.conns = []*Conn{{}}
	if l.closeInbox() {
		t.Fatal("inbox closed with a connection in it")
	}
	l.in.conns = nil
	if !l.closeInbox() {
		t.Fatal("empty inbox did not close")
	}
	if l.give(&Conn{}) {
		t.Fatal("an ended loop took a connection")
	}
	if n := l.load.Load(); n != 0 {
		t.Fatalf("refused connection counted: load %d", n)
	}
}

// TestGiveRingsOnlyAParkedLoop: a running loop finds what it was given at
// the end of its round, so only a parked one costs an eventfd write (and
// a wake-up); either way taking the inbox adopts the connection and
// leaves the eventfd quiet.
func TestGiveRingsOnlyAParkedLoop(t *testing.T) {
	l := unservedLoop(t)
	for _, parked := range []bool{false, true} {
		fds := socketPair(t)
		l.parked.Store(parked)
		c := &Conn{cfd: fds[0], bfd: -1, Accepted: time.Now()}
		if !l.give(c) {
			t.Fatal("a live loop refused a connection")
		}
		if !l.in.has.Load() || l.in.rung != parked || readable(t, l.in.efd) != parked {
			t.Fatalf("parked %v: has %v, eventfd written %v, readable %v", parked, l.in.has.Load(), l.in.rung, readable(t, l.in.efd))
		}
		l.parked.Store(false)
		l.takeInbox(time.Now())
		if l.conns[fds[0]] != c || l.in.has.Load() || readable(t, l.in.efd) {
			t.Fatalf("parked %v: after taking the inbox: adopted %v, has %v, eventfd readable %v",
				parked, l.conns[fds[0]] == c, l.in.has.Load(), readable(t, l.in.efd))
		}
	}
}

// readable polls fd once, without reading it.
func readable(t *testing.T, fd int) bool {
	t.Helper()
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(ep)
	if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}); err != nil {
		t.Fatal(err)
	}
	n, err := syscall.EpollWait(ep, make([]syscall.EpollEvent, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

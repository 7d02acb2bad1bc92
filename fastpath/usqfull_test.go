//go:build linux

package fastpath

import (
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestUringSQEOfFullRingSubmits: sqe on a full SQ of a working ring
// submits what is queued and hands out an entry of the ring, not the
// scratch one: no request is dropped or written over. Five recvs on five
// loopback connections through a ring of four entries each complete with
// their own connection's bytes.
func TestUringSQEOfFullRingSubmits(t *testing.T) {
	r := testRingOf(t, 4)
	if r.sqEntries != 4 {
		t.Skipf("the kernel made a ring of %d entries, not 4", r.sqEntries)
	}
	l := &uloop{e: &Engine{}, r: r, lfd: -1}
	lfd, addr := rawListener(t)
	const n = 5
	var clients [n]net.Conn
	var bufs [n][]byte
	for i := range n {
		c, err := net.Dial("tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients[i] = c
		fd, _, err := syscall.Accept4(lfd, syscall.SOCK_CLOEXEC)
		if err != nil {
			t.Fatal(err)
		}
		defer syscall.Close(fd)
		bufs[i] = make([]byte, 16)
		s := l.sqe()
		if i < 4 && r.queued != uint32(i+1) {
			t.Fatalf("SQE %d: %d queued, want %d (sqe submitted before the SQ was full)", i, r.queued, i+1)
		}
		if s == &l.scratch || l.fail != nil {
			t.Fatalf("SQE %d: the scratch SQE (ring failed: %v); want an entry of the ring", i, l.fail)
		}
		prepRecv(s, fd, bufs[i])
		s.userData = uint64(i)
	}
	if r.queued != 1 {
		t.Fatalf("%d SQEs queued after the fifth, want 1: sqe did not submit the four that filled the SQ", r.queued)
	}
	for i, c := range clients {
		if _, err := fmt.Fprintf(c, "conn %d", i); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range completions(t, r, n) {
		i := int(q.userData)
		if want := fmt.Sprintf("conn %d", i); q.res != int32(len(want)) || string(bufs[i][:q.res]) != want {
			t.Errorf("recv %d: res %d, %q; want %q", i, q.res, bufs[i][:max(q.res, 0)], want)
		}
	}
}

// TestUringAbortOfMoreConnsThanSQEntries: one turn that queues more
// requests than the SQ holds (Abort cancels the recv of each of more
// connections than the ring has entries) submits as it goes: every
// connection is handed off with ErrAborted and its client reset, none
// waits for a cancel that was never submitted, and the ring stays up.
func TestUringAbortOfMoreConnsThanSQEntries(t *testing.T) {
	h := newTestHandler(echoBackend(t))
	const conns = uringEntries + 44
	h.opened, h.handErr = make(chan *Conn, conns), make(chan error, conns)
	l, addr := steppedULoop(t, h)
	if l.r.sqEntries >= conns {
		t.Skipf("an SQ of %d entries holds %d cancels", l.r.sqEntries, conns)
	}
	clients := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	for range conns {
		c, err := net.Dial("tcp", addr) // queued in the backlog: the loop is not running
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	uturnsUntil(t, l, fmt.Sprintf("%d connections peeking, their recvs submitted", conns), func() bool {
		return len(l.live) == conns && l.r.queued == 0
	})
	l.abortAll()
	if l.fail != nil {
		t.Fatalf("abort of %d connections failed the ring: %v", conns, l.fail)
	}
	if l.r.queued >= conns {
		t.Fatalf("%d SQEs queued after cancelling %d connections: the SQ (%d entries) never filled", l.r.queued, conns, l.r.sqEntries)
	}
	aborted := 0
	uturnsUntil(t, l, fmt.Sprintf("hand-off of all %d connections", conns), func() bool {
		for {
			select {
			case err := <-h.handErr:
				if !errors.Is(err, ErrAborted) {
					t.Fatalf("hand-off %d: %v, want ErrAborted", aborted, err)
				}
				aborted++
				continue
			default:
			}
			return aborted == conns
		}
	})
	if l.draining != 0 || len(l.live) != 0 {
		t.Errorf("after the hand-offs: %d draining, %d live; want none", l.draining, len(l.live))
	}
	for i, c := range clients {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("client %d: read %v, want a reset", i, err)
		}
	}
}

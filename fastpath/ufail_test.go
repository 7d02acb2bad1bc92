//go:build linux

package fastpath

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// failingRing is a deferred ring never enabled: the kernel refuses every
// io_uring_enter on it with EBADFD, as it would a ring that broke.
func failingRing(t *testing.T) *ring {
	t.Helper()
	r := newTestRing(t, 4)
	if !r.deferred {
		t.Skip("no DEFER_TASKRUN here: no ring that refuses submits")
	}
	return r
}

// TestUringSQEOfFullFailingRing: with the SQ full and the kernel refusing
// submits, sqe neither reaps (running a completion inside the handler
// that asked for the SQE) nor spins: it marks the ring failed, with the
// errno, and hands out a scratch SQE.
func TestUringSQEOfFullFailingRing(t *testing.T) {
	r := failingRing(t)
	l := &uloop{e: &Engine{}, r: r, lfd: -1}
	for r.get() != nil {
	}
	got := make(chan *sqe, 1)
	go func() { got <- l.sqe() }()
	select {
	case s := <-got:
		if s != &l.scratch {
			t.Errorf("sqe returned an SQE of the ring, not the scratch one")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sqe still looping for room 10s into a full SQ of a ring that refuses submits")
	}
	if !errors.Is(l.fail, syscall.EBADFD) {
		t.Errorf("fail = %v, want one wrapping EBADFD", l.fail)
	}
}

// uringEngine builds an io_uring engine of one loop for h, not yet served.
func uringEngine(t *testing.T, h Handler) (*Engine, string) {
	t.Helper()
	if err := UringCheck(); err != nil {
		t.Skipf("io_uring unavailable here: %v", err)
	}
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	e, err := New(ln, h, Config{Loops: 1, Uring: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.uloops) != 1 {
		t.Fatalf("%d io_uring loops, want 1", len(e.uloops))
	}
	return e, ln.Addr().String()
}

// serve runs e.Serve and returns its result, or fails the test when it
// has not returned after a generous deadline.
func serveResult(t *testing.T, served <-chan error) error {
	t.Helper()
	select {
	case err := <-served:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Serve has not returned 10s after its ring failed")
		return nil
	}
}

// TestUringEnableFailureEndsServe: a ring the loop cannot enable (here:
// enabled already by another thread, so ENABLE_RINGS fails) ends the
// loop and Serve with that error, instead of a loop spinning on a ring that fails
// every call, which Stop could not end.
func TestUringEnableFailureEndsServe(t *testing.T) {
	e, _ := uringEngine(t, newTestHandler(echoBackend(t)))
	if !e.uloops[0].r.deferred {
		t.Skip("no DEFER_TASKRUN here: the ring needs no enabling")
	}
	if err := e.uloops[0].r.enable(); err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- e.Serve() }()
	t.Cleanup(e.Stop)
	var errno syscall.Errno
	if err := serveResult(t, served); !errors.As(err, &errno) || !strings.Contains(err.Error(), "ENABLE_RINGS") {
		t.Fatalf("Serve: %v, want the errno of ENABLE_RINGS", err)
	}
}

// TestUringRingFailureEndsRelays: a ring whose io_uring_enter fails
// mid-relay (its fd replaced under the loop by /dev/null's) ends the
// loop: the relay is reset and reported Closed with the errno, and Serve
// returns it.
func TestUringRingFailureEndsRelays(t *testing.T) {
	h := newTestHandler(echoBackend(t))
	e, addr := uringEngine(t, h)
	ringFD := e.uloops[0].r.fd // read before Serve: the loop owns it after
	served := make(chan error, 1)
	go func() { served <- e.Serve() }()
	t.Cleanup(e.Stop)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("Rping")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, 5)); err != nil {
		t.Fatalf("no echo: %v", err)
	}
	null, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(null)
	if err := syscall.Dup3(null, ringFD, syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	err = serveResult(t, served)
	if err == nil || !strings.Contains(err.Error(), "io_uring failed") {
		t.Fatalf("Serve: %v, want the ring's failure", err)
	}
	select {
	case r := <-h.closed:
		if r.Err == nil || !errors.Is(err, r.Err) {
			t.Errorf("Closed with %v, want %v", r.Err, err)
		}
	default:
		t.Error("the relay was not reported Closed")
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("client still open after the ring failed")
	}
	// The loop has ended (Serve returned): its state is the test's to read.
	if n := len(e.uloops[0].spare); n != 0 {
		t.Errorf("%d uconns kept for reuse after the ring failed: its requests may still write their buffers", n)
	}
}

// TestUringBackendResetWhileClientStalls: the backend resets mid-upload
// while the relay's send of its bytes to a client that stopped reading is
// stuck. The failed write to the backend ends the relay at once, as the
// epoll loop's deliverBackendRest does: the stuck send is cancelled too,
// not waited for until the idle timeout (for ever without one, and Stop
// then waited as long).
func TestUringBackendResetWhileClientStalls(t *testing.T) {
	if err := UringCheck(); err != nil {
		t.Skipf("io_uring unavailable here: %v", err)
	}
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	h := newTestHandler(ln.Addr().(*net.TCPAddr).AddrPort())
	_, addr := startEngine(t, h, Config{Loops: 1, Uring: true, IdleTimeout: -1})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("Rhello")); err != nil {
		t.Fatal(err)
	}
	_ = ln.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
	bc, err := ln.AcceptTCP()
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	if _, err := io.ReadFull(bc, make([]byte, 6)); err != nil {
		t.Fatal(err)
	}
	// Fill every buffer between the backend and the client, which reads
	// nothing: the relay's send to the client is then stuck.
	chunk := make([]byte, 64<<10)
	for {
		_ = bc.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
		if _, err := bc.Write(chunk); err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
			break
		}
	}
	_ = bc.SetLinger(0)
	bc.Close()
	if _, err := c.Write([]byte("upload")); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-h.closed:
		if r.Err == nil {
			t.Errorf("relay ended without an error; want the failed write to the backend")
		}
		t.Logf("result: reset by %q, %d down, %d up, %v", r.ResetBy, r.Down, r.Up, r.Err)
	case <-time.After(10 * time.Second):
		t.Fatal("relay not ended 10s after the backend's reset, its send to the stalled client still waited for")
	}
}

// TestUringAcceptRearmsAfterListening: an accept armed before a Listening
// that fails with EINVAL (the socket was not listening then) is armed
// again, even when another accept was armed after the Listening: each
// accept compares the Listening count of its own arming, not the last
// one's, which took the Listening as seen and left the loop waiting for
// another.
func TestUringAcceptRearmsAfterListening(t *testing.T) {
	r := newTestRing(t, 8)
	e := &Engine{}
	fill(&e.cfg)
	l := &uloop{e: e, r: r, lfd: 0, accs: new([acceptsArmed]acceptAddr)}
	l.armAccept(0)
	e.listens.Add(1) // Listening, while accept 0 is out
	l.armAccept(1)   // accept 1 came back for another reason and was armed again
	l.completeNone(kAccept, -int32(syscall.EINVAL), tagNone(kAccept))
	if !l.accOn[0] || l.notListening {
		t.Errorf("accept 0, armed before the Listening, failed with EINVAL: armed again %v, waiting for a Listening %v; want armed, not waiting",
			l.accOn[0], l.notListening)
	}
}

// TestUringSendOfNothingEndsRelay: a send's completion of 0 bytes (of a
// non-empty buffer) ends the relay with an error naming it, instead of
// sending the same bytes again for ever.
func TestUringSendOfNothingEndsRelay(t *testing.T) {
	r := newTestRing(t, 8)
	e := &Engine{}
	fill(&e.cfg)
	l := &uloop{e: e, r: r, lfd: -1, live: make(map[*uconn]struct{})}
	for _, from := range []int{0, 1} {
		u := &uconn{}
		u.cfd, u.bfd = -1, -1 // nothing to close: no request reaches the kernel
		u.phase = relaying
		u.slot = l.slots.add(u)
		l.live[u] = struct{}{}
		u.buf[from] = make([]byte, 16)
		u.n[from] = 10
		l.send(u, from)
		ud := l.r.sqes[(l.r.tail-1)&l.r.sqMask].userData
		if _, _, st := l.slots.done(ud, false); st != slotLive {
			t.Fatalf("send's completion: slot state %d", st)
		}
		l.sent(u, from, 0, e.cfg.Now())
		if u.phase != done || !errors.Is(u.res.Err, io.ErrShortWrite) || l.slots.inflight(u.slot) != 0 {
			t.Errorf("from %d: a send of 0 bytes left phase %d, error %v, %d requests out; want the relay done with a short write",
				from, u.phase, u.res.Err, l.slots.inflight(u.slot))
		}
	}
}

// TestUringCompleteReadsNoClock: a completion is handled at the time run
// read once for its whole reap; complete itself reads no clock (a read per
// completion cost a vDSO call each, for a time no handler needs finer).
func TestUringCompleteReadsNoClock(t *testing.T) {
	r := newTestRing(t, 8)
	reads := 0
	at := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	e := &Engine{cfg: Config{Now: func() time.Time { reads++; return at.Add(time.Hour) }}}
	fill(&e.cfg)
	l := &uloop{e: e, r: r, lfd: -1, live: make(map[*uconn]struct{}), now: at}
	u := &uconn{}
	u.cfd, u.bfd = -1, -1
	u.phase = relaying
	u.slot = l.slots.add(u)
	l.live[u] = struct{}{}
	u.buf[0], u.buf[1] = make([]byte, 16), make([]byte, 16)
	l.recv(u, 0, u.buf[0])
	ud := l.r.sqes[(l.r.tail-1)&l.r.sqMask].userData
	l.complete(&cqe{userData: ud, res: 5})
	if reads != 0 || !u.last.Equal(at) {
		t.Errorf("complete read the clock %d times and took the recv at %v; want none, and the reap's %v", reads, u.last, at)
	}
}

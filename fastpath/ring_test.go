//go:build linux

package fastpath

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/internal/heldport"
)

// The ring layer on real loopback sockets: every operation the io_uring
// engine uses, submitted and completed through a real ring.

// testRing is a ring for one test, or a skip where the kernel refuses
// io_uring (the engine then falls back to epoll, which other tests cover).
//
// A deferred ring (DEFER_TASKRUN) takes requests from one thread only:
// the test's goroutine is locked to its thread and enables the ring, as
// the engine's loop does.
func testRing(t *testing.T) *ring {
	t.Helper()
	return testRingOf(t, 64)
}

// testRingOf is testRing with n entries.
func testRingOf(t *testing.T, n uint32) *ring {
	t.Helper()
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	r := newTestRing(t, n)
	if err := r.enable(); err != nil {
		t.Fatal(err)
	}
	return r
}

// newTestRing is a ring of n entries, closed at the test's end, not yet
// enabled (a deferred ring then refuses every submit), or a skip where the
// kernel refuses io_uring.
func newTestRing(t *testing.T, n uint32) *ring {
	t.Helper()
	r, err := newRing(n)
	if err != nil {
		if errors.Is(err, ErrUringUnavailable) {
			t.Skipf("io_uring unavailable here: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(r.close)
	return r
}

// completions submits what is queued and collects n completions, copied,
// polling with a generous deadline rather than blocking in the kernel,
// so a request that never completes fails the test instead of hanging it.
func completions(t *testing.T, r *ring, n int) []cqe {
	t.Helper()
	var got []cqe
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < n {
		if _, err := r.submit(); err != nil {
			t.Fatalf("submit: %v", err)
		}
		r.reap(func(c *cqe) { got = append(got, *c) })
		if len(got) >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d completions after 10s: %+v", len(got), n, got)
		}
		time.Sleep(time.Millisecond)
	}
	return got
}

// rawListener is a listening socket on loopback the ring can accept on.
func rawListener(t *testing.T) (int, netip.AddrPort) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 16); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fd, sockaddrAddrPort(sa)
}

// onHeap returns a new T on the heap, for memory the kernel writes after
// the call that passed its address (an io_uring request's). Go may keep a
// new(T) or make that does not escape on the goroutine's stack (a uintptr
// taken from it is not an escape), and a stack that grows is moved: the
// kernel then writes into the old copy. TestRingAcceptRecvSendClose's
// accept address read empty that way under Go 1.26.8. Production memory
// given to the ring hangs off the loop's heap structures.
//
//go:noinline
func onHeap[T any]() *T { return new(T) }

func mustGet(t *testing.T, r *ring) *sqe {
	t.Helper()
	s := r.get()
	if s == nil {
		t.Fatal("SQ full")
	}
	return s
}

// TestRingAcceptRecvSendClose: one connection through accept, recv, send
// and close, each a request on the ring.
func TestRingAcceptRecvSendClose(t *testing.T) {
	r := testRing(t)
	lfd, addr := rawListener(t)
	aa := onHeap[acceptAddr]()
	prepAccept(mustGet(t, r), lfd, false, aa)
	client, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	acc := completions(t, r, 1)[0]
	if acc.res < 0 {
		t.Fatalf("accept: %v", syscall.Errno(-acc.res))
	}
	fd := int(acc.res)
	if peer := sockaddrAddrPort(rawToSockaddr(&aa.rsa)); peer.String() != client.LocalAddr().String() {
		t.Errorf("the accept's address = %s, the client is %s", peer, client.LocalAddr())
	}
	if fl, err := fcntlFlags(fd); err != nil || fl&syscall.O_NONBLOCK == 0 {
		t.Errorf("accepted socket flags %#x (%v): want O_NONBLOCK for a hand-off's FileConn", fl, err)
	}

	buf := make([]byte, 64)
	s := mustGet(t, r)
	prepRecv(s, fd, buf)
	s.userData = 7
	if _, err := r.submit(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Write([]byte("GET / HTTP/1.1\r\n")); err != nil {
		t.Fatal(err)
	}
	rc := completions(t, r, 1)[0]
	if rc.userData != 7 || rc.res != 16 || string(buf[:rc.res]) != "GET / HTTP/1.1\r\n" {
		t.Fatalf("recv completion %+v, buffer %q", rc, buf[:max(rc.res, 0)])
	}

	out := []byte("HTTP/1.1 200 OK\r\n")
	prepSend(mustGet(t, r), fd, out)
	if sc := completions(t, r, 1)[0]; sc.res != int32(len(out)) {
		t.Fatalf("send completion %+v", sc)
	}
	got := make([]byte, len(out))
	_ = client.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(client, got); err != nil || string(got) != string(out) {
		t.Fatalf("client read %q, %v", got, err)
	}

	prepClose(mustGet(t, r), fd, false)
	if cc := completions(t, r, 1)[0]; cc.res != 0 {
		t.Fatalf("close completion %+v", cc)
	}
	if n, err := client.Read(got); err != io.EOF {
		t.Fatalf("client read after the ring's close: %d, %v; want EOF", n, err)
	}
}

func fcntlFlags(fd int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// TestRingMultishotAccept: one accept request yields a socket per client
// and stays armed.
func TestRingMultishotAccept(t *testing.T) {
	r := testRing(t)
	lfd, addr := rawListener(t)
	s := mustGet(t, r)
	prepAccept(s, lfd, true, nil)
	s.userData = 42
	const n = 3
	for range n {
		c, err := net.Dial("tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	for i, c := range completions(t, r, n) {
		if c.userData != 42 || c.res < 0 || c.flags&cqeFMore == 0 {
			t.Errorf("accept completion %d: %+v; want a socket and F_MORE", i, c)
		}
		if c.res >= 0 {
			_ = syscall.Close(int(c.res))
		}
	}
}

// TestRingConnect: connect as a request, to a listener and to a port
// nobody listens on.
//
// The cases share the ring, so they run on the test's own goroutine (the
// ring's only submitter), not as subtests.
func TestRingConnect(t *testing.T) {
	r := testRing(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := ln.Addr().(*net.TCPAddr).AddrPort()
	// Bound without listening until the test ends: a port let go could be
	// taken by a parallel test's listener and answer the connect.
	_, downPort := heldport.Refusing(t)
	down := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(downPort))
	defer ln.Close()
	for _, tc := range []struct {
		name   string
		target netip.AddrPort
		want   int32
	}{
		{"listening", up, 0},
		{"refused", down, -int32(syscall.ECONNREFUSED)},
	} {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer syscall.Close(fd)
		sa, _, err := addrPortSockaddr(tc.target)
		if err != nil {
			t.Fatal(err)
		}
		a := onHeap[rawAddr]() // on the heap, as the engine's are
		if err := a.set(sa); err != nil {
			t.Fatal(err)
		}
		prepConnect(mustGet(t, r), fd, a)
		if c := completions(t, r, 1)[0]; c.res != tc.want {
			t.Fatalf("%s: connect to %s: res %d (%v), want %d", tc.name, tc.target, c.res, syscall.Errno(-c.res), tc.want)
		}
	}
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	c, err := ln.Accept()
	if err != nil {
		t.Fatalf("the listener saw no connection from the ring's connect: %v", err)
	}
	c.Close()
}

// TestRingCancelFD: a recv waiting on a silent socket ends with
// -ECANCELED once the socket's requests are cancelled by fd, the step a
// loop takes before it hands a socket to the goroutine path.
func TestRingCancelFD(t *testing.T) {
	r := testRing(t)
	fds := socketPair(t)
	a := fds[0]
	buf := onHeap[[16]byte]()[:]
	s := mustGet(t, r)
	prepRecv(s, a, buf)
	s.userData = 1
	if _, err := r.submit(); err != nil {
		t.Fatal(err)
	}
	s = mustGet(t, r)
	prepCancelFD(s, a)
	s.userData = 2
	got := map[uint64]int32{}
	for _, c := range completions(t, r, 2) {
		got[c.userData] = c.res
	}
	if got[1] != -int32(syscall.ECANCELED) || got[2] != 1 {
		t.Fatalf("recv res %d (want -ECANCELED), cancel res %d (want 1 request found)", got[1], got[2])
	}
}

// TestRingWaitBlocksUntilCompletion: the loop's wait (a thread blocked
// in io_uring_enter) returns once a completion is posted, and a wait with
// nothing to complete ends at its timeout without an error.
func TestRingWaitBlocksUntilCompletion(t *testing.T) {
	r := testRing(t)
	fds := socketPair(t)
	a, b := fds[0], fds[1]
	if _, err := r.wait(time.Millisecond, false); err != nil || r.ready() {
		t.Fatalf("wait with nothing queued: %v, ready %v", err, r.ready())
	}
	buf := make([]byte, 16)
	prepRecv(mustGet(t, r), a, buf)
	go func() {
		time.Sleep(20 * time.Millisecond)
		_, _ = syscall.Write(b, []byte("x"))
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !r.ready() && time.Now().Before(deadline) {
		if _, err := r.wait(10*time.Second, true); err != nil {
			t.Fatal(err)
		}
	}
	var got []cqe
	r.reap(func(c *cqe) { got = append(got, *c) })
	if len(got) != 1 || got[0].res != 1 || buf[0] != 'x' {
		t.Fatalf("completions %+v, buffer %q", got, buf[:1])
	}
}

// TestUringErr: a refused setup names the errno and where to look, and
// wraps both ErrUringUnavailable and the errno.
func TestUringErr(t *testing.T) {
	for _, tc := range []struct {
		errno syscall.Errno
		want  string
	}{
		{syscall.EPERM, "kernel.io_uring_disabled"},
		{syscall.ENOSYS, "without io_uring"},
		{syscall.ENOMEM, "RLIMIT_MEMLOCK"},
		{syscall.EINVAL, "invalid argument"},
	} {
		err := uringErr("io_uring_setup", tc.errno)
		if !errors.Is(err, ErrUringUnavailable) || !errors.Is(err, tc.errno) || !strings.Contains(err.Error(), tc.want) ||
			!strings.Contains(err.Error(), "io_uring_setup") {
			t.Errorf("uringErr(%v) = %v; want it to wrap both and mention %q", tc.errno, err, tc.want)
		}
	}
}

// TestCheckProbe: a kernel without a feature or an opcode the engine
// needs is refused at start-up, naming what it lacks.
func TestCheckProbe(t *testing.T) {
	probe := func(last uint8, without ...uint8) []byte {
		b := make([]byte, 16+8*probeOpsMax)
		b[0], b[1] = last, last+1
		for op := 0; op <= int(last); op++ {
			b[16+8*op] = byte(op)
			b[16+8*op+2] = probeSupported
		}
		for _, op := range without {
			b[16+8*int(op)+2] = 0
		}
		return b
	}
	for _, tc := range []struct {
		name     string
		features uint32
		probe    []byte
		want     string // "" for no error
	}{
		{"6.x kernel", featNeeded | featSingleMmap, probe(57), ""},
		{"no FAST_POLL (5.6)", featNeeded &^ featFastPoll, probe(57), "features 0x20"},
		{"5.18: no SOCKET op", featNeeded, probe(opSocket - 1), "IORING_OP_SOCKET"},
		{"no RECV", featNeeded, probe(57, opRecv), "IORING_OP_RECV"},
		{"short probe", featNeeded, make([]byte, 8), "probe of 8 bytes"},
	} {
		err := checkProbe(tc.features, tc.probe)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrUringUnavailable) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want ErrUringUnavailable naming %q", tc.name, err, tc.want)
		}
	}
}

// TestReapNested: a completion handler that reaps again sees the later completions once, and the
// outer reap does not see them again.
func TestReapNested(t *testing.T) {
	r := testRing(t)
	fds := socketPair(t)
	bufs := make([][]byte, 3)
	for i := range bufs {
		bufs[i] = make([]byte, 1)
		s := mustGet(t, r)
		prepRecv(s, fds[0], bufs[i])
		s.userData = uint64(i)
	}
	if _, err := r.submit(); err != nil {
		t.Fatal(err)
	}
	if _, err := syscall.Write(fds[1], []byte("abc")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := r.submit(); err != nil {
			t.Fatal(err)
		}
		if tail, head := atomic.LoadUint32(r.cqTail), atomic.LoadUint32(r.cqHead); tail-head >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("3 recvs not complete after 10s")
		}
		time.Sleep(time.Millisecond)
	}
	seen := map[uint64]int{}
	var f func(*cqe)
	f = func(c *cqe) {
		seen[c.userData]++
		if len(seen) == 1 {
			r.reap(f)
		}
	}
	r.reap(f)
	if len(seen) != 3 || seen[0] != 1 || seen[1] != 1 || seen[2] != 1 {
		t.Fatalf("completions handled %v, want each of 0, 1, 2 once", seen)
	}
}

//go:build linux

package fastpath

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/upstream"
)

// testHandler relays to backend unless the first byte is 'H' (hand off)
// or the bytes so far are shorter than waitFor (wait).
type testHandler struct {
	backend netip.AddrPort
	waitFor int
	opened  chan *Conn
	closed  chan Result
	handed  chan handed
	handErr chan error
}

func newTestHandler(backend netip.AddrPort) *testHandler {
	return &testHandler{backend: backend, opened: make(chan *Conn, 16), closed: make(chan Result, 16),
		handed: make(chan handed, 16), handErr: make(chan error, 16)}
}

func (h *testHandler) Open(c *Conn) Verdict { h.opened <- c; return Wait }
func (h *testHandler) Decide(_ *Conn, b []byte) (Verdict, netip.AddrPort) {
	switch {
	case b[0] == 'H':
		return Handoff, netip.AddrPort{}
	case len(b) < h.waitFor:
		return Wait, netip.AddrPort{}
	}
	return Relay, h.backend
}

// handed is a hand-off: the conn and the bytes the engine read first.
type handed struct {
	net.Conn
	consumed []byte
	readErr  error
}

func (h *testHandler) Handoff(c *Conn, nc net.Conn, err error) {
	if err != nil {
		h.handErr <- err
		return
	}
	h.handed <- handed{Conn: nc, consumed: c.Consumed, readErr: c.ReadErr}
}
func (h *testHandler) Closed(_ *Conn, r Result) { h.closed <- r }

// echoBackend echoes every connection until EOF, then closes.
func echoBackend(t *testing.T) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).AddrPort()
}

func startEngine(t *testing.T, h Handler, cfg Config) (*Engine, string) {
	t.Helper()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Uring = cfg.Uring || testUring
	// TestUringEngine runs its loops as tlsgate run does with one io_uring
	// listener (holding their P); the listener's tests cover the other wait.
	cfg.UringHoldP = cfg.UringHoldP || testUring
	e, err := New(ln, h, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Uring != (len(e.uloops) > 0) {
		t.Fatalf("Config.Uring %v: the engine has %d io_uring loops, %d epoll loops", cfg.Uring, len(e.uloops), len(e.loops))
	}
	served := make(chan error, 1)
	go func() { served <- e.Serve() }()
	t.Cleanup(func() {
		e.Abort()
		ln.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return e, ln.Addr().String()
}

func TestRelayExactBytesBothWays(t *testing.T) {
	h := newTestHandler(echoBackend(t))
	_, addr := startEngine(t, h, Config{})
	for _, size := range []int{1, 1500, 300 << 10, 8 << 20} {
		payload := make([]byte, size)
		_, _ = rand.Read(payload)
		// A random first byte is 'H' once in 256, and testHandler hands
		// that connection off instead of relaying it: nobody serves the
		// hand-off, so the client would wait for its echo for ever (a CI
		// run hung 15 minutes so, all loops parked, no backend connection).
		payload[0] = 'R'
		if v, _ := h.Decide(nil, payload); v != Relay {
			t.Fatalf("%d bytes: testHandler decides %v for the payload, want Relay", size, v)
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			_, _ = c.Write(payload)
			_ = c.(*net.TCPConn).CloseWrite()
		}()
		got, r, err := relayed(h, c)
		c.Close()
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		if sha256.Sum256(got) != sha256.Sum256(payload) {
			t.Fatalf("%d bytes: echo differs (got %d bytes)", size, len(got))
		}
		if r.Up != int64(size) || r.Down != int64(size) || r.Err != nil || r.DialErr != nil {
			t.Fatalf("%d bytes: result %+v", size, r)
		}
		if !r.BackendLocal.IsValid() || r.BackendRemote != h.backend {
			t.Fatalf("%d bytes: backend addresses %v -> %v", size, r.BackendLocal, r.BackendRemote)
		}
		if head := r.DownHead[:r.DownHeadLen]; string(head) != string(payload[:min(size, upstream.HeadSize)]) {
			t.Fatalf("%d bytes: down head % x, want the echo's first bytes % x", size, head, payload[:min(size, upstream.HeadSize)])
		}
	}
}

// relayed reads what the client c gets back until the relay ends and then
// the relay's result. testHandler serves no hand-off, so one (a peek
// deadline passed on a starved machine, a read error) would leave the
// client waiting for bytes that never come until the test binary's
// timeout: relayed returns an error naming it instead, at once.
func relayed(h *testHandler, c net.Conn) ([]byte, Result, error) {
	type read struct {
		b   []byte
		err error
	}
	done := make(chan read, 1)
	go func() {
		b, err := io.ReadAll(c)
		done <- read{b, err}
	}()
	handedOff := func(hd handed) error {
		hd.Close()
		c.Close() // ends the read above
		return fmt.Errorf("the engine handed the connection off instead of relaying it (%d bytes consumed, first % x; read error %v): testHandler serves only relays",
			len(hd.consumed), hd.consumed[:min(len(hd.consumed), 8)], hd.readErr)
	}
	var got read
	select {
	case got = <-done:
	case hd := <-h.handed:
		return nil, Result{}, handedOff(hd)
	case err := <-h.handErr:
		c.Close()
		return nil, Result{}, fmt.Errorf("the engine failed to hand the connection off (%w): testHandler serves only relays", err)
	}
	if got.err != nil {
		return got.b, Result{}, fmt.Errorf("read: %w", got.err)
	}
	select {
	case r := <-h.closed:
		return got.b, r, nil
	case hd := <-h.handed:
		return got.b, Result{}, handedOff(hd)
	case err := <-h.handErr:
		return got.b, Result{}, fmt.Errorf("the engine failed to hand the connection off (%w): testHandler serves only relays", err)
	}
}

// TestRelayedNamesAHandoff: a connection the engine hands off fails the
// relay tests at once with what was handed off, not at the test timeout.
func TestRelayedNamesAHandoff(t *testing.T) {
	h := newTestHandler(echoBackend(t))
	_, addr := startEngine(t, h, Config{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("Hand me off")); err != nil { // 'H': testHandler hands off
		t.Fatal(err)
	}
	_, _, err = relayed(h, c)
	if err == nil || !strings.Contains(err.Error(), "handed the connection off") {
		t.Fatalf("relayed on a hand-off: %v, want an error naming the hand-off", err)
	}
}

// TestUpHeadAcrossReads: the client's first bytes after the decided ones
// are kept when they come a few per read, and a client that sends no more
// keeps none (in passthrough: nothing after its ClientHello).
func TestUpHeadAcrossReads(t *testing.T) {
	ccsAlert := "\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x13 nineteen bytes...."
	for _, tt := range []struct {
		name   string
		writes []string
		want   string
	}{
		{"pieces", []string{ccsAlert[:2], ccsAlert[2:9], ccsAlert[9:]}, ccsAlert[:upstream.UpHeadSize]},
		{"short", []string{ccsAlert[:6]}, ccsAlert[:6]},
		{"nothing", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			backend := make(chan []byte, 1)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				got, _ := io.ReadAll(c)
				backend <- got
			}()
			h := newTestHandler(ln.Addr().(*net.TCPAddr).AddrPort())
			_, addr := startEngine(t, h, Config{})
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, _ = c.Write([]byte("hello"))
			time.Sleep(5 * time.Millisecond) // decided on "hello", usually
			for _, w := range tt.writes {
				_, _ = c.Write([]byte(w))
				time.Sleep(5 * time.Millisecond) // separate reads, usually
			}
			_ = c.(*net.TCPConn).CloseWrite()
			_, _ = io.ReadAll(c)
			r := <-h.closed
			got := <-backend
			want := "hello" + strings.Join(tt.writes, "")
			if string(got) != want || r.Up != int64(len(want)) {
				t.Fatalf("backend read %q (%d counted), client sent %q", got, r.Up, want)
			}
			// Decide sees "hello" alone unless the writes coalesced; the
			// head then starts later in the same bytes.
			head := string(r.UpHead[:r.UpHeadLen])
			if head != tt.want && !upHeadFrom(want, head) {
				t.Errorf("up head %q, want %q", head, tt.want)
			}
		})
	}
}

// upHeadFrom reports whether head is what UpHead keeps when Decide saw
// more than "hello" of sent: the upstream.UpHeadSize bytes after some later cut.
func upHeadFrom(sent, head string) bool {
	for k := 6; k <= len(sent); k++ {
		if head == sent[k:min(len(sent), k+upstream.UpHeadSize)] {
			return true
		}
	}
	return false
}

// TestDownHeadAcrossReads: the backend's first bytes are kept when they
// come a few per read, and a backend that says only a 7-byte alert record
// and closes (a refused TLS hello) is kept whole.
func TestDownHeadAcrossReads(t *testing.T) {
	alert := []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}
	for _, tt := range []struct {
		name   string
		writes [][]byte
		want   string
	}{
		{"alert", [][]byte{alert}, string(alert)},
		{"pieces", [][]byte{[]byte("\x16\x03"), []byte("\x03\x00"), []byte("\x7a\x02\x00\x00\x76 more")}, "\x16\x03\x03\x00\x7a\x02\x00\x00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				_, _ = c.Read(make([]byte, 64)) // the client's first bytes
				for _, w := range tt.writes {
					_, _ = c.Write(w)
					time.Sleep(5 * time.Millisecond) // separate reads, usually
				}
			}()
			h := newTestHandler(ln.Addr().(*net.TCPAddr).AddrPort())
			_, addr := startEngine(t, h, Config{})
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, _ = c.Write([]byte("hello"))
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatal(err)
			}
			c.Close() // the relay ends with the client's FIN
			r := <-h.closed
			if want := string(bytes.Join(tt.writes, nil)); string(got) != want || r.Down != int64(len(want)) {
				t.Fatalf("client read %q (%d counted), backend sent %q", got, r.Down, want)
			}
			if head := string(r.DownHead[:r.DownHeadLen]); head != tt.want {
				t.Errorf("down head %q, want %q", head, tt.want)
			}
		})
	}
}

func TestWaitThenRelayAcrossSegments(t *testing.T) {
	h := newTestHandler(echoBackend(t))
	h.waitFor = 10
	_, addr := startEngine(t, h, Config{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Two writes: the first is too short to decide on.
	_, _ = c.Write([]byte("abc"))
	<-h.opened
	_, _ = c.Write([]byte("defghijkl"))
	got := make([]byte, 12)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "abcdefghijkl" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestHandoffPassesConsumedBytesOn(t *testing.T) {
	h := newTestHandler(echoBackend(t))
	_, addr := startEngine(t, h, Config{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := []byte("HELLO over plain TCP")
	_, _ = c.Write(msg)
	nc := <-h.handed
	defer nc.Close()
	// Together, what the engine read and what is left on the socket are
	// the client's bytes, in order.
	got := append([]byte(nil), nc.consumed...)
	rest := make([]byte, len(msg)-len(got))
	if _, err := io.ReadFull(nc, rest); err != nil {
		t.Fatalf("handed-off conn read: %v", err)
	}
	if got = append(got, rest...); !bytes.Equal(got, msg) {
		t.Fatalf("consumed %q + read %q, want %q", nc.consumed, rest, msg)
	}
	// The engine no longer owns it: writes go straight to the client.
	_, _ = nc.Write([]byte("ok"))
	reply := make([]byte, 2)
	if _, err := io.ReadFull(c, reply); err != nil || string(reply) != "ok" {
		t.Fatalf("client read %q, %v", reply, err)
	}
}

// TestResetReadByLoopTravelsWithHandoff: a reset that lands between the
// readiness event and the loop's read is reported by that read only; the
// socket then shows a plain end of stream. The loop must pass the error on
// (Conn.ReadErr) or the goroutine path would log a close, not a reset.
func TestResetReadByLoopTravelsWithHandoff(t *testing.T) {
	h := newTestHandler(echoBackend(t))
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	e, err := New(ln, h, Config{Loops: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop() // never served: Stop releases the loop
	client, err := net.DialTCP("tcp", nil, ln.Addr().(*net.TCPAddr))
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.AcceptTCP()
	if err != nil {
		t.Fatal(err)
	}
	f, err := server.File() // a descriptor of our own for the loop to read
	server.Close()
	if err != nil {
		t.Fatal(err)
	}
	_ = client.SetLinger(0)
	client.Close() // RST
	waitForError(t, int(f.Fd()))
	fd, err := dupCloexec(int(f.Fd()))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := &Conn{cfd: fd, bfd: -1}
	// The event as the loop saw it a moment before the reset arrived.
	// (The loop never accepted c, so its live count goes to -1: harmless
	// here, as the engine never serves.) peek hands off synchronously.
	e.loops[0].peek(c, syscall.EPOLLIN, time.Now())
	var got handed
	select {
	case got = <-h.handed:
	case err := <-h.handErr:
		t.Fatalf("hand-off failed: %v", err)
	default:
		t.Fatal("peek did not hand the reset connection off")
	}
	defer got.Close()
	if !errors.Is(got.readErr, syscall.ECONNRESET) {
		t.Fatalf("hand-off ReadErr = %v, want the connection reset the loop read", got.readErr)
	}
	if n, err := got.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Fatalf("after the reset the socket itself reads %d, %v; the test expects a plain EOF", n, err)
	}
}

// waitForError waits until fd reports an error or hang-up, without
// reading it (which would consume it).
func waitForError(t *testing.T, fd int) {
	t.Helper()
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(ep)
	ev := syscall.EpollEvent{Events: syscall.EPOLLERR | syscall.EPOLLHUP, Fd: int32(fd)}
	if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		t.Fatal(err)
	}
	evs := make([]syscall.EpollEvent, 1)
	for range 100 { // a hang guard, not a timing assertion
		if n, _ := syscall.EpollWait(ep, evs, 100); n == 1 {
			return
		}
	}
	t.Fatal("the reset never reached the accepted socket")
}

func TestSilentClientHandedOffAtPeekDeadline(t *testing.T) {
	h := newTestHandler(echoBackend(t))
	_, addr := startEngine(t, h, Config{PeekTimeout: 100 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	nc := <-h.handed
	defer nc.Close()
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := nc.Read(make([]byte, 1)); !errors.Is(err, syscall.EAGAIN) && !isTimeout(err) {
		t.Fatalf("a silent client's handed-off conn read: %v, want a timeout", err)
	}
}

// boundLoopback is a TCP socket bound to a free 127.0.0.1 port, closed
// when the test ends.
func boundLoopback(t *testing.T) (int, netip.AddrPort) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fd, netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(sa.(*syscall.SockaddrInet4).Port))
}

// refusedBackend is a loopback port bound without listen for the test's
// life: connecting is refused, and no other test can take the port.
func refusedBackend(t *testing.T) netip.AddrPort {
	t.Helper()
	_, ap := boundLoopback(t)
	return ap
}

// A dial that fails resets the client, as BIG-IP does when no pool member
// answers, and reports an error that names the backend.
func TestDialFailureResetsClient(t *testing.T) {
	for _, tc := range []struct {
		name    string
		backend func(*testing.T) netip.AddrPort
		cfg     Config
		want    error
	}{
		{"refused", refusedBackend, Config{}, syscall.ECONNREFUSED},
		{"timeout", blackholeBackend, Config{DialTimeout: 300 * time.Millisecond}, os.ErrDeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dead := tc.backend(t)
			h := newTestHandler(dead)
			_, addr := startEngine(t, h, tc.cfg)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, _ = c.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
			r := <-h.closed
			if !errors.Is(r.DialErr, tc.want) {
				t.Fatalf("DialErr = %v, want %v", r.DialErr, tc.want)
			}
			var oe *net.OpError
			if !errors.As(r.DialErr, &oe) || oe.Op != "dial" || oe.Addr.String() != dead.String() {
				t.Fatalf("DialErr %#v is not a dial OpError naming %s", r.DialErr, dead)
			}
			if r.Up != 0 || r.Down != 0 {
				t.Fatalf("bytes counted on a dial that never connected: %+v", r)
			}
			if _, err := c.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("client read after the failed dial: %v, want a reset", err)
			}
		})
	}
}

func TestAbortEndsLiveRelays(t *testing.T) {
	h := newTestHandler(echoBackend(t))
	e, addr := startEngine(t, h, Config{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write([]byte("ping"))
	if _, err := io.ReadFull(c, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	if e.Live() != 1 {
		t.Fatalf("Live = %d, want 1", e.Live())
	}
	e.Abort()
	r := <-h.closed
	if !errors.Is(r.Err, ErrAborted) || r.Up != 4 || r.Down != 4 {
		t.Fatalf("result %+v, want ErrAborted after 4 bytes each way", r)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// blackholeBackend is a loopback port whose SYNs go unanswered: a
// listener with a backlog of 0, filled by connections never accepted,
// drops new SYNs, so a connect hangs as to a filtered port.
func blackholeBackend(t *testing.T) netip.AddrPort {
	t.Helper()
	fd, ap := boundLoopback(t)
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	for range 16 {
		c, err := net.DialTimeout("tcp", ap.String(), 200*time.Millisecond)
		if err != nil {
			if isTimeout(err) {
				return ap // the queue is full: SYNs are dropped now
			}
			t.Fatalf("filling the backlog of %s: %v", ap, err)
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Fatalf("%s still accepted connections after 16: no unanswered port to test with", ap)
	return ap
}

// TestAcceptedSocketsHaveNoDelay: the engine sets TCP_NODELAY once, on the
// listening socket, and every accepted socket must have it, or small
// replies would wait for Nagle's algorithm.
func TestAcceptedSocketsHaveNoDelay(t *testing.T) {
	h := newTestHandler(echoBackend(t))
	e, addr := startEngine(t, h, Config{})
	if !e.noDelay {
		t.Fatal("TCP_NODELAY could not be set on the listening socket")
	}
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		// Silent, so the engine holds the socket while we look at it.
		accepted := <-h.opened
		v, err := syscall.GetsockoptInt(accepted.cfd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
		c.Close()
		if err != nil || v == 0 {
			t.Fatalf("accepted socket TCP_NODELAY = %d, %v; want it set", v, err)
		}
	}
}

// TestStopRacingServe: a Stop that lands while Serve is starting (a
// listener shut down as it starts) must either stop the running loops or
// release loops that never ran, never both: the loser of the race must not
// run loops on sockets the winner closed.
func TestStopRacingServe(t *testing.T) {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for range 50 {
		e, err := New(ln, newTestHandler(netip.MustParseAddrPort("127.0.0.1:1")), Config{Loops: 2, Uring: testUring})
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error, 1)
		go func() { served <- e.Serve() }()
		e.Stop()
		select {
		case err := <-served:
			if err != nil {
				t.Fatalf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second): // a hang guard
			t.Fatal("Serve did not return after Stop")
		}
		if err := e.Serve(); err == nil {
			t.Fatal("a second Serve returned nil, want an error")
		}
	}
}

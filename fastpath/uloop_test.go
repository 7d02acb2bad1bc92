//go:build linux

package fastpath

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// testUring makes startEngine build io_uring engines: TestUringEngine runs
// the engine tests that see only the Handler's side through it. Tests run
// one at a time in this package, so the switch cannot leak into another.
var testUring bool

// TestUringEngine: the io_uring loop passes the epoll engine's tests of
// what a Handler sees (relay, heads, FINs, hand-offs, deadlines, dial
// failures, abort), on real sockets. The tests that reach into the epoll
// loop's own state (park, spin, balance, down) are the epoll loop's.
func TestUringEngine(t *testing.T) {
	if err := UringCheck(); err != nil {
		if errors.Is(err, ErrUringUnavailable) {
			t.Skipf("io_uring unavailable here: %v", err)
		}
		t.Fatal(err)
	}
	testUring = true
	defer func() { testUring = false }()
	for _, tc := range []struct {
		name string
		test func(*testing.T)
	}{
		{"RelayExactBytesBothWays", TestRelayExactBytesBothWays},
		{"RelayedNamesAHandoff", TestRelayedNamesAHandoff},
		{"UpHeadAcrossReads", TestUpHeadAcrossReads},
		{"DownHeadAcrossReads", TestDownHeadAcrossReads},
		{"WaitThenRelayAcrossSegments", TestWaitThenRelayAcrossSegments},
		{"HandoffPassesConsumedBytesOn", TestHandoffPassesConsumedBytesOn},
		{"SilentClientHandedOffAtPeekDeadline", TestSilentClientHandedOffAtPeekDeadline},
		{"DialFailureResetsClient", TestDialFailureResetsClient},
		{"AbortEndsLiveRelays", TestAbortEndsLiveRelays},
		{"AcceptedSocketsHaveNoDelay", TestAcceptedSocketsHaveNoDelay},
		{"ClientFINFirst", TestClientFINFirst},
		{"FirstFIN", TestFirstFIN},
		{"UpLastRead", TestUpLastRead},
		{"BackendWriteFailDeliversRest", TestBackendWriteFailDeliversRest},
		{"ConnectSeenAfterBackendEnd", TestConnectSeenAfterBackendEnd},
		{"StopRacingServe", TestStopRacingServe},
		{"BytesQueuedAtAccept", TestBytesQueuedAtAccept},
		{"EndedConnsAreReusedHandedOffNever", TestEndedConnsAreReusedHandedOffNever},
	} {
		t.Run(tc.name, tc.test)
	}
}

// TestRemoteOfClientThatResetAtOnce: a client that reset before the loop
// took its connection is still named: the address comes with the accept,
// as accept4's does, not from getpeername afterwards (which then fails,
// and the log said "client (unknown)"). The loop is held in the first
// connection's Open while the second client connects and resets.
func TestRemoteOfClientThatResetAtOnce(t *testing.T) {
	for _, uring := range []bool{false, true} {
		t.Run(fmt.Sprintf("uring=%v", uring), func(t *testing.T) {
			if err := UringCheck(); uring && err != nil {
				t.Skipf("io_uring unavailable here: %v", err)
			}
			h := &gatedOpen{testHandler: newTestHandler(echoBackend(t)), in: make(chan struct{}), gate: make(chan struct{})}
			_, addr := startEngine(t, h, Config{Loops: 1, Uring: uring})
			first, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer first.Close()
			select {
			case <-h.in:
			case <-time.After(10 * time.Second):
				close(h.gate)
				t.Fatal("the first connection was not opened in 10s")
			}
			c, err := net.Dial("tcp", addr)
			if err != nil {
				close(h.gate)
				t.Fatal(err)
			}
			_ = c.(*net.TCPConn).SetLinger(0)
			local := c.LocalAddr().String()
			c.Close()
			close(h.gate)
			for range 2 {
				select {
				case oc := <-h.opened:
					if oc.Remote.String() == first.LocalAddr().String() {
						continue
					}
					if oc.Remote.String() != local {
						t.Fatalf("Conn.Remote = %v, want the client %s", oc.Remote, local)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("the reset connection was not opened in 10s")
				}
			}
		})
	}
}

// gatedOpen holds the loop in the first Open until gate closes.
type gatedOpen struct {
	*testHandler
	in, gate chan struct{}
	held     bool
}

func (h *gatedOpen) Open(c *Conn) Verdict {
	if !h.held {
		h.held = true
		close(h.in)
		<-h.gate
	}
	return h.testHandler.Open(c)
}

// TestConcurrentRelaysKeepTheirBytes: many connections at once on one
// loop each get their own bytes back, whole and in order, while the loop
// reuses buffers between connections (the io_uring loop keeps a free list
// that a request still in flight must never be on).
func TestConcurrentRelaysKeepTheirBytes(t *testing.T) {
	for _, uring := range []bool{false, true} {
		t.Run(fmt.Sprintf("uring=%v", uring), func(t *testing.T) {
			if err := UringCheck(); uring && err != nil {
				t.Skipf("io_uring unavailable here: %v", err)
			}
			h := newTestHandler(echoBackend(t))
			h.closed, h.opened = make(chan Result, 64), make(chan *Conn, 64)
			_, addr := startEngine(t, h, Config{Loops: 1, Uring: uring})
			const conns, rounds = 8, 4
			errs := make(chan error, conns*rounds)
			for i := range conns * rounds {
				go func() {
					payload := make([]byte, 1000+i*3001)
					_, _ = rand.Read(payload)
					payload[0] = 'R' // not a hand-off
					c, err := net.Dial("tcp", addr)
					if err != nil {
						errs <- err
						return
					}
					defer c.Close()
					_ = c.SetDeadline(time.Now().Add(30 * time.Second))
					go func() {
						_, _ = c.Write(payload)
						_ = c.(*net.TCPConn).CloseWrite()
					}()
					got, err := io.ReadAll(c)
					if err == nil && !bytes.Equal(got, payload) {
						err = fmt.Errorf("connection %d: %d bytes back of %d, or different", i, len(got), len(payload))
					}
					errs <- err
				}()
			}
			for range conns * rounds {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestUringAcceptWaitsForListening: a refuse rule shuts the listening
// socket down (SHUT_RD), so the loop's accept fails with EINVAL. The loop
// keeps the socket and waits for Engine.Listening (an eventfd read armed
// on its ring) instead of re-arming accepts that fail at once; once the
// socket listens again and Listening is called, a client is relayed.
func TestUringAcceptWaitsForListening(t *testing.T) {
	if err := UringCheck(); err != nil {
		t.Skipf("io_uring unavailable here: %v", err)
	}
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	h := newTestHandler(echoBackend(t))
	h.closed, h.opened = make(chan Result, 64), make(chan *Conn, 64)
	e, err := New(ln, h, Config{Loops: 1, Uring: true})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- e.Serve() }()
	defer func() {
		e.Abort()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	rc, err := ln.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var sa syscall.Sockaddr
	ctl := func(f func(fd int) error) {
		t.Helper()
		var ferr error
		if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil || ferr != nil {
			t.Fatal(err, ferr)
		}
	}
	ctl(func(fd int) (err error) { sa, err = syscall.Getsockname(fd); return err })
	addr := ln.Addr().String()
	ctl(func(fd int) error { return syscall.Shutdown(fd, syscall.SHUT_RD) })
	if _, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial while shut down: %v, want connection refused", err)
	}
	// Whether the loop has met EINVAL yet or not, a Listening after the
	// socket listens again must get its accepts going (listensArmed).
	time.Sleep(50 * time.Millisecond)
	ctl(func(fd int) error {
		if err := syscall.Bind(fd, sa); err != nil && !errors.Is(err, syscall.EINVAL) {
			return err
		}
		return syscall.Listen(fd, 128)
	})
	e.Listening()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial after listening again: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("Rping")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 5)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "Rping" {
		t.Fatalf("relay after listening again: %q, %v", got, err)
	}
}

//go:build linux

package fastpath

import (
	"errors"
	"fmt"
	"net"
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

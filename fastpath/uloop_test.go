//go:build linux

package fastpath

import (
	"errors"
	"testing"
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
	if r, err := newRing(8); err != nil {
		if errors.Is(err, ErrUringUnavailable) {
			t.Skipf("io_uring unavailable here: %v", err)
		}
		t.Fatal(err)
	} else {
		r.close()
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

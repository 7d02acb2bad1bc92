//go:build linux

package fastpath

import (
	"errors"
	"syscall"
	"testing"
	"time"
)

// failingRing is a deferred ring never enabled: the kernel refuses every
// io_uring_enter on it with EBADFD, as it would a ring that broke.
func failingRing(t *testing.T) *ring {
	t.Helper()
	r, err := newRing(4)
	if err != nil {
		if errors.Is(err, ErrUringUnavailable) {
			t.Skipf("io_uring unavailable here: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(r.close)
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

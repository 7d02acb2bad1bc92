package faults

import (
	"sync"
	"time"
)

// idleState is shared by both directions of one idle_timeout rule: traffic
// either way keeps the state alive, as it does in a NAT or firewall table.
type idleState struct {
	mu      sync.Mutex
	last    time.Time
	expired bool
}

// expire marks the state gone; with then hold the way to the peer is held
// for good too, whichever direction found it gone: the state was the
// whole connection's.
func (st *idleState) expire(k *ctl, then Then) {
	st.expired = true
	if then == ThenHold {
		k.stall(k.outDir)
	}
}

func newIdleState(k *ctl) *idleState { return &idleState{last: k.deps.Now()} }

// idle expires a connection that stayed quiet for timeout. Nothing happens
// at the moment of expiry, as nothing happens in a state table: the next
// packet either way finds the state gone and gets then: rst (the default,
// "reset on next packet"), fin (closed), or hold (dropped for ever). That
// packet's fate ends the stream on purpose, so the rule is recorded for
// the listener's log (Ended).
type idle struct {
	next    sink
	k       *ctl
	r       *Rule
	dir     Direction
	st      *idleState
	timeout time.Duration
	then    Then
}

func (f *idle) Write(p []byte) (int, error) {
	now := f.k.deps.Now()
	f.st.mu.Lock()
	if !f.st.expired && now.Sub(f.st.last) >= f.timeout {
		f.st.expire(f.k, f.then)
	}
	expired := f.st.expired
	if !expired {
		f.st.last = now
	}
	f.st.mu.Unlock()
	if !expired {
		return f.next.Write(p)
	}
	switch f.then {
	case ThenHold:
		f.k.withhold(f.r, f.dir, len(p))
		return len(p), nil
	case ThenFIN:
		f.k.cutBy(f.r)
		f.k.closeAll()
		return 0, ErrClosedByFault
	}
	f.k.cutBy(f.r)
	_ = f.k.reset()
	return 0, ErrReset
}

func (f *idle) End(fin bool) error {
	f.st.mu.Lock()
	expired := f.st.expired
	f.st.mu.Unlock()
	if expired {
		return nil
	}
	return f.next.End(fin)
}

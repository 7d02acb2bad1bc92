//go:build linux

package fastpath

import (
	"fmt"
	"time"
)

// What a sweep decides, shared by both loops: which connections are past
// their peek or dial deadline, or idle. Each loop keeps its own actions
// (the epoll loop closes at once; the uring loop cancels its requests
// first), so the deadlines themselves are one piece of code.

// sweepAct is what a sweep does to one connection.
type sweepAct uint8

const (
	inTime   sweepAct = iota
	peekOver          // the peek deadline passed: hand the client off
	dialOver          // the dial deadline passed, still connecting: the dial failed
	idleOver          // relaying, no byte either way for the idle timeout: reset
)

// idleDue says whether a sweep at now, the last idle check at idled,
// checks the idle timeout: every eighth of it (within [tick, idleTick]),
// so a short timeout is not overshot by most of a second, and never when
// it is off (negative).
func idleDue(now, idled time.Time, idle time.Duration) bool {
	return idle >= 0 && now.Sub(idled) >= min(idleTick, max(tick, idle/8))
}

// overdue says what a sweep at now does to c. checkIdle is idleDue's
// answer for this sweep. A backend still connecting is the dial
// deadline's, as on the goroutine path: idle time starts once there is a
// relay.
func (c *Conn) overdue(now time.Time, idle time.Duration, checkIdle bool) sweepAct {
	switch {
	case c.phase == peeking && !now.Before(c.deadline):
		return peekOver
	case c.phase == relaying && c.connecting && !now.Before(c.deadline):
		return dialOver
	case checkIdle && c.phase == relaying && !c.connecting && now.Sub(c.last) >= idle:
		return idleOver
	}
	return inTime
}

// idleErr is a relay's error when the idle timeout ends it.
func idleErr(idle time.Duration) error {
	return fmt.Errorf("%w: no bytes either way for %s", ErrIdle, idle)
}

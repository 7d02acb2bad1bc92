//go:build linux

package fastpath

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestOverdue: the decision both loops' sweeps act on, one connection at
// a time: a deadline is past at the instant it names (not a tick later),
// a connect in progress is the dial deadline's and never idle, and idle
// is checked only when the sweep checks it.
func TestOverdue(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	const idle = 10 * time.Second
	for _, tc := range []struct {
		name      string
		c         Conn
		now       time.Time
		checkIdle bool
		want      sweepAct
	}{
		{"peeking before its deadline", Conn{phase: peeking, deadline: t0}, t0.Add(-time.Nanosecond), true, inTime},
		{"peeking at its deadline", Conn{phase: peeking, deadline: t0}, t0, false, peekOver},
		{"peeking, never idle", Conn{phase: peeking, deadline: t0.Add(time.Hour)}, t0, true, inTime},
		{"connecting before its deadline", Conn{phase: relaying, connecting: true, deadline: t0}, t0.Add(-time.Nanosecond), true, inTime},
		{"connecting past its deadline", Conn{phase: relaying, connecting: true, deadline: t0}, t0.Add(time.Second), false, dialOver},
		{"connecting long silent is not idle", Conn{phase: relaying, connecting: true, deadline: t0.Add(time.Hour)}, t0.Add(idle), true, inTime},
		{"relaying, idle exactly the timeout", Conn{phase: relaying, last: t0}, t0.Add(idle), true, idleOver},
		{"relaying, idle but not checked this sweep", Conn{phase: relaying, last: t0}, t0.Add(idle), false, inTime},
		{"relaying, a byte within the timeout", Conn{phase: relaying, last: t0}, t0.Add(idle - time.Nanosecond), true, inTime},
		{"relaying, a past deadline means nothing", Conn{phase: relaying, deadline: t0, last: t0}, t0.Add(time.Second), true, inTime},
		{"done", Conn{phase: done, deadline: t0, last: t0}, t0.Add(time.Hour), true, inTime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.overdue(tc.now, idle, tc.checkIdle); got != tc.want {
				t.Errorf("overdue = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestIdleDue: the idle timeout is checked every eighth of it, within
// [tick, idleTick], and never when it is off.
func TestIdleDue(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		idle, since time.Duration
		want        bool
	}{
		{-1, time.Hour, false}, // off
		{0, tick, true},        // no idle time allowed: every tick
		{0, tick - time.Nanosecond, false},
		{80 * time.Millisecond, tick, true}, // an eighth is under a tick: a tick
		{8 * time.Second, time.Second - time.Nanosecond, false},
		{8 * time.Second, time.Second, true},   // an eighth
		{300 * time.Second, time.Second, true}, // an eighth is over idleTick: idleTick
		{300 * time.Second, 999 * time.Millisecond, false},
	} {
		if got := idleDue(t0.Add(tc.since), t0, tc.idle); got != tc.want {
			t.Errorf("idleDue(idle %v, %v since the last check) = %v, want %v", tc.idle, tc.since, got, tc.want)
		}
	}
	if err := idleErr(time.Minute); !errors.Is(err, ErrIdle) || !strings.Contains(err.Error(), "1m0s") {
		t.Errorf("idleErr = %v, want ErrIdle naming the timeout", err)
	}
}

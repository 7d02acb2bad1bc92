//go:build linux

package fastpath

import (
	"runtime"
	"syscall"
	"time"
)

// quietFor is how long an engine must have had at most one connection
// before its loop polls instead of parking at once. Under load the CPUs
// are better spent on the peers that produce the next events: polling
// there cost 7-12% of the connection rate at 8 in flight (BENCHMARKS.md,
// "Session 10").
const quietFor = 50 * time.Millisecond

// gaveWay: a round of polling (one epoll_wait and the two yields) that
// took this long means another thread got the CPU in between, so the CPU
// is wanted and the loop parks instead of polling on. A bulk relay's peers
// are busy encrypting: in one A/B set, polling on regardless beside them
// took about 10% more CPU per gigabyte.
const gaveWay = 20 * time.Microsecond

// maxPolls caps one poll's rounds whatever Config.Now says, so a clock that
// does not move (a test's) cannot keep a loop polling for ever. At about a
// microsecond a round it is past the longest busy_poll config allows (1ms).
const maxPolls = 4096

// mayPoll says whether a loop about to wait should poll first: it owns a
// connection (an idle proxy uses no CPU), and the whole engine has had at
// most one for quietFor. busyAt is when the engine was last seen with
// more (UnixNano); live is its count now.
func mayPoll(owned int32, live int64, now, busyAt int64) bool {
	return owned > 0 && live <= 1 && now-busyAt >= int64(quietFor)
}

// poll waits for the loop's next events by polling its epoll set for up to
// Config.BusyPoll, yielding between polls, and returns how many it
// read into l.evs (0 when the time ran out or something else needs the
// loop: an inbox hand-off, a stop).
//
// Why: with one connection in flight the next event (the backend's answer,
// the client's next request) usually comes within tens of microseconds.
// A loop that parks in Go's netpoller is woken through the netpoller's
// thread and the scheduler, and on a virtual machine the idle vCPU it
// sleeps on must be woken too; polling took 30-80 µs off the p50 of a
// round trip through tlsgate (BENCHMARKS.md, "Session 10"). The yields
// between polls hand the CPU to anyone waiting for it, so the polling takes
// only time nobody else wanted.
func (l *loop) poll() int {
	cfg := &l.e.cfg
	last := cfg.Now()
	until := last.Add(cfg.BusyPoll)
	for range maxPolls {
		if n := rawEpollPoll(l.ep, l.evs); n > 0 {
			return n
		}
		now := cfg.Now()
		if l.in.has.Load() || l.e.stop.Load() || !now.Before(until) || now.Sub(last) >= gaveWay {
			return 0
		}
		last = now
		// Both yields: Gosched lets goroutines queued on this loop's P
		// run (a polling loop holds its P), sched_yield lets other
		// threads have the CPU. Either one running shows up in gaveWay.
		runtime.Gosched()
		_, _, _ = syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
	}
	return 0
}

// wait returns the loop's next events: by polling when the engine is quiet
// (see mayPoll) and the last round had events, then by parking in the
// netpoller for up to d. A round woken only by park's deadline does not
// poll: an idle kept-alive connection then costs nothing between ticks.
func (l *loop) wait(d time.Duration, active bool) int {
	if active && l.e.cfg.BusyPoll > 0 {
		now := l.e.cfg.Now().UnixNano()
		live := l.e.Live()
		if live > 1 {
			l.e.busyAt.Store(now)
		} else if mayPoll(l.load.Load(), live, now, l.e.busyAt.Load()) {
			if n := l.poll(); n > 0 {
				return n
			}
		}
	}
	return l.park(d)
}

//go:build linux

package fastpath

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestMayPoll(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC).UnixNano()
	quietSince := now - int64(quietFor)
	tests := []struct {
		name   string
		owned  int32
		live   int64
		busyAt int64
		want   bool
	}{
		{"one connection, quiet engine", 1, 1, quietSince, true},
		{"never busy", 1, 1, 0, true},
		{"owns nothing: an idle proxy uses no CPU", 0, 1, quietSince, false},
		{"two live connections", 1, 2, quietSince, false},
		{"busy a moment ago", 1, 1, now - int64(quietFor) + 1, false},
		{"busy just now", 1, 0, now, false},
	}
	for _, tt := range tests {
		if got := mayPoll(tt.owned, tt.live, now, tt.busyAt); got != tt.want {
			t.Errorf("%s: mayPoll = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// watchQuiet watches fd and takes the edge that watching a writable socket
// reports at once, so that only what the test does next is an event.
func watchQuiet(t *testing.T, l *loop, fd int) {
	t.Helper()
	if _, err := l.watch(fd); err != nil {
		t.Fatal(err)
	}
	for rawEpollPoll(l.ep, l.evs) > 0 {
	}
}

// TestPollReturnsQueuedEvent: an event already queued is returned by the
// first poll, as park would return it.
func TestPollReturnsQueuedEvent(t *testing.T) {
	l := unservedLoop(t)
	fds := socketPair(t)
	watchQuiet(t, l, fds[0])
	if n := l.poll(); n != 0 {
		t.Fatalf("poll returned %d events before any was queued", n)
	}
	if _, err := syscall.Write(fds[1], []byte("x")); err != nil {
		t.Fatal(err)
	}
	if n := l.poll(); n != 1 || int(l.evs[0].Fd) != fds[0] || l.evs[0].Events&syscall.EPOLLIN == 0 {
		t.Fatalf("poll returned %d events (first fd %d), want the socket pair's (fd %d)", n, l.evs[0].Fd, fds[0])
	}
}

// TestPollEnds: with nothing to read, polling ends without events for each
// reason it has to, a clock that never moves included.
func TestPollEnds(t *testing.T) {
	frozen := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		cfg  Config
		set  func(l *loop)
	}{
		{"time is up", Config{Loops: 1, BusyPoll: time.Microsecond}, func(*loop) {}},
		{"frozen clock", Config{Loops: 1, BusyPoll: time.Hour, Now: func() time.Time { return frozen }}, func(*loop) {}},
		{"inbox hand-off waiting", Config{Loops: 1, BusyPoll: time.Hour}, func(l *loop) { l.in.has.Store(true) }},
		{"engine stopping", Config{Loops: 1, BusyPoll: time.Hour}, func(l *loop) { l.e.stop.Store(true) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := unservedLoopWith(t, tt.cfg)
			tt.set(l)
			if n := l.poll(); n != 0 {
				t.Fatalf("poll returned %d events with none queued", n)
			}
		})
	}
}

// TestWaitMarksEngineBusy: a loop that sees more than one live connection
// records it, so no loop polls until the engine has been quiet a while.
func TestWaitMarksEngineBusy(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	l := unservedLoopWith(t, Config{Loops: 1, Now: func() time.Time { return now }})
	l.load.Store(2)
	defer l.load.Store(0)
	if n := l.wait(time.Millisecond, true); n != 0 {
		t.Fatalf("wait returned %d events with none queued", n)
	}
	if got := l.e.busyAt.Load(); got != now.UnixNano() {
		t.Fatalf("busyAt = %d, want %d (the loop's now)", got, now.UnixNano())
	}
	if mayPoll(1, 1, now.UnixNano(), l.e.busyAt.Load()) {
		t.Fatal("mayPoll right after a busy moment")
	}
}

// TestPollStopsWhenCPUWanted: a round that took gaveWay or more means
// another thread ran in between; polling stops after that round instead of
// running to BusyPoll (or to maxPolls).
func TestPollStopsWhenCPUWanted(t *testing.T) {
	now, readings := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), 0
	step := func() time.Time { readings++; now = now.Add(gaveWay); return now }
	l := unservedLoopWith(t, Config{Loops: 1, BusyPoll: time.Hour, Now: step})
	if n := l.poll(); n != 0 {
		t.Fatalf("poll returned %d events with none queued", n)
	}
	if readings != 2 {
		t.Fatalf("the clock was read %d times, want 2 (the start, then one round)", readings)
	}
}

// TestPollLetsGoroutinesRun: a polling loop holds its P, so goroutines
// queued on it must get their turn between polls. With one P, a goroutine
// that the poll itself wakes (through its clock) writes the event that ends
// the poll; if it could not run, the poll would run out of time and find
// nothing.
func TestPollLetsGoroutinesRun(t *testing.T) {
	// A clock that moves a microsecond a reading: about a hundred rounds,
	// far less real time than the runtime takes to preempt the poller.
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	started := make(chan struct{})
	step := func() time.Time {
		if now.Equal(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)) {
			close(started) // the poll's first reading
		}
		now = now.Add(time.Microsecond)
		return now
	}
	l := unservedLoopWith(t, Config{Loops: 1, BusyPoll: 200 * time.Microsecond, Now: step})
	fds := socketPair(t)
	watchQuiet(t, l, fds[0])
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	go func() {
		<-started
		_, _ = syscall.Write(fds[1], []byte("x"))
	}()
	if n := l.poll(); n != 1 || l.evs[0].Events&syscall.EPOLLIN == 0 {
		t.Fatalf("poll returned %d events: the goroutine queued behind it never ran", n)
	}
}

// TestBusyPollOff: a negative BusyPoll (busy_poll = "0s") never polls: wait
// goes straight to park without even reading the clock.
func TestBusyPollOff(t *testing.T) {
	readings := 0
	clock := func() time.Time { readings++; return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }
	l := unservedLoopWith(t, Config{Loops: 1, BusyPoll: -1, Now: clock})
	l.load.Store(1)
	defer l.load.Store(0)
	if n := l.wait(time.Millisecond, true); n != 0 {
		t.Fatalf("wait returned %d events with none queued", n)
	}
	if readings != 0 {
		t.Fatalf("the clock was read %d times: the loop considered polling", readings)
	}
}

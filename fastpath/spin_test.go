//go:build linux

package fastpath

import (
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

// TestPollReturnsQueuedEvent: an event already queued is returned by the
// first poll, as park would return it.
func TestPollReturnsQueuedEvent(t *testing.T) {
	l := unservedLoop(t)
	fds := socketPair(t)
	if _, err := l.watch(fds[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := syscall.Write(fds[1], []byte("x")); err != nil {
		t.Fatal(err)
	}
	if n := l.poll(); n != 1 || int(l.evs[0].Fd) != fds[0] {
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

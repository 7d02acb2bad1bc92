//go:build linux

package listener

import (
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// manualClock is a faults.Clock that moves only when the test moves it:
// a waiter made by At fires when Advance reaches its time.
type manualClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []manualWaiter
}

type manualWaiter struct {
	at time.Time
	c  chan time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) At(t time.Time) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if !t.After(c.now) {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, manualWaiter{t, ch})
	return ch
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.c <- c.now
	}
	c.waiters = kept
}

// TestRefuseScheduleFollowsEngineClock: a refuse rule's start_after and
// duration pass when the fault engine's clock passes them, not when real
// time would: the listener's watcher waits on the engine's clock. The
// schedule is hours long and the clock is moved by hand, so the test
// waits for the down and up log lines only (the bound is a hang guard);
// with the watcher on real timers it would wait for hours.
func TestRefuseScheduleFollowsEngineClock(t *testing.T) {
	needEpoll(t)
	backendAddr := servedBackend(t)
	for _, engine := range testEngines {
		t.Run(string(engine), func(t *testing.T) {
			needEngine(t, engine)
			clock := &manualClock{now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
			e := faults.NewEngineClock(clock)
			rule := faults.Rule{Name: "maintenance", Action: faults.ActRefuse, Listener: "web",
				StartAfter: faults.Duration(time.Hour), Duration: faults.Duration(2 * time.Hour)}
			if err := e.Add(rule); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Name: "web", Mode: Plaintext, Backend: backendAddr, Engine: engine},
				func(d *Deps) { d.Faults = e; d.Now = clock.Now })
			getOK(t, h.addr) // before start_after
			h.next()

			clock.Advance(time.Hour) // start_after passes
			waitLog(t, h, "listener down")
			assertRefused(t, h.addr)
			if fires := e.List()[0].Fires; fires != 1 {
				t.Fatalf("rule fires = %d, want 1", fires)
			}

			clock.Advance(2 * time.Hour) // its duration runs out
			waitLog(t, h, "listener up")
			getOK(t, h.addr)
			h.next()
			if down, downs := h.srv.Down(); down || downs != 1 {
				t.Fatalf("Down() = %t, %d after the schedule ended, want false, 1", down, downs)
			}
			if l := h.logs.FilterMessageSnippet("listener up").All(); l[0].ContextMap()["down_for"] != 2*time.Hour {
				t.Errorf("listener up: down_for = %v, want 2h on the injected clock", l[0].ContextMap()["down_for"])
			}
		})
	}
}

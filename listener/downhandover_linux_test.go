//go:build linux

package listener

import (
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRefuseStaysDownUnderAnotherRule: with two refuse rules on one
// listener, removing the one the down line named leaves the port refused
// under the other, and a line says so, naming both, and counts a firing
// of the rule that holds it now. It used to stay down with no line naming
// that rule, and fault ls showed it with 0 fires. A rule earlier in the
// list whose start_after passes while the first holds does not take the
// name over: the rule that took the listener down still holds it.
func TestRefuseStaysDownUnderAnotherRule(t *testing.T) {
	backendAddr := servedBackend(t)
	clock := &manualClock{now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	e := faults.NewEngineClock(clock)
	for _, r := range []faults.Rule{
		{Name: "dd2", Action: faults.ActRefuse, Listener: "web", StartAfter: faults.Duration(time.Hour), Duration: faults.Duration(2 * time.Hour)},
		{Name: "dd", Action: faults.ActRefuse, Listener: "web"},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	h := startListenerDeps(t, Options{Name: "web", Mode: Plaintext, Backend: backendAddr},
		func(d *Deps) { d.Faults = e; d.Now = clock.Now })
	waitLog(t, h, "listener down")
	if l := h.logs.FilterMessageSnippet("listener down").All(); l[0].ContextMap()["rule"] != "dd" {
		t.Fatalf("down line names %v, want dd", l[0].ContextMap()["rule"])
	}

	// dd2's start_after passes: it is first in the list, so Down names it
	// now, but dd still holds the listener down. The watcher is done with
	// that when it waits for dd2's end.
	start := clock.Now()
	clock.Advance(time.Hour)
	waitClockWaiter(t, clock, start.Add(3*time.Hour))
	if n := h.logs.FilterMessageSnippet("listener stays down").Len(); n != 0 {
		t.Fatalf("%d stays-down lines while dd, which took it down, still holds it", n)
	}

	if err := e.Remove("dd"); err != nil {
		t.Fatal(err)
	}
	waitLog(t, h, "listener stays down")
	l := h.logs.FilterMessageSnippet("listener stays down").All()
	if len(l) != 1 {
		t.Fatalf("%d stays-down lines, want 1", len(l))
	}
	if f := l[0].ContextMap(); f["rule"] != "dd2" || f["ended"] != "dd" || !strings.Contains(f["check"].(string), "dd2") {
		t.Fatalf("stays-down line: %v, want rule dd2, ended dd and advice naming dd2", f)
	}
	assertRefused(t, h.addr)
	if st := e.List(); len(st) != 1 || st[0].Rule.Name != "dd2" || st[0].Fires != 1 {
		t.Fatalf("rules after dd went: %+v, want dd2 with 1 fire", st)
	}
	if down, downs := h.srv.Down(); !down || downs != 1 {
		t.Fatalf("Down() = %t, %d, want true, 1 (it never came up in between)", down, downs)
	}

	clock.Advance(2 * time.Hour) // dd2's duration runs out
	waitLog(t, h, "listener up")
	if l := h.logs.FilterMessageSnippet("listener up").All(); l[0].ContextMap()["rule"] != "dd2" {
		t.Errorf("up line names %v, want dd2", l[0].ContextMap()["rule"])
	}
	getOK(t, h.addr)
	h.next()
}

// waitClockWaiter waits until something waits on clock for at: the
// watcher has taken in the clock's last move. The bound is a hang guard.
func waitClockWaiter(t *testing.T, clock *manualClock, at time.Time) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		clock.mu.Lock()
		found := false
		for _, w := range clock.waiters {
			found = found || w.at.Equal(at)
		}
		clock.mu.Unlock()
		if found {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("nothing waits on the clock for %v after 20s", at)
		}
	}
}

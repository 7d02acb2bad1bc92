//go:build linux

package listener

import (
	"slices"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRefuseDownEvents: each of the listener's own lines under refuse
// rules (down, also held, stays down, up) reaches Deps.OnDown as a
// DownEvent with the line's facts: the admin API publishes them on
// /events, where they were missing (only the log had them). Until is set
// only while every rule holding it has a duration.
func TestRefuseDownEvents(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	clock := &manualClock{now: t0}
	e := faults.NewEngineClock(clock)
	if err := e.Add(faults.Rule{Name: "first", Action: faults.ActRefuse, Listener: "web", Duration: faults.Duration(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	evs := make(chan DownEvent, 8)
	h := startListenerDeps(t, Options{Name: "web", Mode: Plaintext, Backend: "127.0.0.1:9"}, func(d *Deps) {
		d.Faults, d.Now = e, clock.Now
		d.AdminURL = func() string { return "http://127.0.0.1:9001" }
		d.OnDown = func(ev DownEvent) { evs <- ev }
	})
	next := func(want DownKind) DownEvent {
		t.Helper()
		select {
		case ev := <-evs:
			if ev.Kind != want {
				t.Fatalf("event %+v, want kind %s", ev, want)
			}
			if ev.Listener != "web" || ev.Listen != h.addr {
				t.Errorf("%s: listener %q at %q, want web at %s", want, ev.Listener, ev.Listen, h.addr)
			}
			// The event's reason is its log line's message.
			if h.logs.FilterMessage(ev.Reason).Len() == 0 {
				t.Errorf("%s: reason %q is no log line's message", want, ev.Reason)
			}
			return ev
		case <-time.After(20 * time.Second):
			t.Fatalf("no %s event after 20s", want)
			return DownEvent{}
		}
	}
	rules := func(hs []faults.Hold) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.Rule)
		}
		return out
	}

	down := next(DownWent)
	if down.Rule != "first" || down.Downs != 1 || !down.Until.Equal(t0.Add(time.Hour)) || !down.Time.Equal(t0) ||
		!slices.Equal(rules(down.Holding), []string{"first"}) || down.Symptom == "" ||
		down.Check != h.logs.FilterMessage(reasonDown).All()[0].ContextMap()["check"] {
		t.Errorf("down: %+v", down)
	}

	if err := e.Add(faults.Rule{Name: "second", Action: faults.ActRefuse, Listener: "web"}); err != nil {
		t.Fatal(err)
	}
	also := next(DownAlsoHeld)
	// second has no duration: the listener no longer comes back by itself.
	if also.Rule != "second" || also.HeldBy != "first" || !also.Until.IsZero() ||
		!slices.Equal(rules(also.Holding), []string{"first", "second"}) {
		t.Errorf("also held: %+v", also)
	}

	if err := e.Remove("first"); err != nil {
		t.Fatal(err)
	}
	still := next(DownStill)
	if still.Rule != "second" || still.Ended != "first" || still.Downs != 1 ||
		!slices.Equal(rules(still.Holding), []string{"second"}) {
		t.Errorf("still down: %+v", still)
	}

	clock.Advance(90 * time.Second)
	if err := e.Remove("second"); err != nil {
		t.Fatal(err)
	}
	up := next(DownUp)
	if up.Rule != "second" || !up.Since.Equal(t0) || up.DownFor != 90*time.Second || len(up.Holding) != 0 ||
		up.Check != "" || up.Symptom != "" {
		t.Errorf("up: %+v", up)
	}
}

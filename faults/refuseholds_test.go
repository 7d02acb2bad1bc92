package faults

import (
	"slices"
	"testing"
	"time"
)

// TestRefuseHolds: Holds says whether one named refuse rule holds the
// listener down now, whichever rule Down names. The listener keeps the
// name of the rule that took it down while Holds says that rule still
// holds, so a rule earlier in the list whose start_after passes later
// does not read as the first one having ended.
func TestRefuseHolds(t *testing.T) {
	clk := newFakeClock()
	e := NewEngine(clk.Now)
	for _, r := range []Rule{
		{Name: "later", Action: ActRefuse, Listener: "web", StartAfter: Duration(time.Hour)},
		{Name: "now", Action: ActRefuse, Listener: "web", Duration: Duration(2 * time.Hour)},
		{Name: "api-down", Action: ActRefuse, Listener: "api"},
		{Name: "a-reset", Action: ActReset},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, want map[string]bool) {
		t.Helper()
		for rule, holds := range want {
			if got := e.Holds("web", rule); got != holds {
				t.Errorf("%s: Holds(web, %s) = %t, want %t", when, rule, got, holds)
			}
		}
	}
	check("at the start", map[string]bool{"later": false, "now": true, "api-down": false, "a-reset": false, "gone": false})
	clk.Advance(time.Hour)
	if rule, _, _ := e.Down("web"); rule != "later" {
		t.Fatalf("Down names %q once both hold, want later (first in order)", rule)
	}
	check("both in their windows", map[string]bool{"later": true, "now": true})
	if err := e.SetEnabled("now", false); err != nil {
		t.Fatal(err)
	}
	check("now disabled", map[string]bool{"now": false, "later": true})
	if err := e.SetEnabled("now", true); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	check("now's duration ran out", map[string]bool{"now": false, "later": true})
	if err := e.Remove("later"); err != nil {
		t.Fatal(err)
	}
	check("later removed", map[string]bool{"later": false})
}

// TestRefuseHolding: Holding lists every refuse rule holding the listener
// now, in order, with when each ends by itself; not one waiting for its
// start_after, disabled, aimed at another listener, or of another action.
func TestRefuseHolding(t *testing.T) {
	clk := newFakeClock()
	e := NewEngine(clk.Now)
	start := clk.Now()
	for _, r := range []Rule{
		{Name: "later", Action: ActRefuse, Listener: "web", StartAfter: Duration(time.Hour)},
		{Name: "timed", Action: ActRefuse, Listener: "web", Duration: Duration(2 * time.Hour)},
		{Name: "every", Action: ActRefuse},
		{Name: "off", Action: ActRefuse, Listener: "web"},
		{Name: "api-down", Action: ActRefuse, Listener: "api"},
		{Name: "a-reset", Action: ActReset},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.SetEnabled("off", false); err != nil {
		t.Fatal(err)
	}
	names := func() []Hold { return e.Holding("web") }
	want := []Hold{{Rule: "timed", Until: start.Add(2 * time.Hour)}, {Rule: "every"}}
	if got := names(); !slices.Equal(got, want) {
		t.Fatalf("at the start: Holding = %v, want %v", got, want)
	}
	clk.Advance(3 * time.Hour)
	want = []Hold{{Rule: "later"}, {Rule: "every"}}
	if got := names(); !slices.Equal(got, want) {
		t.Fatalf("after 3h: Holding = %v, want %v", got, want)
	}
}

package faults

import (
	"slices"
	"testing"
	"time"
)

// TestRefuseDownHeld: Down names the rule the listener is held down for
// while that rule still holds it, whichever rule is first in the list, and
// the first rule that holds it once the held one no longer does. The
// listener keeps the name of the rule that took it down while it holds,
// so a rule earlier in the list whose start_after passes later does not
// read as the first one having ended.
func TestRefuseDownHeld(t *testing.T) {
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
	check := func(when string, want map[string]string) {
		t.Helper()
		for held, rule := range want {
			got, down, _ := e.Down("web", held)
			if got != rule || down != (rule != "") {
				t.Errorf("%s: Down(web, %q) = %q, %t, want %q", when, held, got, down, rule)
			}
		}
	}
	// Only "now" holds at the start: a held rule out of its window, for
	// another listener, of another action or gone names nothing.
	check("at the start", map[string]string{"": "now", "later": "now", "now": "now", "api-down": "now", "a-reset": "now", "gone": "now"})
	clk.Advance(time.Hour)
	check("both in their windows", map[string]string{"": "later", "later": "later", "now": "now", "gone": "later"})
	if err := e.SetEnabled("now", false); err != nil {
		t.Fatal(err)
	}
	check("now disabled", map[string]string{"now": "later"})
	if err := e.SetEnabled("now", true); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	check("now's duration ran out", map[string]string{"now": "later", "later": "later"})
	if err := e.Remove("later"); err != nil {
		t.Fatal(err)
	}
	check("later removed", map[string]string{"later": "", "now": "", "": ""})
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

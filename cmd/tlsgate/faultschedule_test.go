package main

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestFaultCLIListSchedule: fault ls says when an enabled rule is out of
// its schedule's window, in the ENABLED column and the JSON's schedule:
// a refuse rule whose duration ran out showed "yes" like one holding its
// listener down, so the operator could not tell whether the port was
// down. A rule waiting for start_after says so too; one in its window, or
// without a schedule, is a plain yes or no.
func TestFaultCLIListSchedule(t *testing.T) {
	t.Setenv("TLSGATE_ADMIN", "")
	t.Setenv("TLSGATE_ADMIN_TOKEN", "")
	clk := &stepClock{now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	f := newFaultEnvClock(t, "", clk.Now)
	e := f.engine
	for _, r := range []faults.Rule{
		{Name: "dd", Action: faults.ActRefuse, Listener: "web", Duration: faults.Duration(time.Minute)},
		{Name: "later", Action: faults.ActRefuse, Listener: "api", StartAfter: faults.Duration(time.Hour)},
		{Name: "window", Action: faults.ActReset, StartAfter: faults.Duration(time.Second), Duration: faults.Duration(2 * time.Hour)},
		{Name: "plain", Action: faults.ActReset},
		{Name: "off", Action: faults.ActReset, Duration: faults.Duration(time.Minute), Enabled: new(bool)},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(30 * time.Minute) // dd's and off's minute is over, later waits, window is in it

	f.checkEnabled(map[string]string{"dd": "yes (ended)", "later": "yes (waiting)", "window": "yes", "plain": "yes", "off": "no (ended)"})
	sts := f.statuses()
	wantJSON := map[string]string{"dd": faults.ScheduleEnded, "later": faults.ScheduleWaiting, "off": faults.ScheduleEnded}
	for _, st := range sts {
		if st.Schedule != wantJSON[st.Rule.Name] {
			t.Errorf("ls --json: %s schedule %q, want %q", st.Rule.Name, st.Schedule, wantJSON[st.Rule.Name])
		}
	}
}

// TestFaultCLIListSpent: a rule that has fired its max_fires times fires no
// more, and fault ls said "yes" as for one that still fires. It says
// "yes (spent N/N)" now, next to the schedule's word when both hold, and
// the JSON says "spent": true; fault reset refills the budget, and the
// rule is a plain yes again.
func TestFaultCLIListSpent(t *testing.T) {
	t.Setenv("TLSGATE_ADMIN", "")
	t.Setenv("TLSGATE_ADMIN_TOKEN", "")
	clk := &stepClock{now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	f := newFaultEnvClock(t, "", clk.Now)
	e := f.engine
	for _, r := range []faults.Rule{
		{Name: "twice", Action: faults.ActReset, MaxFires: 2},
		{Name: "thrice", Action: faults.ActReset, MaxFires: 3, Listener: "web"},
		{Name: "brief", Action: faults.ActReset, MaxFires: 1, Listener: "web", Duration: faults.Duration(time.Minute)},
		{Name: "off", Action: faults.ActReset, MaxFires: 1, Listener: "web", Enabled: new(bool)},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		e.Plan(faults.ConnInfo{Listener: "web", Index: uint64(i + 1), Plain: true})
	}
	clk.Add(30 * time.Minute) // brief's minute is over

	ls := func(want map[string]string, wantSpent map[string]bool) {
		t.Helper()
		f.checkEnabled(want)
		for _, st := range f.statuses() {
			if st.Spent != wantSpent[st.Rule.Name] {
				t.Errorf("ls --json: %s spent %v, want %v", st.Rule.Name, st.Spent, wantSpent[st.Rule.Name])
			}
		}
	}
	ls(map[string]string{"twice": "yes (spent 2/2)", "thrice": "yes", "brief": "yes (ended, spent 1/1)", "off": "no"},
		map[string]bool{"twice": true, "brief": true})
	if code, _, errText := f.run("reset"); code != 0 {
		t.Fatalf("reset: %d %s", code, errText)
	}
	ls(map[string]string{"twice": "yes", "thrice": "yes", "brief": "yes (ended)", "off": "no"}, nil)
}

// checkEnabled runs fault ls and checks each rule's ENABLED column
// against want, by rule name; every rule listed must be in want.
func (f *faultEnv) checkEnabled(want map[string]string) {
	f.t.Helper()
	code, out, errText := f.run("ls")
	if code != 0 {
		f.t.Fatalf("ls: %d %s", code, errText)
	}
	rows := strings.Split(strings.TrimSpace(out), "\n")[1:]
	if len(rows) != len(want) {
		f.t.Fatalf("ls: %q", out)
	}
	for _, row := range rows {
		name, rest, _ := strings.Cut(row, " ")
		if enabled := strings.TrimSpace(rest); !strings.HasPrefix(enabled, want[name]+"  ") {
			f.t.Errorf("ls row %q: ENABLED is not %q", row, want[name])
		}
	}
}

// statuses runs fault ls --json and decodes the rules' statuses.
func (f *faultEnv) statuses() []faults.RuleStatus {
	f.t.Helper()
	code, out, _ := f.run("ls", "--json")
	var sts []faults.RuleStatus
	if code != 0 || json.Unmarshal([]byte(out), &sts) != nil {
		f.t.Fatalf("ls --json: %d %q", code, out)
	}
	return sts
}

// stepClock is a clock the test moves on by hand, read from the engine's
// goroutines and the admin API's handlers.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

// Now is the clock's time.
func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock on by d.
func (c *stepClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

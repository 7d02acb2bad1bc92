package faultse2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// logLine is one JSON log entry; conn is set for connection events.
type logLine struct {
	Msg  string     `json:"msg"`
	Conn *connEvent `json:"conn"`
}

// connEvent holds the keys of bigiplog.Event this suite reads.
type connEvent struct {
	ID        uint64   `json:"id"`
	Listener  string   `json:"listener"`
	Route     string   `json:"route"`
	Client    string   `json:"client"`
	Diagnosis string   `json:"diagnosis"`
	OK        bool     `json:"ok"`
	SNI       string   `json:"sni"`
	ClientTLS legEvent `json:"client_tls"`
	BytesDown int64    `json:"bytes_down"`
	ClientSaw string   `json:"client_saw"`
	BigIP     []string `json:"bigip"`
	Cause     string   `json:"cause"`
	Checks    []string `json:"checks"`
	Summary   string   `json:"summary"`

	// Faults is "faults" in either form: the names of the rules that fired
	// (a list of strings), or the firings with their details (objects with
	// rule, action, stage, draw, symptom). FaultFirings is filled from the
	// objects, or from a separate "fault_firings" key.
	Faults       faultList `json:"faults"`
	FaultFirings []firing  `json:"fault_firings"`
	FaultApplied string    `json:"fault_applied"`

	raw string // the whole line, for failure messages
}

// legEvent is the shared shape of a TLS leg.
type legEvent = tg.Leg

// firing is one fired rule as the event details it.
type firing struct {
	Rule    string  `json:"rule"`
	Action  string  `json:"action"`
	Stage   string  `json:"stage"`
	Draw    float64 `json:"draw"`
	Symptom string  `json:"symptom"`
}

// faultList reads "faults" as names or as firing objects.
type faultList struct {
	names   []string
	firings []firing
}

func (f *faultList) UnmarshalJSON(b []byte) error {
	var names []string
	if err := json.Unmarshal(b, &names); err == nil {
		f.names = names
		return nil
	}
	if err := json.Unmarshal(b, &f.firings); err != nil {
		return err
	}
	for _, x := range f.firings {
		f.names = append(f.names, x.Rule)
	}
	return nil
}

// fired returns the names of the rules that fired.
func (e *connEvent) fired() []string { return e.Faults.names }

// firings returns the detailed firings when the event carries them.
func (e *connEvent) firings() []firing {
	if len(e.Faults.firings) > 0 {
		return e.Faults.firings
	}
	return e.FaultFirings
}

func (e *connEvent) String() string { return e.raw }

// lines parses the complete JSON lines logged since the gateway was ready.
func (g *gate) lines(t *testing.T) []logLine {
	t.Helper()
	out, raw := tg.JSONLines[logLine](t, g.TestLog(t))
	for i := range out {
		if out[i].Conn != nil {
			out[i].Conn.raw = raw[i]
		}
	}
	return out
}

// events returns the connection events of listener name, in log order.
func (g *gate) events(t *testing.T, name string) []*connEvent {
	t.Helper()
	var out []*connEvent
	for _, l := range g.lines(t) {
		if l.Conn != nil && l.Conn.Listener == name {
			out = append(out, l.Conn)
		}
	}
	return out
}

// waitEvents waits until listener name has at least n events and returns
// them all.
func (g *gate) waitEvents(t *testing.T, name string, n int) []*connEvent {
	t.Helper()
	deadline := time.Now().Add(tg.EventWait)
	for {
		evs := g.events(t, name)
		if len(evs) >= n {
			return evs
		}
		if time.Now().After(deadline) || g.Exited() {
			var seen []string
			for _, e := range evs {
				seen = append(seen, e.String())
			}
			t.Fatalf("listener %s: %d events, want %d:\n%s\nprocess output:\n%s",
				name, len(evs), n, strings.Join(seen, "\n"), g.Output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// nth waits for the n-th (1-based) event of listener name. Clients of one
// listener run one after another, each waiting for its event, so the n-th
// event is the n-th client's even when the client cannot know its port.
func (g *gate) nth(t *testing.T, name string, n int) *connEvent {
	t.Helper()
	return g.waitEvents(t, name, n)[n-1]
}

// wantFired checks that rule fired for the connection: its name in
// faults, with the firing's action, stage and symptom. For a stop (action
// non-empty) the route is fault_<action>, fault_applied names it, and the
// diagnosis says a fault was injected by that rule.
func wantFired(t *testing.T, e *connEvent, rule, stopAction string) {
	t.Helper()
	if !slices.Contains(e.fired(), rule) {
		t.Errorf("event does not list rule %q in faults %v: %s", rule, e.fired(), e)
		return
	}
	if f, ok := e.firing(rule); !ok || f.Action == "" || f.Stage == "" || f.Symptom == "" {
		t.Errorf("firing of %q lacks action, stage or symptom: %+v", rule, f)
	}
	if stopAction == "" {
		return
	}
	if e.Route != "fault_"+stopAction || e.FaultApplied != stopAction {
		t.Errorf("route %q fault_applied %q, want %q and %q: %s", e.Route, e.FaultApplied, "fault_"+stopAction, stopAction, e)
	}
	if e.Diagnosis != "fault_injected" || !strings.Contains(e.Summary, "injected by rule "+rule) {
		t.Errorf("diagnosis %q summary %q, want fault_injected naming rule %s", e.Diagnosis, e.Summary, rule)
	}
}

// firing returns the detailed firing of rule.
func (e *connEvent) firing(rule string) (firing, bool) {
	fs := e.firings()
	i := slices.IndexFunc(fs, func(f firing) bool { return f.Rule == rule })
	if i < 0 {
		return firing{}, false
	}
	return fs[i], true
}

// wantNotFired checks that no rule fired for the connection.
func wantNotFired(t *testing.T, e *connEvent) {
	t.Helper()
	if len(e.fired()) != 0 || strings.HasPrefix(e.Route, "fault_") {
		t.Errorf("faults %v fired (route %q), want none: %s", e.fired(), e.Route, e)
	}
}

package faults

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRefuseValidate: a refuse rule takes its listener, schedule and mode
// and nothing that would need bytes from the client, each refusal naming
// the field.
func TestRefuseValidate(t *testing.T) {
	p := 0.5
	tests := []struct {
		name  string
		r     Rule
		field string // "" = valid
	}{
		{"default mode", Rule{Name: "r", Action: ActRefuse}, ""},
		{"listener_down", Rule{Name: "r", Action: ActRefuse, Mode: ModeListenerDown, Listener: "web", Duration: Duration(time.Minute)}, ""},
		{"stage accept", Rule{Name: "r", Action: ActRefuse, Stage: StageAccept}, ""},
		{"syn_drop", Rule{Name: "r", Action: ActRefuse, Mode: ModeSynDrop, Listener: "web", Duration: Duration(time.Minute)}, ""},
		{"unknown mode", Rule{Name: "r", Action: ActRefuse, Mode: "rst_on_accept"}, "mode"},
		{"syn_drop sni", Rule{Name: "r", Action: ActRefuse, Mode: ModeSynDrop, SNI: "a.test"}, "sni"},
		{"syn_drop client", Rule{Name: "r", Action: ActRefuse, Mode: ModeSynDrop, Client: "10.0.0.0/8"}, "client"},
		{"syn_drop ja3", Rule{Name: "r", Action: ActRefuse, Mode: ModeSynDrop, JA3: "abc"}, "ja3"},
		{"syn_drop conn_first", Rule{Name: "r", Action: ActRefuse, Mode: ModeSynDrop, ConnFirst: 1}, "conn_first"},
		{"syn_drop probability", Rule{Name: "r", Action: ActRefuse, Mode: ModeSynDrop, Probability: &p}, "probability"},
		{"syn_drop max_fires", Rule{Name: "r", Action: ActRefuse, Mode: ModeSynDrop, MaxFires: 1}, "max_fires"},
		{"syn_drop stage client_hello", Rule{Name: "r", Action: ActRefuse, Mode: ModeSynDrop, Stage: StageClientHello}, "stage"},
		{"syn_drop on blackhole", Rule{Name: "r", Action: ActBlackhole, Mode: ModeSynDrop}, "mode"},
		{"stage client_hello", Rule{Name: "r", Action: ActRefuse, Stage: StageClientHello}, "stage"},
		{"sni", Rule{Name: "r", Action: ActRefuse, SNI: "a.test"}, "sni"},
		{"client", Rule{Name: "r", Action: ActRefuse, Client: "10.0.0.0/8"}, "client"},
		{"conn_every", Rule{Name: "r", Action: ActRefuse, ConnEvery: 2}, "conn_every"},
		{"probability", Rule{Name: "r", Action: ActRefuse, Probability: &p}, "probability"},
		{"max_fires", Rule{Name: "r", Action: ActRefuse, MaxFires: 1}, "max_fires"},
		{"direction", Rule{Name: "r", Action: ActRefuse, Direction: Both}, "direction"},
		{"mode on reset", Rule{Name: "r", Action: ActReset, Mode: ModeListenerDown}, "mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			var re *RuleError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("Validate = %v, want nil", err)
			case tt.field != "" && (!errors.As(err, &re) || re.Field != tt.field):
				t.Fatalf("Validate = %v, want an error on field %q", err, tt.field)
			}
		})
	}
}

// TestRefuseDown: Down follows the rule's listener, its enabled switch and
// its schedule, and says when to ask again; Plan never fires the rule,
// since no connection exists for it.
func TestRefuseDown(t *testing.T) {
	clk := newFakeClock()
	e := NewEngine(clk.Now)
	if _, down, next := e.Down("web", ""); down || !next.IsZero() {
		t.Fatalf("no rules: down %t next %v", down, next)
	}
	changed := e.Changed()
	if err := e.Add(Rule{Name: "web-down", Action: ActRefuse, Listener: "web",
		StartAfter: Duration(time.Second), Duration: Duration(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	default:
		t.Fatal("Add did not close the Changed channel")
	}
	start := clk.Now().Add(time.Second)
	if rule, down, next := e.Down("web", ""); down || rule != "" || !next.Equal(start) {
		t.Fatalf("before start_after: %q down %t next %v, want up until %v", rule, down, next, start)
	}
	clk.Advance(time.Second)
	if rule, down, next := e.Down("web", ""); !down || rule != "web-down" || !next.Equal(start.Add(time.Minute)) {
		t.Fatalf("in the window: %q down %t next %v", rule, down, next)
	}
	if _, down, _ := e.Down("api", ""); down {
		t.Fatal("a rule for listener web took api down")
	}
	if p := e.PlanAccept(ConnInfo{Listener: "web", Index: 1}); len(p.Firings()) != 0 {
		t.Fatalf("PlanAccept fired %v; a refuse rule has no connection to fire on", p.Firings())
	}
	changed = e.Changed()
	if err := e.SetEnabled("web-down", false); err != nil {
		t.Fatal(err)
	}
	<-changed
	if _, down, _ := e.Down("web", ""); down {
		t.Fatal("a disabled rule still holds the listener down")
	}
	if err := e.SetEnabled("web-down", true); err != nil {
		t.Fatal(err)
	}
	if !e.Took("web-down") {
		t.Fatal("Took of a rule that exists said it counted nothing")
	}
	if e.Took("gone") {
		t.Fatal("Took of a rule that does not exist said it counted")
	}
	if st := e.List()[0]; st.Fires != 1 || st.LastFire.IsZero() {
		t.Fatalf("after Took: fires %d last %v", st.Fires, st.LastFire)
	}
	clk.Advance(time.Minute)
	if _, down, next := e.Down("web", ""); down || !next.IsZero() {
		t.Fatalf("after duration: down %t next %v", down, next)
	}
	changed = e.Changed()
	if err := e.Remove("web-down"); err != nil {
		t.Fatal(err)
	}
	<-changed
	// A rule without a listener takes every listener down.
	if err := e.Add(Rule{Name: "all-down", Action: ActRefuse}); err != nil {
		t.Fatal(err)
	}
	if rule, down, _ := e.Down("api", ""); !down || rule != "all-down" {
		t.Fatalf("a rule without a listener: %q down %t", rule, down)
	}
}

// TestEngineAt: At waits on the engine's clock. An injected Clock's own At
// is used; an engine made from a now func alone waits the distance that
// clock gives, so a clock ahead of real time does not wait the gap.
func TestEngineAt(t *testing.T) {
	ahead := func() time.Time { return time.Now().Add(1000 * time.Hour) }
	e := NewEngine(ahead)
	select {
	case <-e.At(e.Now()): // the bound is a hang guard
	case <-time.After(20 * time.Second):
		t.Fatal("At(Now()) on a clock 1000h ahead did not fire: it waited in real time")
	}
	clk := &atClock{fakeClock: newFakeClock(), fired: make(chan time.Time, 1)}
	e = NewEngineClock(clk)
	if got := e.Now(); !got.Equal(clk.Now()) {
		t.Fatalf("Now() = %v, want the injected clock's %v", got, clk.Now())
	}
	want := clk.Now().Add(time.Hour)
	if c := e.At(want); c != (<-chan time.Time)(clk.fired) || !clk.asked.Equal(want) {
		t.Fatalf("At did not use the injected clock's At (asked %v)", clk.asked)
	}
}

// atClock is a fakeClock with an At that records its deadline.
type atClock struct {
	*fakeClock
	asked time.Time
	fired chan time.Time
}

func (c *atClock) At(t time.Time) <-chan time.Time { c.asked = t; return c.fired }

// TestRefuseSelectorReason: the refusal of a selector gives the real
// reason. A SYN does carry the client's address; a refuse rule cannot
// select by it because one listening socket serves every client.
func TestRefuseSelectorReason(t *testing.T) {
	p := 0.5
	tests := []struct {
		r         Rule
		want, not string
	}{
		{Rule{Name: "r", Action: ActRefuse, Client: "10.0.0.0/8"}, "one listening socket serves every client, so shutting it refuses them all", "carries no"},
		{Rule{Name: "r", Action: ActRefuse, SNI: "a.test"}, "carries no payload (no ClientHello), so it cannot select by sni", "serves every client"},
		{Rule{Name: "r", Action: ActRefuse, Probability: &p}, "every SYN is refused alike while the socket is shut", "carries no"},
	}
	for _, tt := range tests {
		err := tt.r.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.not) {
			t.Errorf("Validate = %v, want it to say %q and not %q", err, tt.want, tt.not)
		}
	}
}

// TestRefuseModes: an unknown mode's error names both modes, so the
// operator learns of syn_drop from a typo; RefuseMode reads each rule's
// mode, the default listener_down for a rule without one or one gone.
func TestRefuseModes(t *testing.T) {
	err := (&Rule{Name: "r", Action: ActRefuse, Mode: "drop"}).Validate()
	for _, want := range []string{`"drop"`, "listener_down", "syn_drop"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want it to name %s", err, want)
		}
	}
	e := NewEngine(newFakeClock().Now)
	for _, r := range []Rule{
		{Name: "rej", Action: ActRefuse},
		{Name: "drop", Action: ActRefuse, Mode: ModeSynDrop},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		rule string
		want Mode
	}{{"rej", ModeListenerDown}, {"drop", ModeSynDrop}, {"gone", ModeListenerDown}} {
		if got := e.RefuseMode(tt.rule); got != tt.want {
			t.Errorf("RefuseMode(%q) = %q, want %q", tt.rule, got, tt.want)
		}
	}
}

package admin

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/listener"
)

// TestObserveDownKeys pins a listener event's /events line: its keys are
// the stream's contract with scripts and the live view, so a change to
// them shows here.
func TestObserveDownKeys(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		ev   listener.DownEvent
		want string
	}{
		{"down", listener.DownEvent{Kind: listener.DownWent, Time: t0, Listener: "web", Listen: "127.0.0.1:8080", Rule: "blip",
			Holding: []faults.Hold{{Rule: "blip", Until: t0.Add(time.Minute)}}, Until: t0.Add(time.Minute), Downs: 1,
			Reason: "listener down: why", Symptom: "curl (7)", Check: "wait"},
			`{"level":"warn","ts":"2026-11-28T09:00:00Z","msg":"listener down: why","listener_event":{"event":"listener_down",` +
				`"listener":"web","listen":"127.0.0.1:8080","rule":"blip","holding":[{"rule":"blip","until":"2026-11-28T09:01:00Z"}],` +
				`"until":"2026-11-28T09:01:00Z","downs":1,"reason":"listener down: why","symptom":"curl (7)","check":"wait"}}`},
		{"still down", listener.DownEvent{Kind: listener.DownStill, Time: t0, Listener: "web", Listen: "127.0.0.1:8080", Rule: "b",
			Ended: "a", Holding: []faults.Hold{{Rule: "b"}}, Downs: 1, Reason: "stays", Symptom: "curl (7)", Check: "rm b"},
			`{"level":"warn","ts":"2026-11-28T09:00:00Z","msg":"stays","listener_event":{"event":"listener_still_down",` +
				`"listener":"web","listen":"127.0.0.1:8080","rule":"b","ended":"a","holding":[{"rule":"b"}],` +
				`"downs":1,"reason":"stays","symptom":"curl (7)","check":"rm b"}}`},
		{"up", listener.DownEvent{Kind: listener.DownUp, Time: t0.Add(90 * time.Second), Listener: "web", Listen: "127.0.0.1:8080",
			Rule: "blip", Since: t0, DownFor: 90 * time.Second, Downs: 1, Reason: "listener up: back"},
			`{"level":"info","ts":"2026-11-28T09:01:30Z","msg":"listener up: back","listener_event":{"event":"listener_up",` +
				`"listener":"web","listen":"127.0.0.1:8080","rule":"blip","holding":[],"since":"2026-11-28T09:00:00Z",` +
				`"down_for":"1m30s","down_ms":90000,"downs":1,"reason":"listener up: back"}}`},
		{"up failed", listener.DownEvent{Kind: listener.UpFailed, Time: t0, Listener: "web", Listen: "127.0.0.1:8080",
			Rule: "blip", Since: t0, Downs: 1, Reason: "could not listen", Symptom: "curl (7)", Err: "listener: listen: address already in use"},
			`{"level":"error","ts":"2026-11-28T09:00:00Z","msg":"could not listen","listener_event":{"event":"listener_up_failed",` +
				`"listener":"web","listen":"127.0.0.1:8080","rule":"blip","holding":[],"since":"2026-11-28T09:00:00Z",` +
				`"downs":1,"reason":"could not listen","symptom":"curl (7)","error":"listener: listen: address already in use"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAPI(t, Options{})
			a.srv.ObserveDown(tc.ev)
			evs := a.srv.Hub().Recent()
			if len(evs) != 1 {
				t.Fatalf("%d events, want 1", len(evs))
			}
			if got := string(evs[0].Line); got != tc.want {
				t.Errorf("line\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestFaultsHoldingDown: GET /faults names the listeners a refuse rule
// holds down now (holding_down), which fault ls and the live view show: a
// listener that is down is held by every refuse rule holding it, and one
// that is up (a rule out of its window, or its socket listening still) by
// none. The list said only enabled and the fire count, which reads the
// same for a rule whose listener is up again.
func TestFaultsHoldingDown(t *testing.T) {
	e := faults.NewEngine(fixedNow)
	for _, r := range []faults.Rule{
		{Name: "web-closed", Action: faults.ActRefuse, Listener: "web"},
		{Name: "all-closed", Action: faults.ActRefuse},
		{Name: "later", Action: faults.ActRefuse, StartAfter: faults.Duration(time.Hour)},
		{Name: "slow", Action: faults.ActLatency, Latency: faults.Duration(time.Second)},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	a := newAPI(t, Options{Engine: e, Listeners: func() []ListenerStats {
		return []ListenerStats{
			{Site: listener.Site{Name: "web"}, Down: true},
			{Site: listener.Site{Name: "api"}, Down: true},
			{Site: listener.Site{Name: "up"}},
		}
	}})
	want := map[string][]string{"web-closed": {"web"}, "all-closed": {"web", "api"}}
	for _, st := range a.list() {
		if got := st.HoldingDown; !slices.Equal(got, want[st.Rule.Name]) {
			t.Errorf("%s: holding_down %v, want %v", st.Rule.Name, got, want[st.Rule.Name])
		}
	}
	if r := a.do("GET", "/faults/all-closed", ""); !strings.Contains(r.body, `"holding_down":["web","api"]`) {
		t.Errorf("GET /faults/all-closed: %s", r.body)
	}
}

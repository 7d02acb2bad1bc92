//go:build linux

package listener

import (
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRefuseDownNamesEveryHolder: with two refuse rules holding a
// listener, the down line's check names both, since it listens again only
// when both have ended (it used to name the first alone, and removing it
// left the port refused), says when the one with a duration ends by
// itself, and adds --token where the admin API wants one (without it
// `tlsgate fault rm` gets HTTP 401), without printing the token.
func TestRefuseDownNamesEveryHolder(t *testing.T) {
	clock := &manualClock{now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	e := faults.NewEngineClock(clock)
	for _, r := range []faults.Rule{
		{Name: "first", Action: faults.ActRefuse, Listener: "web", Duration: faults.Duration(2 * time.Second)},
		{Name: "second", Action: faults.ActRefuse, Listener: "web"},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	h := startListenerDeps(t, Options{Name: "web", Mode: Plaintext, Backend: "127.0.0.1:9"}, func(d *Deps) {
		d.Faults, d.Now = e, clock.Now
		d.AdminURL = func() string { return "http://127.0.0.1:9001" }
		d.AdminToken = true
	})
	waitLog(t, h, "listener down")
	check, _ := h.logs.FilterMessageSnippet("listener down").All()[0].ContextMap()["check"].(string)
	for _, w := range []string{
		"every refuse rule holding it (first, second; it listens only when all have ended)",
		"tlsgate fault rm --admin http://127.0.0.1:9001 --token <[admin] token> first second",
		"first ends by itself at 2026-11-28T09:00:02Z (in 2s)",
	} {
		if !strings.Contains(check, w) {
			t.Errorf("check %q lacks %q", check, w)
		}
	}
}

// TestRefuseAdviceEnds: a single rule with a duration is advised that it
// ends by itself, and when, before how to end it sooner; one without is
// advised to be removed. Without an admin API the way is the config file.
func TestRefuseAdviceEnds(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	timed := []faults.Hold{{Rule: "blip", Until: now.Add(90 * time.Second)}}
	forever := []faults.Hold{{Rule: "closed"}}
	for _, tc := range []struct {
		name     string
		holds    []faults.Hold
		adminURL string
		token    bool
		want     string
	}{
		{"timed", timed, "http://127.0.0.1:9001", false,
			"blip ends by itself at 2026-11-28T09:01:30Z (in 1m30s), and the listener listens again then; to listen sooner, remove or disable it (tlsgate fault rm --admin http://127.0.0.1:9001 blip); connections already accepted are unaffected"},
		{"forever, token", forever, "http://127.0.0.1:9001", true,
			"remove or disable the rule closed (tlsgate fault rm --admin http://127.0.0.1:9001 --token <[admin] token> closed) to listen again; connections already accepted are unaffected"},
		{"timed, no admin API", timed, "", false,
			"blip ends by itself at 2026-11-28T09:01:30Z (in 1m30s), and the listener listens again then; to listen sooner, remove it from the config and restart tlsgate: this tlsgate has no admin API"},
		{"forever, no admin API", forever, "", false,
			"remove the rule closed from the config and restart tlsgate to listen again: this tlsgate has no admin API"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := upAdviceFor(tc.holds, tc.adminURL, tc.token, now); !strings.HasPrefix(got, tc.want) {
				t.Errorf("advice\n%s\nwant it to begin\n%s", got, tc.want)
			}
		})
	}
}

// TestRefuseAlsoHeld: a refuse rule added while another holds the
// listener down changes nothing on the socket, but the port now stays
// refused until it ends too: one line says so, naming it and the rule
// holding it, and it is no firing until it takes over. It used to be
// silent, and fault ls showed the rule with 0 fires and no line about it.
func TestRefuseAlsoHeld(t *testing.T) {
	e := faults.NewEngine(nil)
	if err := e.Add(faults.Rule{Name: "first", Action: faults.ActRefuse, Listener: "web"}); err != nil {
		t.Fatal(err)
	}
	h := startListenerDeps(t, Options{Name: "web", Mode: Plaintext, Backend: "127.0.0.1:9"},
		func(d *Deps) { d.Faults = e; d.AdminURL = func() string { return "http://127.0.0.1:9001" } })
	waitLog(t, h, "listener down")
	if err := e.Add(faults.Rule{Name: "second", Action: faults.ActRefuse, Listener: "web"}); err != nil {
		t.Fatal(err)
	}
	waitLog(t, h, "holds the listener too")
	l := h.logs.FilterMessageSnippet("holds the listener too").All()
	f := l[0].ContextMap()
	if f["rule"] != "second" || f["held_by"] != "first" || !strings.Contains(f["check"].(string), "fault rm --admin http://127.0.0.1:9001 first second") {
		t.Fatalf("line: %v, want rule second, held_by first and advice naming both", f)
	}
	for _, st := range e.List() {
		if want := map[string]int64{"first": 1, "second": 0}[st.Rule.Name]; st.Fires != want {
			t.Errorf("%s: %d fires, want %d", st.Rule.Name, st.Fires, want)
		}
	}
	// A change that adds no holder logs nothing more.
	if err := e.Add(faults.Rule{Name: "other", Action: faults.ActRefuse, Listener: "api"}); err != nil {
		t.Fatal(err)
	}
	if err := e.Remove("second"); err != nil {
		t.Fatal(err)
	}
	if err := e.Remove("first"); err != nil {
		t.Fatal(err)
	}
	waitLog(t, h, "listener up")
	if n := h.logs.FilterMessageSnippet("holds the listener too").Len(); n != 1 {
		t.Errorf("%d holds-down-too lines, want 1", n)
	}
	if n := h.logs.FilterMessageSnippet("listener down:").Len(); n != 1 {
		t.Errorf("%d down lines, want 1", n)
	}
}

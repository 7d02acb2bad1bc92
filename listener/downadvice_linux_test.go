//go:build linux

package listener

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRefuseDownAdvice: the down line's check says how to end the rule
// for this process. With an admin API it names `tlsgate fault rm` with
// that API's --admin; without one (no [admin] table) the rule came from
// the config, and `tlsgate fault rm` would reach nothing, or another
// instance on the default address: it says to remove the rule from the
// config and restart.
func TestRefuseDownAdvice(t *testing.T) {
	for _, tc := range []struct {
		name, adminURL string
		want, not      []string
	}{
		{"no admin API", "", []string{"remove the rule port-closed from the config and restart", "no admin API"}, []string{"tlsgate fault rm"}},
		{"admin API", "http://127.0.0.1:9001", []string{"tlsgate fault rm --admin http://127.0.0.1:9001 port-closed"}, []string{"config"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Add(faults.Rule{Name: "port-closed", Action: faults.ActRefuse, Listener: "web"}); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Name: "web", Mode: Plaintext, Backend: "127.0.0.1:9"},
				func(d *Deps) { d.Faults = e; d.AdminURL = func() string { return tc.adminURL } })
			waitLog(t, h, "listener down")
			check, _ := h.logs.FilterMessageSnippet("listener down").All()[0].ContextMap()["check"].(string)
			for _, w := range tc.want {
				if !strings.Contains(check, w) {
					t.Errorf("check %q lacks %q", check, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(check, n) {
					t.Errorf("check %q says %q", check, n)
				}
			}
		})
	}
}

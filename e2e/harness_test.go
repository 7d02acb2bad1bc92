package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
	"github.com/tlsgate/tlsgate/internal/heldport"
)

// spec is one [[listener]] (see tg.Listener).
type spec = tg.Listener

// gateConfig is what a test chooses; everything else (log file, CA dir,
// ports) the harness fills in.
type gateConfig struct {
	format    string // "json" (default) or "bigip"
	grace     string // [shutdown] grace; default "5s"
	admin     bool   // serve the admin API (metrics) on a loopback port
	listeners []spec
}

// gate is one running tlsgate subprocess; this suite adds its JSON event
// readers (events_test.go) and its stop check.
type gate struct{ *tg.Gate }

// startGate writes the config, starts tlsgate and waits until it serves.
// The process is killed at cleanup if the test did not stop it.
func startGate(t *testing.T, gc gateConfig) *gate {
	t.Helper()
	c := tg.Config{Bin: tlsgateBin, Format: gc.format, Grace: gc.grace, Admin: gc.admin, Listeners: gc.listeners}
	return &gate{tg.Start(t, c)}
}

// closedPort returns a loopback port where nothing listens and nothing
// will: its socket stays bound, without listen, so connecting gets a reset
// (connection refused).
func closedPort(t *testing.T) int {
	t.Helper()
	_, port := heldport.Refusing(t)
	return port
}

// blackholePort returns a loopback port whose accept queue is full, so a
// connect to it is never answered (the kernel drops its SYN): a backend
// behind a filtering firewall, without leaving loopback.
func blackholePort(t *testing.T) int {
	t.Helper()
	_, port := heldport.Unanswered(t)
	return port
}

// stop sends SIGTERM and checks the graceful exit: status 0 and the
// shutdown logged.
func (g *gate) stop(t *testing.T) {
	t.Helper()
	if g.Exited() {
		t.Fatalf("tlsgate exited before stop (%v):\n%s\n%s", g.Proc().State(), g.Output(), g.ReadLog(t))
	}
	g.Signal(t, syscall.SIGTERM)
	if code := g.Wait(t, tg.StopWait); code != 0 {
		t.Fatalf("tlsgate exit status %d after SIGTERM, want 0:\n%s", code, g.Output())
	}
	if !strings.Contains(g.ReadLog(t), "shutting down") {
		t.Errorf("log has no shutdown line:\n%s", g.ReadLog(t))
	}
}

// waitFor polls cond until it holds or the bounded wait runs out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tg.WaitFor(t, tg.EventWait, what, cond)
}

// waitMetrics polls the admin API's /metrics until it has every line of
// want and returns the last body read. The listener counts an outcome in
// the metrics (OnOutcome) after it logs the event, so a test that saw the
// event may read /metrics before the count; the bound is a hang guard.
func (g *gate) waitMetrics(t *testing.T, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(tg.EventWait)
	for {
		_, body, _, err := tg.Get("", "http://"+g.AdminAddr()+"/metrics", nil, clientTimeout)
		if err != nil {
			t.Fatalf("GET /metrics: %v", err)
		}
		var missing []string
		for _, w := range want {
			if !strings.Contains(string(body), w) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return string(body)
		}
		if time.Now().After(deadline) || g.Exited() {
			t.Fatalf("metrics lack, after %v:\n%s\nmetrics:\n%s", tg.EventWait, strings.Join(missing, "\n"), body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

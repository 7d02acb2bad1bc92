package faultse2e

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// spec is one [[listener]] (see tg.Listener).
type spec = tg.Listener

// rule is one [[fault]] table: the name and the TOML lines after it. The
// harness adds no selector; a case that wants its rule on one listener says
// listener = "…" itself (see onListener).
type rule struct {
	name string
	toml string
}

// gateConfig is what a test chooses; the harness fills in the log file, the
// CA dir and the ports.
type gateConfig struct {
	listeners []spec
	faults    []rule
	admin     bool // [admin] on a kernel-chosen loopback port
}

// gate is one running tlsgate subprocess; admin is its admin API
// "127.0.0.1:port", "" when off.
type gate struct {
	*tg.Gate
	admin string
}

// startGate writes the config, starts tlsgate and waits until it serves.
// The process is killed at cleanup if the test did not stop it.
func startGate(t *testing.T, gc gateConfig) *gate {
	t.Helper()
	c := tg.Config{Bin: tlsgateBin, Admin: gc.admin, Listeners: gc.listeners}
	var extra strings.Builder
	for _, f := range gc.faults {
		fmt.Fprintf(&extra, "\n[[fault]]\nname = %q\n%s", f.name, f.toml)
	}
	c.Extra = extra.String()
	g := tg.Start(t, c)
	return &gate{Gate: g, admin: g.AdminAddr()}
}

// port is the listen port of listener name, as a string for URLs.
func (g *gate) port(name string) string { return strconv.Itoa(g.Port(name)) }

// stop sends SIGTERM and checks the graceful exit and that nothing panicked.
func (g *gate) stop(t *testing.T) {
	t.Helper()
	g.alive(t)
	if err := g.Proc().Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	if code := g.Wait(t, tg.StopWait); code != 0 {
		t.Fatalf("tlsgate exit status %d after SIGTERM, want 0:\n%s", code, g.Output())
	}
}

// alive fails the test if the process has exited, panicked, or (built with
// -race) reported a data race.
func (g *gate) alive(t *testing.T) {
	t.Helper()
	g.Alive(t)
	if out := g.Output(); strings.Contains(out, "DATA RACE") {
		t.Fatalf("tlsgate panicked:\n%s", out)
	}
}

// onListener is the selector that keeps a rule to one listener, so one
// gateway can carry a case per listener.
func onListener(name, rest string) string {
	return fmt.Sprintf("listener = %q\n%s", name, rest)
}

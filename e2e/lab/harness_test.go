package labe2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// Bounded waits: they cap how long an eventual condition may take before a
// test gives up. No assertion depends on how fast anything is.
const (
	eventWait = 30 * time.Second
	runWait   = 60 * time.Second
)

// event is the part of a JSON connection event the tests read.
type event struct {
	Conn struct {
		ID        int      `json:"id"`
		Listener  string   `json:"listener"`
		Client    string   `json:"client"`
		Virtual   string   `json:"virtual"`
		Diagnosis string   `json:"diagnosis"`
		Summary   string   `json:"summary"`
		BigIP     []string `json:"bigip"`
		// Faults are rule names, or objects naming the rule, depending
		// on the log version; faultNames reads both.
		Faults []json.RawMessage `json:"faults"`
	} `json:"conn"`
}

func (e event) faultNames() []string {
	var out []string
	for _, raw := range e.Conn.Faults {
		var name string
		if json.Unmarshal(raw, &name) == nil {
			out = append(out, name)
			continue
		}
		var obj struct {
			Rule string `json:"rule"`
		}
		if json.Unmarshal(raw, &obj) == nil && obj.Rule != "" {
			out = append(out, obj.Rule)
		}
	}
	return out
}

// events are the connection events p logged so far for listener.
func events(t *testing.T, p *tg.Lab, listener string) []event {
	t.Helper()
	b, err := os.ReadFile(p.LogPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read events: %v", err)
	}
	var out []event
	// The writer may be mid-line (a batch of lines is one write, and a
	// reader can see part of it): a trailing fragment waits for a later read.
	for _, line := range tg.CompleteLines(string(b)) {
		if !strings.Contains(line, `"conn"`) {
			continue
		}
		var e event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("event is not JSON: %v\n%s", err, line)
		}
		if e.Conn.Listener == listener {
			out = append(out, e)
		}
	}
	return out
}

// waitEvent returns listener's n-th event (1-based), once p logged it.
func waitEvent(t *testing.T, p *tg.Lab, listener string, n int) event {
	t.Helper()
	deadline := time.Now().Add(eventWait)
	for {
		if evs := events(t, p, listener); len(evs) >= n {
			return evs[n-1]
		}
		if p.Proc.Exited() || time.Now().After(deadline) {
			b, _ := os.ReadFile(p.LogPath)
			t.Fatalf("no event %d for listener %s:\n%s\nstderr:\n%s", n, listener, b, p.Stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runShell runs a scenario command as a trainee would paste it, with this
// build of tlsgate first on PATH and no proxy settings inherited. It
// returns the combined output and the exit status.
func runShell(t *testing.T, cmdline string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runWait)
	defer cancel()
	c := exec.CommandContext(ctx, "sh", "-c", cmdline)
	c.Env = []string{"PATH=" + binDir + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "NO_PROXY=*", "LANG=C"}
	c.WaitDelay = 5 * time.Second
	out, err := c.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%q still running after %v:\n%s", cmdline, runWait, out)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	t.Fatalf("run %q: %v", cmdline, err)
	return "", -1
}

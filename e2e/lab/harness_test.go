package labe2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// Bounded waits: they cap how long an eventual condition may take before a
// test gives up. No assertion depends on how fast anything is.
const (
	startWait = 30 * time.Second
	eventWait = 30 * time.Second
	stopWait  = 20 * time.Second
	runWait   = 60 * time.Second
)

// readyLine is the last line `tlsgate lab` prints once every listener is
// bound.
const readyLine = "Ctrl-C stops."

// portBlocks hands out disjoint blocks of 100 loopback ports, one per lab
// process: a lab uses base+index for its scenario and base+98, base+99
// for its helpers. Parallel tests never share a block.
type portBlocks struct {
	mu   sync.Mutex
	next int
}

// Blocks stay below Linux's ephemeral range (32768 and up by default),
// where any outgoing connection on the machine may hold a port.
const (
	blocksFrom = 20000
	blocksTo   = 32700
)

func newPortBlocks() *portBlocks {
	// A random start keeps two test binaries running at once apart.
	return &portBlocks{next: blocksFrom + 100*rand.IntN((blocksTo-blocksFrom)/100)}
}

func (p *portBlocks) take() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next+100 > blocksTo {
		p.next = blocksFrom
	}
	base := p.next
	p.next += 100
	return base
}

// labProc is one running `tlsgate lab`.
type labProc struct {
	base    int
	caFile  string
	logPath string
	proc    *tg.Proc
	stdout  *tg.Buffer
	stderr  *tg.Buffer
}

// startLab runs `tlsgate lab` with JSON events in a temp dir and waits for
// its table. A port another process holds makes it retry on a new block.
func startLab(t *testing.T, blocks *portBlocks, args ...string) *labProc {
	t.Helper()
	dir := t.TempDir()
	var last string
	for attempt := 0; attempt < 5; attempt++ {
		p := &labProc{
			base:    blocks.take(),
			caFile:  filepath.Join(dir, "ca", "ca.pem"),
			logPath: filepath.Join(dir, fmt.Sprintf("events-%d.log", attempt)),
			stdout:  &tg.Buffer{},
			stderr:  &tg.Buffer{},
		}
		full := append([]string{"lab", "--base-port", strconv.Itoa(p.base), "--log-format", "json",
			"--log-file", p.logPath, "--ca-dir", filepath.Join(dir, "ca")}, args...)
		cmd := exec.Command(tlsgateBin, full...)
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
		p.proc = tg.StartProc(t, cmd)
		if p.waitReady(t) {
			return p
		}
		last = p.stdout.String() + p.stderr.String()
		if !strings.Contains(last, "address already in use") {
			break
		}
		t.Logf("port block %d busy, retrying: %s", p.base, strings.TrimSpace(last))
	}
	t.Fatalf("tlsgate lab did not start:\n%s", last)
	return nil
}

// waitReady reports whether the table appeared before the process exited.
func (p *labProc) waitReady(t *testing.T) bool {
	t.Helper()
	deadline := time.Now().Add(startWait)
	for !strings.Contains(p.stdout.String(), readyLine) {
		if p.exited() {
			return false
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate lab printed no table within %v:\n%s\n%s", startWait, p.stdout.String(), p.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func (p *labProc) exited() bool { return p.proc.Exited() }

// stop sends SIGTERM and checks a clean exit with no panic.
func (p *labProc) stop(t *testing.T) {
	t.Helper()
	if p.exited() {
		t.Fatalf("tlsgate lab exited early (%v):\n%s", p.proc.State(), p.stderr.String())
	}
	if err := p.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	code, ok := p.proc.WaitExit(stopWait)
	if !ok {
		t.Fatalf("tlsgate lab still running %v after SIGTERM", stopWait)
	}
	if code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0:\n%s", code, p.stderr.String())
	}
	if s := p.stderr.String(); strings.Contains(s, "panic:") || strings.Contains(s, "fatal error:") {
		t.Errorf("tlsgate lab panicked:\n%s", s)
	}
}

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

// events are the connection events logged so far for listener.
func (p *labProc) events(t *testing.T, listener string) []event {
	t.Helper()
	b, err := os.ReadFile(p.logPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read events: %v", err)
	}
	var out []event
	for _, line := range strings.Split(string(b), "\n") {
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

// waitEvent returns listener's n-th event (1-based), once logged.
func (p *labProc) waitEvent(t *testing.T, listener string, n int) event {
	t.Helper()
	deadline := time.Now().Add(eventWait)
	for {
		if evs := p.events(t, listener); len(evs) >= n {
			return evs[n-1]
		}
		if p.exited() || time.Now().After(deadline) {
			b, _ := os.ReadFile(p.logPath)
			t.Fatalf("no event %d for listener %s:\n%s\nstderr:\n%s", n, listener, b, p.stderr.String())
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

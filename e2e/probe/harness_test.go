package probee2e

import (
	"bytes"
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
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/lab"
)

// Bounded waits: how long a lab may take to bind, and a probe to finish,
// before the test gives up. No assertion depends on how fast anything is.
const (
	startWait = 30 * time.Second
	probeWait = 90 * time.Second
)

// readyLine is the last line `tlsgate lab` prints once every listener is
// bound.
const readyLine = "Ctrl-C stops."

// portBlocks hands out disjoint blocks of 100 loopback ports, one per lab
// process (base+index for the scenario, base+98 and base+99 for the
// helpers), below Linux's ephemeral range.
type portBlocks struct {
	mu   sync.Mutex
	next int
}

const (
	blocksFrom = 20000
	blocksTo   = 32700
)

func newPortBlocks() *portBlocks {
	// A random start keeps apart two test binaries that run at once.
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

// syncBuffer is a bytes.Buffer shared by the exec copier and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// labProc is one running `tlsgate lab --only NAME`.
type labProc struct {
	base   int
	caFile string
	cmd    *exec.Cmd
	out    *syncBuffer
	done   chan struct{}
}

// startLab runs one scenario and waits for its table; a port block that
// another process holds makes it retry on the next block.
func startLab(t *testing.T, blocks *portBlocks, name string) *labProc {
	t.Helper()
	dir := t.TempDir()
	var last string
	for attempt := 0; attempt < 5; attempt++ {
		p := &labProc{base: blocks.take(), caFile: filepath.Join(dir, "ca", "ca.pem"), out: &syncBuffer{}, done: make(chan struct{})}
		p.cmd = exec.Command(tlsgateBin, "lab", "--only", name, "--base-port", strconv.Itoa(p.base),
			"--ca-dir", filepath.Join(dir, "ca"), "--log-file", filepath.Join(dir, fmt.Sprintf("events-%d.log", attempt)))
		p.cmd.Dir = dir
		p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
		if err := p.cmd.Start(); err != nil {
			t.Fatalf("start tlsgate lab: %v", err)
		}
		go func() {
			_ = p.cmd.Wait()
			close(p.done)
		}()
		t.Cleanup(p.kill)
		if p.waitReady(t) {
			return p
		}
		last = p.out.String()
		if !strings.Contains(last, "address already in use") {
			break
		}
		t.Logf("port block %d busy, retrying", p.base)
	}
	t.Fatalf("tlsgate lab --only %s did not start:\n%s", name, last)
	return nil
}

// waitReady reports whether the table appeared before the process exited.
func (p *labProc) waitReady(t *testing.T) bool {
	t.Helper()
	deadline := time.Now().Add(startWait)
	for !strings.Contains(p.out.String(), readyLine) {
		select {
		case <-p.done:
			return false
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate lab printed no table within %v:\n%s", startWait, p.out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func (p *labProc) kill() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// report is the part of `tlsgate probe --json` the tests read.
type report struct {
	Target string `json:"target"`
	Lang   string `json:"lang"`
	Steps  []step `json:"steps"`
	Final  struct {
		Verdict string `json:"verdict"`
		Step    int    `json:"step"`
		Code    string `json:"code"`
		Summary string `json:"summary"`
		Cause   string `json:"cause"`
		Check   string `json:"check"`
	} `json:"final"`
}

type step struct {
	Number   int      `json:"step"`
	Name     string   `json:"name"`
	Verdict  string   `json:"verdict"`
	Code     string   `json:"code"`
	Finding  string   `json:"finding"`
	Cause    string   `json:"cause"`
	Check    string   `json:"check"`
	Evidence []string `json:"evidence"`
}

// codes lists the steps as "N:verdict:code", for failure messages.
func (r report) codes() string {
	var out []string
	for _, s := range r.Steps {
		out = append(out, fmt.Sprintf("%d:%s:%s", s.Number, s.Verdict, s.Code))
	}
	return strings.Join(out, " ")
}

// runProbe runs a scenario's probe command (its first word is tlsgate,
// this build) with extra arguments and returns the parsed JSON report, the
// raw output and the exit status.
func runProbe(t *testing.T, cmdline string, extra ...string) (report, string, int) {
	t.Helper()
	args := strings.Fields(cmdline)
	if len(args) < 2 || args[0] != "tlsgate" || args[1] != "probe" {
		t.Fatalf("probe command %q does not start with tlsgate probe", cmdline)
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeWait)
	defer cancel()
	c := exec.CommandContext(ctx, tlsgateBin, append(args[1:], extra...)...)
	c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "NO_PROXY=*"}
	c.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s still running after %v:\n%s", cmdline, probeWait, stdout.String())
	}
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", cmdline, err)
	}
	var rep report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("%s: output is not a JSON report: %v\nstdout:\n%s\nstderr:\n%s", cmdline, err, stdout.String(), stderr.String())
	}
	return rep, stdout.String() + stderr.String(), code
}

// vars fills a placed scenario's command templates.
func vars(p *labProc, index int) lab.Vars {
	return lab.Vars{Port: p.base + index, Origin: lab.OriginPort(p.base), CA: p.caFile}
}

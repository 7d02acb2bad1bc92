package probee2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
	"github.com/tlsgate/tlsgate/lab"
)

// Bounded wait: how long a probe may take to finish before the test gives
// up. No assertion depends on how fast anything is.
const probeWait = 90 * time.Second

// probeTimeout is the --timeout given to a probe whose scenario does not
// set its own. Only the stall scenarios (pmtud-blackhole, silent-drop) wait
// for the timeout, and their commands say --timeout 1s; in every other
// scenario each attempt ends on its own, and the probe's 3 s default only
// bounded how slow a loaded machine may be. Past it, a handshake through
// tlsgate (an inspect listener dials and verifies the origin and mints a
// leaf first) read as a stall, and that step's spurious pmtu_blackhole or
// large_hello_intolerance outranked the scenario's cause.
const probeTimeout = "30s"

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
	if !slices.ContainsFunc(args, func(a string) bool { return a == "--timeout" || strings.HasPrefix(a, "--timeout=") }) {
		extra = append([]string{"--timeout", probeTimeout}, extra...)
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
func vars(p *tg.Lab, index int) lab.Vars {
	return lab.Vars{Port: p.Base + index, Origin: lab.OriginPort(p.Base), CA: p.CAFile}
}

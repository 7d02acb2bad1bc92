// Package probee2e runs `tlsgate probe` against every lab scenario: the
// real tlsgate binary serves one scenario with `tlsgate lab --only NAME`,
// the same binary probes it with the scenario's probe command, and the
// report must name the scenario's cause (lab.Scenario.ExpectProbe).
package probee2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tlsgateBin is the binary TestMain builds; it is written before any test
// starts and only read afterwards.
var tlsgateBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tlsgate-probe-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e/probe: temp dir:", err)
		os.Exit(1)
	}
	tlsgateBin = filepath.Join(dir, "tlsgate")
	build := exec.Command("go", "build", "-o", tlsgateBin, "./cmd/tlsgate")
	build.Dir = filepath.Join("..", "..") // the module root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e/probe: go build ./cmd/tlsgate: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

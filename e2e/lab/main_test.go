// Package labe2e runs every lab scenario end to end: the real tlsgate
// binary started with `tlsgate lab --only NAME`, driven by the real client
// the scenario's Try command names (curl, openssl s_client, or tlsgate's
// own Go client), checked against the catalog's expected client symptom,
// diagnosis code, fault rules and BIG-IP lines.
package labe2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binDir holds the tlsgate binary TestMain builds; it goes first on the
// PATH of every Try command, so "tlsgate lab client" is this build.
var binDir string

// tlsgateBin is the binary in binDir. Both are written before any test
// starts and only read afterwards.
var tlsgateBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tlsgate-lab-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e/lab: temp dir:", err)
		os.Exit(1)
	}
	binDir = dir
	tlsgateBin = filepath.Join(dir, "tlsgate")
	build := exec.Command("go", "build", "-o", tlsgateBin, "./cmd/tlsgate")
	build.Dir = filepath.Join("..", "..") // the module root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e/lab: go build ./cmd/tlsgate: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// needTool fails the test when a client the scenarios are written for is
// missing: skipping would hide that the scenario never ran.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("e2e/lab: %s is required and was not found in PATH: %v", name, err)
	}
}

package e2e

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// update rewrites the golden files under testdata/ instead of comparing.
var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// tlsgateBin is the binary TestMain builds once per run. It is written
// before any test starts and only read afterwards.
var tlsgateBin string

// TestMain builds ./cmd/tlsgate from the module root once, so every test
// runs the same real binary a user would. Set E2E_RACE_BINARY=1 to build it
// with -race; a race it detects makes its exit status non-zero, which
// every test's final stop reports.
func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "tlsgate-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		os.Exit(1)
	}
	tlsgateBin = filepath.Join(dir, "tlsgate")
	args := []string{"build", "-o", tlsgateBin}
	if os.Getenv("E2E_RACE_BINARY") != "" {
		// Opt-in: a race-enabled tlsgate finds races in the listener under
		// real traffic, but doubles the suite's time on two cores.
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "./cmd/tlsgate")...)
	build.Dir = ".." // the module root, one level above this package
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/tlsgate: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// needTool returns the path of an external client. A missing tool fails the
// test: these are the clients the symptoms are documented for, and skipping
// would hide that the suite did not really run.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("e2e: %s is required for this test and was not found in PATH: %v", name, err)
	}
	return p
}

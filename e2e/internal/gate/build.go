package gate

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Build compiles ./cmd/tlsgate from moduleRoot into a fresh temp dir named
// after pattern, so a suite runs the same binary a user would. race adds
// -race: a race the binary detects then makes its exit status non-zero.
// It returns the binary's path and a cleanup that removes the temp dir.
func Build(moduleRoot, pattern string, race bool) (string, func(), error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", nil, fmt.Errorf("gate: temp dir: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	bin := filepath.Join(dir, "tlsgate")
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "./cmd/tlsgate")...)
	build.Dir = moduleRoot
	if out, err := build.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("gate: go build ./cmd/tlsgate in %s: %w\n%s", moduleRoot, err, out)
	}
	return bin, cleanup, nil
}

// RunMain builds the binary with Build, hands its path to use, runs the
// suite and returns the exit code for os.Exit. A failed build is reported
// on stderr under the suite's name and yields 1: no test can run without
// the binary.
func RunMain(m *testing.M, suite, moduleRoot, pattern string, race bool, use func(bin string)) int {
	bin, cleanup, err := Build(moduleRoot, pattern, race)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", suite, err)
		return 1
	}
	defer cleanup()
	use(bin)
	return m.Run()
}

// NeedTool returns the path of an external client. A missing tool fails
// the test rather than skipping it: the symptoms are documented for these
// clients, and a skip would hide that the suite did not really run.
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required for this test and was not found in PATH: %v", name, err)
	}
	return p
}

package ui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tlsgateBin is the binary TestMain builds once per run. It is written
// before any test starts and only read afterwards.
var tlsgateBin string

// chromiumPath is where Debian's chromium package installs its launcher.
const chromiumPath = "/usr/bin/chromium"

// TestMain builds ./cmd/tlsgate from the module root, so the test drives the
// same binary, with the same embedded page, that a trainer runs.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tlsgate-ui-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ui: temp dir:", err)
		os.Exit(1)
	}
	tlsgateBin = filepath.Join(dir, "tlsgate")
	build := exec.Command("go", "build", "-o", tlsgateBin, "./cmd/tlsgate")
	build.Dir = filepath.Join("..", "..") // the module root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "ui: go build ./cmd/tlsgate: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// needChromium fails the test when the browser is missing: skipping would
// hide that the live view was never tested. CI installs it (.ci/run).
func needChromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("ui: the live-view test needs Debian's headless Chromium at %s: install the apt package \"chromium\" (apt-get install chromium): %v", chromiumPath, err)
	}
	return chromiumPath
}

// needTool returns the path of an external client, failing the test when it
// is missing for the same reason.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("ui: %s is required (apt package %q) and was not found in PATH: %v", name, pkg, err)
	}
	return p
}

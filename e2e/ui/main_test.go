package ui

import (
	"os"
	"os/exec"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// tlsgateBin is the binary TestMain builds once per run. It is written
// before any test starts and only read afterwards.
var tlsgateBin string

// chromiumPath is where Debian's chromium package installs its launcher.
const chromiumPath = "/usr/bin/chromium"

// TestMain builds ./cmd/tlsgate from the module root, so the test drives the
// same binary, with the same embedded page, that a trainer runs.
func TestMain(m *testing.M) {
	os.Exit(tg.RunMain(m, "ui", "../..", "tlsgate-ui-bin-", false, func(bin string) { tlsgateBin = bin }))
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

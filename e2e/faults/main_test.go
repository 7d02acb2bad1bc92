// Package faultse2e drives the real tlsgate binary with [[fault]] rules and
// the admin API, and checks what real clients (curl, openssl s_client, Go
// crypto/tls and net/http, Python ssl) show against client-symptoms.md,
// next to the event tlsgate logs for the rule that fired. It has no
// non-test code and does not import the e2e package: each suite builds its
// own harness, so the two can change independently.
package faultse2e

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tlsgateBin is the binary TestMain builds once per run. It is written
// before any test starts and only read afterwards.
var tlsgateBin string

// TestMain builds ./cmd/tlsgate from the module root once, so every test
// runs the binary a user would. E2E_RACE_BINARY=1 builds it with -race;
// FAULTS_E2E_BINARY=/path runs that binary instead of building one.
func TestMain(m *testing.M) {
	flag.Parse()
	if bin := os.Getenv("FAULTS_E2E_BINARY"); bin != "" {
		tlsgateBin = bin
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "tlsgate-faults-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults e2e: temp dir:", err)
		os.Exit(1)
	}
	tlsgateBin = filepath.Join(dir, "tlsgate")
	args := []string{"build", "-o", tlsgateBin}
	if os.Getenv("E2E_RACE_BINARY") != "" {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "./cmd/tlsgate")...)
	build.Dir = filepath.Join("..", "..") // the module root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "faults e2e: go build ./cmd/tlsgate: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// needTool returns the path of an external client. A missing tool fails the
// test: these are the clients the symptoms are documented for.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("faults e2e: %s is required for this test and was not found in PATH: %v", name, err)
	}
	return p
}

// Package netns is the end-to-end test of transparent TLS interception
// (issue 3): a client, the tlsgate gateway and a real HTTPS server each live
// in their own network namespace, joined by veth pairs, and the client's
// curl never names tlsgate: iptables in the gateway namespace hands its
// connections to tlsgate, which decrypts them with a lab-CA leaf and
// re-encrypts them to the real server. The tests need root (ip netns,
// iptables); without it they skip. The package has no non-test code.
package netns

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tlsgateBin is the binary TestMain builds once per run; written before any
// test starts and only read afterwards.
var tlsgateBin string

// TestMain lets the test binary double as the real HTTPS server that runs
// inside the server namespace (re-executed through `ip netns exec`), and
// otherwise builds ./cmd/tlsgate once for every test.
func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	if os.Geteuid() != 0 {
		// Every test skips without root; building would only cost time.
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "tlsgate-netns-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "netns: temp dir:", err)
		os.Exit(1)
	}
	tlsgateBin = filepath.Join(dir, "tlsgate")
	build := exec.Command("go", "build", "-o", tlsgateBin, "./cmd/tlsgate")
	build.Dir = "../.." // the module root, two levels above this package
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "netns: go build ./cmd/tlsgate: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

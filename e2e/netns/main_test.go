// Package netns is the end-to-end test of transparent TLS interception
// (issue 3): a client, the tlsgate gateway and a real HTTPS server each live
// in their own network namespace, joined by veth pairs, and the client's
// curl never names tlsgate: iptables in the gateway namespace hands its
// connections to tlsgate, which decrypts them with a lab-CA leaf and
// re-encrypts them to the real server. The tests need root (ip netns,
// iptables); without it they skip. The package has no non-test code.
package netns

import (
	"os"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
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
	os.Exit(tg.RunMain(m, "netns", "../..", "tlsgate-netns-bin-", false, func(bin string) { tlsgateBin = bin }))
}

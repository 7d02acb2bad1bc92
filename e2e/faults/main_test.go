// Package faultse2e drives the real tlsgate binary with [[fault]] rules and
// the admin API, and checks what real clients (curl, openssl s_client, Go
// crypto/tls and net/http, Python ssl) show against client-symptoms.md,
// next to the event tlsgate logs for the rule that fired. It has no
// non-test code and does not import the e2e package: each suite builds its
// own harness, so the two can change independently.
package faultse2e

import (
	"flag"
	"os"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
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
	os.Exit(tg.RunMain(m, "faults e2e", "../..", "tlsgate-faults-e2e-", os.Getenv("E2E_RACE_BINARY") != "",
		func(bin string) { tlsgateBin = bin }))
}

// needTool returns the path of an external client; a missing one fails the
// test (see tg.NeedTool).
func needTool(t *testing.T, name string) string {
	t.Helper()
	return tg.NeedTool(t, name)
}

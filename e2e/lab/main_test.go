// Package labe2e runs every lab scenario end to end: the real tlsgate
// binary started with `tlsgate lab --only NAME`, driven by the real client
// the scenario's Try command names (curl, openssl s_client, or tlsgate's
// own Go client), checked against the catalog's expected client symptom,
// diagnosis code, fault rules and BIG-IP lines.
package labe2e

import (
	"os"
	"path/filepath"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// binDir holds the tlsgate binary TestMain builds; it goes first on the
// PATH of every Try command, so "tlsgate lab client" is this build.
var binDir string

// tlsgateBin is the binary in binDir. Both are written before any test
// starts and only read afterwards.
var tlsgateBin string

func TestMain(m *testing.M) {
	os.Exit(tg.RunMain(m, "e2e/lab", "../..", "tlsgate-lab-e2e-bin-", false, func(bin string) {
		tlsgateBin = bin
		binDir = filepath.Dir(bin)
	}))
}

// needTool fails the test when a client the scenarios are written for is
// missing: skipping would hide that the scenario never ran.
func needTool(t *testing.T, name string) {
	t.Helper()
	tg.NeedTool(t, name)
}

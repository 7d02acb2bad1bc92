package e2e

import (
	"flag"
	"os"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// update rewrites the golden files under testdata/ instead of comparing.
var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// tlsgateBin is the binary TestMain builds once per run. It is written
// before any test starts and only read afterwards.
var tlsgateBin string

// TestMain builds ./cmd/tlsgate from the module root once, so every test
// runs the same real binary a user would. Set E2E_RACE_BINARY=1 to build it
// with -race (opt-in: it finds races in the listener under real traffic but
// doubles the suite's time on two cores); a race it detects makes its exit
// status non-zero, which every test's final stop reports.
func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(tg.RunMain(m, "e2e", "..", "tlsgate-e2e-bin-", os.Getenv("E2E_RACE_BINARY") != "",
		func(bin string) { tlsgateBin = bin }))
}

// needTool returns the path of an external client; a missing one fails the
// test (see tg.NeedTool).
func needTool(t *testing.T, name string) string {
	t.Helper()
	return tg.NeedTool(t, name)
}

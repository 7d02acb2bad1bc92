// Package probee2e runs `tlsgate probe` against every lab scenario: the
// real tlsgate binary serves one scenario with `tlsgate lab --only NAME`,
// the same binary probes it with the scenario's probe command, and the
// report must name the scenario's cause (lab.Scenario.ExpectProbe).
package probee2e

import (
	"os"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// tlsgateBin is the binary TestMain builds; it is written before any test
// starts and only read afterwards.
var tlsgateBin string

func TestMain(m *testing.M) {
	os.Exit(tg.RunMain(m, "e2e/probe", "../..", "tlsgate-probe-e2e-bin-", false, func(bin string) { tlsgateBin = bin }))
}

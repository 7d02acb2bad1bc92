package probee2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
	"github.com/tlsgate/tlsgate/internal/heldport"
)

// TestProbeFailsWhenTheBackendIsDown probes a real tlsgate terminate
// listener whose backend port is closed, as a virtual server whose pool is
// down: every handshake works, then tlsgate resets the request
// (backend_refused) and curl exits 55 or 56. The probe used to report step
// 10 as a mere note and pass the server with exit status 0; it must fail,
// name the reset request and point at the pool, in English and Japanese.
func TestProbeFailsWhenTheBackendIsDown(t *testing.T) {
	t.Parallel()
	// Held for the test: a port let go could be taken by another test's
	// listener, and the "down" pool would answer.
	closed, _ := heldport.Refusing(t)
	g := tg.Start(t, tg.Config{Bin: tlsgateBin, Listeners: []tg.Listener{
		{Name: "pooldown", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", closed)},
	}})
	cmd := fmt.Sprintf("tlsgate probe %s --sni www.test --cacert %s", g.Addr("pooldown"), g.CAPEM())
	for _, tc := range []struct{ lang, finding, cause string }{
		{"en", "accepts TLS, then resets GET / without an HTTP answer", "pool or backend is likely down"},
		{"ja", "GET / に HTTP で応答せずに接続をリセットする", "プールかバックエンドがダウンしている"},
	} {
		rep, out, code := runProbe(t, cmd, "--json", "--lang", tc.lang)
		i := slices.IndexFunc(rep.Steps, func(st step) bool { return st.Number == 10 })
		if i < 0 {
			t.Fatalf("%s --lang %s: no step 10\n%s", cmd, tc.lang, out)
		}
		st := rep.Steps[i]
		if st.Verdict != "fail" || st.Code != "http_reset" || !strings.Contains(st.Finding, tc.finding) || st.Check == "" {
			t.Errorf("%s --lang %s: step 10 %s %s %q (check %q); want fail http_reset containing %q with a check",
				cmd, tc.lang, st.Verdict, st.Code, st.Finding, st.Check, tc.finding)
		}
		f := rep.Final
		if f.Verdict != "fail" || f.Code != "http_reset" || f.Step != 10 || !strings.Contains(f.Summary, tc.cause) {
			t.Errorf("%s --lang %s: final %s %s from step %d %q; want fail http_reset from step 10 containing %q; steps %s",
				cmd, tc.lang, f.Verdict, f.Code, f.Step, f.Summary, tc.cause, rep.codes())
		}
		if code != 1 {
			t.Errorf("%s --lang %s: exit status %d, want 1 (a failing probe)", cmd, tc.lang, code)
		}
		if t.Failed() {
			t.Logf("probe output:\n%s", out)
		}
	}
	if log := g.TestLog(t); !strings.Contains(log, "backend_refused") {
		t.Errorf("tlsgate logged no backend_refused for the probe's requests:\n%s", log)
	}
}

package probee2e

import (
	"slices"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
	"github.com/tlsgate/tlsgate/lab"
)

// TestProbeSNIRequiredIsAPolicy probes the sni-required scenario (a real
// tlsgate listener with client-ssl sni_require) by IP, as the failing
// client connects. Its refusal is alert 40 and any made-up name is served,
// so step 6 must blame the policy that requires SNI and point at the
// virtual server's SNI-required setting, in English and Japanese; it used
// to blame a missing default certificate (what alert 112 means) and advise
// giving the server one.
func TestProbeSNIRequiredIsAPolicy(t *testing.T) {
	t.Parallel()
	blocks := tg.NewPortBlocks()
	catalog := lab.Catalog()
	s, err := lab.Find(catalog, "sni-required")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(catalog, func(c lab.Scenario) bool { return c.Name == s.Name })
	p := tg.StartLab(t, blocks, tlsgateBin, "--only", s.Name)
	cmd := lab.Expand(s.ProbeCommand(), vars(p, i))
	for _, tc := range []struct{ lang, cause, check, wrong string }{
		{"en", "a policy requires SNI", "sni-require", "default certificate"},
		{"ja", "SNI を必須にするポリシー", "sni-require", "デフォルト証明書"},
	} {
		rep, out, _ := runProbe(t, cmd, "--json", "--lang", tc.lang)
		i := slices.IndexFunc(rep.Steps, func(st step) bool { return st.Number == 6 })
		if i < 0 {
			t.Fatalf("%s --lang %s: no step 6\n%s", cmd, tc.lang, out)
		}
		st := rep.Steps[i]
		if st.Code != "sni_required" || !strings.Contains(st.Cause, tc.cause) || !strings.Contains(st.Check, tc.check) ||
			strings.Contains(st.Cause+st.Check, tc.wrong) {
			t.Errorf("%s --lang %s: step 6 %s\ncause %q\ncheck %q\nwant the cause to say %q and the check %q, neither %q",
				cmd, tc.lang, st.Code, st.Cause, st.Check, tc.cause, tc.check, tc.wrong)
		}
		if rep.Final.Cause != st.Cause || rep.Final.Check != st.Check {
			t.Errorf("%s --lang %s: final verdict %q / %q, want step 6's cause and check", cmd, tc.lang, rep.Final.Cause, rep.Final.Check)
		}
	}
}

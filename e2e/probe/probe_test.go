package probee2e

import (
	"slices"
	"testing"
	"unicode"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
	"github.com/tlsgate/tlsgate/lab"
)

// TestProbeNamesEveryCause probes every catalog scenario with its own probe
// command and checks that the report names the scenario's cause: a step
// carries ExpectProbe, and when that step fails or warns it is also the
// final verdict. A scenario whose cause the probe cannot see from the
// client side (the client's own mistake) must say why in ProbeNote, and
// the probe must then find nothing wrong with the server.
func TestProbeNamesEveryCause(t *testing.T) {
	blocks := tg.NewPortBlocks()
	for i, s := range lab.Catalog() {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			p := tg.StartLab(t, blocks, tlsgateBin, "--only", s.Name)
			cmd := lab.Expand(s.ProbeCommand(), vars(p, i))
			rep, out, code := runProbe(t, cmd, "--json")
			if len(rep.Steps) != 10 {
				t.Fatalf("%s: %d steps, want all 10:\n%s", cmd, len(rep.Steps), out)
			}
			// The exit status follows the verdict: 1 when a step failed.
			if want := map[bool]int{true: 1, false: 0}[rep.Final.Verdict == "fail"]; code != want {
				t.Errorf("%s: exit status %d with final verdict %s, want %d", cmd, code, rep.Final.Verdict, want)
			}
			i := slices.IndexFunc(rep.Steps, func(st step) bool { return st.Code == s.ExpectProbe })
			if i < 0 {
				t.Fatalf("%s: no step reports %q; got %s\nfinal: %s %s: %s\n%s", cmd, s.ExpectProbe, rep.codes(), rep.Final.Verdict, rep.Final.Code, rep.Final.Summary, out)
			}
			named := rep.Steps[i]
			switch named.Verdict {
			case "fail", "warn":
				if rep.Final.Code != s.ExpectProbe || rep.Final.Step != named.Number || rep.Final.Verdict != named.Verdict {
					t.Errorf("%s: step %d names %q, but the final verdict is %s %q from step %d (%s); steps %s",
						cmd, named.Number, s.ExpectProbe, rep.Final.Verdict, rep.Final.Code, rep.Final.Step, rep.Final.Summary, rep.codes())
				}
				if named.Cause == "" || named.Check == "" || rep.Final.Cause == "" || rep.Final.Check == "" {
					t.Errorf("%s: the cause is named without a likely cause or a first check: %+v", cmd, named)
				}
			default:
				if s.ProbeNote.EN == "" {
					t.Errorf("%s: %q is a %s step; a scenario the probe cannot see needs a ProbeNote saying why", cmd, s.ExpectProbe, named.Verdict)
				}
				if rep.Final.Verdict != "pass" {
					t.Errorf("%s: the probe should find the server fine, got %s %q (%s); steps %s", cmd, rep.Final.Verdict, rep.Final.Code, rep.Final.Summary, rep.codes())
				}
			}
			if t.Failed() {
				t.Logf("probe output:\n%s", out)
			}
		})
	}
}

// TestProbeJapanese probes a few scenarios in Japanese: the codes are the
// English run's, and the sentences for people are Japanese.
func TestProbeJapanese(t *testing.T) {
	blocks := tg.NewPortBlocks()
	catalog := lab.Catalog()
	for _, name := range []string{"incomplete-chain", "pmtud-blackhole", "waf-block-page"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := lab.Find(catalog, name)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(catalog, func(c lab.Scenario) bool { return c.Name == name })
			p := tg.StartLab(t, blocks, tlsgateBin, "--only", name)
			cmd := lab.Expand(s.ProbeCommand(), vars(p, i))
			rep, out, _ := runProbe(t, cmd, "--json", "--lang", "ja")
			if rep.Lang != "ja" || rep.Final.Code != s.ExpectProbe {
				t.Fatalf("%s --lang ja: lang %q, final %q; want ja, %q\n%s", cmd, rep.Lang, rep.Final.Code, s.ExpectProbe, out)
			}
			for _, text := range []string{rep.Final.Summary, rep.Final.Cause, rep.Final.Check} {
				if !japanese(text) {
					t.Errorf("%s --lang ja: %q is not Japanese", cmd, text)
				}
			}
			for _, st := range rep.Steps {
				if !japanese(st.Finding) {
					t.Errorf("step %d finding %q is not Japanese", st.Number, st.Finding)
				}
				for _, ev := range st.Evidence {
					if japanese(ev) {
						t.Errorf("step %d evidence %q was translated; evidence stays as captured", st.Number, ev)
					}
				}
			}
		})
	}
}

func japanese(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

package lab

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// update rewrites docs/scenarios*.md instead of comparing.
var update = flag.Bool("update", false, "rewrite docs/scenarios.md and docs/scenarios.ja.md from the catalog")

// docs are the generated pages, per language, relative to this package.
func docs() map[string]string {
	return map[string]string{
		"en": filepath.Join("..", "docs", "scenarios.md"),
		"ja": filepath.Join("..", "docs", "scenarios.ja.md"),
	}
}

// TestDocsUpToDate is CI's staleness check: the committed pages are exactly
// what `tlsgate lab --markdown` prints for the current catalog.
func TestDocsUpToDate(t *testing.T) {
	for lang, path := range docs() {
		want := Markdown(Catalog(), lang)
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (generate it: go test ./lab -update)", err)
		}
		if string(got) != want {
			t.Errorf("%s is stale: regenerate it with `go test ./lab -update` (or `tlsgate lab --markdown --lang %s > %s`)\n%s",
				path, lang, strings.TrimPrefix(path, "../"), firstDiff(string(got), want))
		}
	}
}

// firstDiff shows the first differing line, so a stale page says where.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n file: " + gl + "\n want: " + wl
		}
	}
	return ""
}

func TestMarkdownContents(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		md := Markdown(Catalog(), lang)
		for i, s := range Catalog() {
			code := "`" + s.ExpectCode + "`"
			if s.ExpectDown {
				code = "(`listener down`, rule `" + s.Faults[0].Name + "`)"
				if lang == "ja" {
					code = "（`listener down`、ルール `" + s.Faults[0].Name + "`）"
				}
			}
			for _, want := range []string{
				"\n### " + s.Name + "\n",
				"`tlsgate lab --only " + s.Name + "`",
				code,
				"`" + s.ExpectProbe + "`",
				s.ProbeNote.In(lang),
				Expand(s.BigIPNote.In(lang), Vars{Origin: OriginPort(DefaultBasePort)}),
				Expand(s.ProbeCommand(), Vars{Port: DefaultBasePort + i, Origin: OriginPort(DefaultBasePort), CA: "tlsgate-ca/ca.pem"}),
				s.Title.In(lang),
				Expand(s.Fix.In(lang), Vars{Port: DefaultBasePort + i, Origin: OriginPort(DefaultBasePort), CA: "tlsgate-ca/ca.pem"}),
				Expand(s.Try, Vars{Port: DefaultBasePort + i, Origin: OriginPort(DefaultBasePort), CA: "tlsgate-ca/ca.pem"}),
			} {
				if !strings.Contains(md, want) {
					t.Errorf("%s page lacks %q for %s", lang, want, s.Name)
				}
			}
			for _, l := range s.BigIPLines(docClient, addr(DefaultBasePort+i)) {
				if !strings.Contains(md, "bigip1 warning tmm1[11526]: "+l+"\n") {
					t.Errorf("%s page lacks the ltm line %q for %s", lang, l, s.Name)
				}
			}
		}
	}
}

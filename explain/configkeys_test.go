package explain

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// configKeys reads the keys config.toml documents (every key is documented
// there, commented out or not), as "table.key" and as the bare key.
func configKeys(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	header := regexp.MustCompile(`^#?\s*\[\[?([a-z_.]+)\]\]?\s*$`)
	keyRE := regexp.MustCompile(`^#?\s*([a-z_]+) = `)
	keys, table := map[string]bool{}, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := header.FindStringSubmatch(line); m != nil {
			table = m[1]
			continue
		}
		if m := keyRE.FindStringSubmatch(line); m != nil {
			keys[table+"."+m[1]], keys[m[1]] = true, true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !keys["listener.server_ssl.ca"] || !keys["listener.client_ssl.cert"] {
		t.Fatalf("config.toml parsed badly: %v", keys)
	}
	return keys
}

// textLiterals is every string literal of the package's non-test files:
// the knowledge, the phrases and the line texts in both languages.
func textLiterals(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out[name] = append(out[name], s)
				}
			}
			return true
		})
	}
	return out
}

// TestTextsNameRealConfigKeys keeps the advice honest: a check that tells
// an operator to set server_ssl.ca_file, a key that does not exist, sends
// them to a config error instead of a fix.
func TestTextsNameRealConfigKeys(t *testing.T) {
	keys := configKeys(t)
	profile := regexp.MustCompile(`\b(client_ssl|server_ssl)[ .]([a-z]+(?:_[a-z]+)*)\b`)
	assign := regexp.MustCompile(`\b([a-z]+(?:_[a-z]+)+) = `)
	fileKey := regexp.MustCompile(`\b[a-z]+_file\b`)
	for name, lits := range textLiterals(t) {
		for _, s := range lits {
			for _, m := range profile.FindAllStringSubmatch(s, -1) {
				// "server_ssl settings" is prose; a snake_case word or a
				// short key after the table name must be a key of it.
				if !strings.Contains(m[2], "_") && !keys["listener."+m[1]+"."+m[2]] && m[0][len(m[1])] == ' ' {
					continue
				}
				if !keys["listener."+m[1]+"."+m[2]] {
					t.Errorf("%s: %q names no key of [listener.%s]: %q", name, m[0], m[1], s)
				}
			}
			for _, m := range assign.FindAllStringSubmatch(s, -1) {
				if !keys[m[1]] {
					t.Errorf("%s: %q sets no key config.toml documents: %q", name, m[0], s)
				}
			}
			for _, m := range fileKey.FindAllString(s, -1) {
				if !keys[m] {
					t.Errorf("%s: %q is no config key: %q", name, m, s)
				}
			}
		}
	}
}

package probe

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps probe's promise: the standard library plus sniff (for
// parsing and naming), explain (for alert and version names), pki (a leaf:
// the OCSP leeway clients allow, which tlsgate's ocsp_times rules share)
// and x/crypto/ocsp (for the staple), nothing that logs, configures or
// listens.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// x/crypto/ocsp only parses: step 7 reads the stapled response's times.
	allowed := map[string]bool{"github.com/tlsgate/tlsgate/sniff": true, "github.com/tlsgate/tlsgate/explain": true,
		"github.com/tlsgate/tlsgate/pki": true, "golang.org/x/crypto/ocsp": true}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.Split(path, "/")[0], ".") && !allowed[path] {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}

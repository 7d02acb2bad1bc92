package bigiplog

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps bigiplog a renderer (DESIGN.md): explain and sniff for
// types, zap's encoder layer, and the standard library.
func TestImports(t *testing.T) {
	allowed := map[string]bool{
		"github.com/tlsgate/tlsgate/explain": true,
		"github.com/tlsgate/tlsgate/sniff":   true,
		"go.uber.org/zap/zapcore":            true,
		"go.uber.org/zap/buffer":             true, // zapcore.Encoder returns *buffer.Buffer
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
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
			stdlib := !strings.Contains(strings.Split(path, "/")[0], ".")
			if !stdlib && !allowed[path] {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}

package httpflow

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeafPackage enforces DESIGN.md: httpflow sits on the listener's data
// path and imports only the standard library, never zap, toml or another
// tlsgate package.
func TestLeafPackage(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var self bool
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/tlsgate/tlsgate/httpflow" {
			self = true
			continue
		}
		t.Errorf("httpflow depends on %s; only the standard library is allowed", dep)
	}
	if !self {
		t.Errorf("go list output does not include the package itself:\n%s", out)
	}
}

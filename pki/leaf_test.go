package pki

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeafPackage enforces DESIGN.md: pki is a leaf, so it imports only the
// standard library (no zap, no toml, no other tlsgate package).
func TestLeafPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != "github.com/tlsgate/tlsgate/pki" {
			t.Errorf("pki depends on %s; it must stay a stdlib-only leaf", dep)
		}
	}
}

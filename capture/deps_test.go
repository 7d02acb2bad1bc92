package capture

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeafPackage enforces DESIGN.md: capture is a leaf that imports only
// the standard library, never zap, toml or another tlsgate package, so the
// listener can wire it in without an import cycle.
func TestLeafPackage(t *testing.T) {
	goBin := requireTool(t, "go", "golang")
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var self bool
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/tlsgate/tlsgate/capture" {
			self = true
			continue
		}
		t.Errorf("capture depends on %s; only the standard library is allowed", dep)
	}
	if !self {
		t.Errorf("go list output does not include the package itself:\n%s", out)
	}
}

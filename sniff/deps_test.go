package sniff

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeafPackage enforces DESIGN.md: sniff is a leaf that imports only the
// standard library and x/crypto/cryptobyte, never zap, toml or another
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
		switch {
		case dep == "github.com/tlsgate/tlsgate/sniff":
			self = true
		case strings.HasPrefix(dep, "golang.org/x/crypto/cryptobyte"):
		default:
			t.Errorf("sniff depends on %s; only the standard library and x/crypto/cryptobyte are allowed", dep)
		}
	}
	if !self {
		t.Errorf("go list output does not include the package itself:\n%s", out)
	}
}

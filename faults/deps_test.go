package faults

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports enforces DESIGN.md: faults may import sniff and pki (for
// their types) and the standard library, never zap, toml, a logger or the
// packages above it.
func TestImports(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "github.com/tlsgate/tlsgate/faults",
			dep == "github.com/tlsgate/tlsgate/sniff",
			dep == "github.com/tlsgate/tlsgate/pki",
			strings.HasPrefix(dep, "golang.org/x/crypto/"),
			// x/crypto's chacha20poly1305, which reseals a TLS 1.3 alert
			// (records13.go), picks its code by CPU feature.
			dep == "golang.org/x/sys/cpu":
		default:
			t.Errorf("faults depends on %s; only the standard library, sniff, pki and x/crypto are allowed", dep)
		}
	}
}

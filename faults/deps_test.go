package faults

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports enforces DESIGN.md: faults may import sniff and pki (for
// their types and the OCSP leeway) and the standard library, never zap,
// toml, a logger or the packages above it. What pki itself needs (its
// PKCS#12 export) comes with it: pki's own test keeps that in bounds.
func TestImports(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	deps := func(pkg string) []string {
		out, err := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		return strings.Fields(string(out))
	}
	viaPKI := map[string]bool{}
	for _, dep := range deps("github.com/tlsgate/tlsgate/pki") {
		viaPKI[dep] = true
	}
	for _, dep := range deps(".") {
		switch {
		case dep == "github.com/tlsgate/tlsgate/faults",
			dep == "github.com/tlsgate/tlsgate/sniff",
			viaPKI[dep],
			strings.HasPrefix(dep, "golang.org/x/crypto/"),
			// x/crypto's chacha20poly1305, which reseals a TLS 1.3 alert
			// (records13.go), picks its code by CPU feature.
			dep == "golang.org/x/sys/cpu":
		default:
			t.Errorf("faults depends on %s; only the standard library, sniff, pki (with its own dependencies) and x/crypto are allowed", dep)
		}
	}
}

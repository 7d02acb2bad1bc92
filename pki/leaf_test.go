package pki

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeafPackage enforces DESIGN.md: pki is a leaf, so it imports no zap,
// no toml and no other tlsgate package. Its one third-party import is the
// PKCS#12 encoder behind CA.CertP12 (the standard library and x/crypto
// only decode PKCS#12), with that module's own x/crypto dependency.
func TestLeafPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := []string{
		"github.com/tlsgate/tlsgate/pki",
		"software.sslmate.com/src/go-pkcs12",
		"golang.org/x/crypto/",
	}
	for _, dep := range strings.Fields(string(out)) {
		ok := false
		for _, a := range allowed {
			ok = ok || dep == a || strings.HasPrefix(dep, strings.TrimSuffix(a, "/")+"/")
		}
		if !ok {
			t.Errorf("pki depends on %s; it must stay a leaf (stdlib plus go-pkcs12)", dep)
		}
	}
}

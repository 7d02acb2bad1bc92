package fastpath

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports: of tlsgate's packages fastpath imports only upstream, the
// leaf that sizes what both relays keep of their reads (Result's heads and
// last read), so that the two engines cannot drift apart. What the bytes
// mean is the listener's to decide, for both engines.
func TestImports(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := map[string]bool{
		"github.com/tlsgate/tlsgate/fastpath": true,
		"github.com/tlsgate/tlsgate/upstream": true,
		"github.com/pires/go-proxyproto":      true, // upstream's own
	}
	var self bool
	for _, dep := range strings.Fields(string(out)) {
		self = self || dep == "github.com/tlsgate/tlsgate/fastpath"
		if !allowed[dep] {
			t.Errorf("fastpath depends on %s; besides the standard library it may import only upstream", dep)
		}
	}
	if !self {
		t.Errorf("go list output does not include the package itself:\n%s", out)
	}
}

package transparent

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeafPackage enforces the leaf rule of DESIGN.md: transparent imports
// only the standard library (golang.org/x/sys/unix would also be allowed),
// never zap, toml or another tlsgate package, so the listener can take its
// lookups as injected funcs.
func TestLeafPackage(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	for _, goos := range []string{"linux", "darwin", "windows"} {
		cmd := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
		cmd.Env = append(cmd.Environ(), "GOOS="+goos)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list (GOOS=%s): %v\n%s", goos, err, out)
		}
		var self bool
		for _, dep := range strings.Fields(string(out)) {
			switch {
			case dep == "github.com/tlsgate/tlsgate/transparent":
				self = true
			case dep == "golang.org/x/sys/unix":
			default:
				t.Errorf("GOOS=%s: transparent depends on %s; only the standard library and golang.org/x/sys/unix are allowed", goos, dep)
			}
		}
		if !self {
			t.Errorf("GOOS=%s: go list output does not include the package itself:\n%s", goos, out)
		}
	}
}

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestComposeLab checks the docker-compose lab without a Docker engine
// (none runs on the build machines): the file must validate, and the image
// must be built by the same build step CI runs, so the lab runs what CI
// tested.
func TestComposeLab(t *testing.T) {
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Fatal("docker-compose is needed to validate docker-compose.yml (apt-get install docker-compose)")
	}
	root := filepath.Join("..")
	cmd := exec.Command(bin, "-f", "docker-compose.yml", "config", "-q")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker-compose config -q: %v\n%s", err, out)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	dockerfile, testScript, compose := read("Dockerfile"), read("scripts/test.sh"), read("docker-compose.yml")
	const step = "./scripts/build.sh"
	if !strings.Contains(dockerfile, "RUN "+step) {
		t.Errorf("Dockerfile does not build with %s, the step CI uses", step)
	}
	if !strings.Contains(testScript, step) {
		t.Errorf("scripts/test.sh does not run %s, so CI and the image could build differently", step)
	}
	if !strings.Contains(dockerfile, "COPY config.toml ") {
		t.Error("the image does not ship config.toml")
	}
	for _, svc := range []string{"tlsgate:", "backend:", "client:"} {
		if !strings.Contains(compose, "\n  "+svc) {
			t.Errorf("docker-compose.yml has no %s service", strings.TrimSuffix(svc, ":"))
		}
	}
}

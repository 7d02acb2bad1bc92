package transparent

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// commandTimeout bounds each command the real environment runs: iptables
// can wait on the xtables lock indefinitely.
const commandTimeout = 10 * time.Second

// SystemEnv reads the real host: commands through os/exec (bounded by a
// timeout; stderr goes into the error), files from the file system.
func SystemEnv() DoctorEnv {
	return DoctorEnv{
		Run: func(name string, args ...string) (string, error) {
			ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, name, args...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				// Multi-line stderr ("Error: …\nDump terminated") reads as
				// one clause in a check's detail.
				if msg := strings.Join(strings.Fields(strings.ReplaceAll(stderr.String(), "\n", " / ")), " "); msg != "" {
					return string(out), fmt.Errorf("%w: %s", err, msg)
				}
				return string(out), err
			}
			return string(out), nil
		},
		ReadFile: func(path string) (string, error) {
			b, err := os.ReadFile(path)
			return string(b), err
		},
		Glob: filepath.Glob,
	}
}

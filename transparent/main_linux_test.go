package transparent

import (
	"os"
	"testing"
)

// TestMain lets the test binary double as the helper that the netns tests
// run inside a namespace with `ip netns exec`: a listener must live in the
// gateway's network namespace and a client in the client's.
func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	os.Exit(m.Run())
}

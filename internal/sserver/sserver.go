// Package sserver starts `openssl s_server` for tests on a port the kernel
// chooses and returns the address it printed. A port chosen by the test
// and handed over was free only until someone bound it: another test's
// listener could take it first, s_server then exited on "Address already
// in use", and a dial that served as the readiness check reached that
// other listener (session 19's flake). s_server prints "ACCEPT host:port"
// after listen(2), so from then on the address reaches it and no other.
package sserver

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// StartWait bounds the wait for the ACCEPT line: a hang guard for a
// loaded machine, not a timing under test.
const StartWait = 20 * time.Second

// Start runs bin with args (an s_server whose -accept names port 0; not
// -quiet, which silences the line), stops it when the test ends, and
// returns the address of its "ACCEPT host:port" line. The error carries
// s_server's output when it exits first or prints no such line in time.
func Start(t testing.TB, bin string, args ...string) (string, error) {
	t.Helper()
	out := &buffer{}
	cmd := exec.Command(bin, args...)
	// Not an *os.File: exec copies the output through a pipe of its own
	// and drains it until s_server exits, so it never blocks writing.
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s: %w", bin, err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	deadline := time.Now().Add(StartWait)
	for {
		// Exited before the read: Wait returns once the output is
		// copied, so a line printed before the exit is seen.
		var exited bool
		select {
		case <-done:
			exited = true
		default:
		}
		if addr, ok := AcceptAddr(out.String()); ok {
			return addr, nil
		}
		if exited {
			return "", fmt.Errorf("openssl %s exited (%v) before its ACCEPT line:\n%s", strings.Join(args, " "), waitErr, out)
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("openssl %s printed no ACCEPT line within %v:\n%s", strings.Join(args, " "), StartWait, out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// AcceptAddr finds s_server's "ACCEPT 127.0.0.1:port" (or "[::1]:port")
// line in out, among its whole lines (one still being written does not
// count). A bare "ACCEPT", printed for a port given on the command line,
// names no address, and neither does port 0.
func AcceptAddr(out string) (string, bool) {
	lines := strings.Split(out, "\n")
	for _, line := range lines[:len(lines)-1] {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "ACCEPT ")
		if !ok {
			continue
		}
		if _, port, err := net.SplitHostPort(rest); err == nil {
			if n, err := strconv.Atoi(port); err == nil && n > 0 {
				return rest, true
			}
		}
	}
	return "", false
}

// buffer collects s_server's output while the test reads it.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

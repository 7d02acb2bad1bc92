package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// Case 16: SIGTERM during a slow request stops new connections at once but
// lets the request in flight finish within the grace period; exit 0.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	release := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		// The response is held until the test has seen tlsgate begin its
		// shutdown: a synchronised "slow backend", no sleep involved.
		select {
		case <-release:
		case <-time.After(clientTimeout):
		}
		fmt.Fprintln(w, "slow done")
	})
	be := startHTTPBackend(t, "slow", nil, slow)
	g := startGate(t, gateConfig{grace: "5s", listeners: []spec{
		{Name: "term", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", be.addr)},
	}})
	addr := g.Addr("term")

	wait := startCurl(t, "--cacert", g.CAPEM(), "https://"+addr+"/slow")
	select {
	case <-arrived:
	case <-time.After(clientTimeout):
		t.Fatal("the request never reached the backend")
	}
	g.Signal(t, syscall.SIGTERM)
	waitFor(t, "the shutdown log line", func() bool { return strings.Contains(g.TestLog(t), "shutting down") })
	waitFor(t, "the listener to close", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return errors.Is(err, syscall.ECONNREFUSED)
		}
		c.Close()
		return false
	})
	if g.Exited() {
		t.Fatal("tlsgate exited with a request still in flight")
	}
	close(release)

	r := wait()
	r.wantExit(t, 0)
	if r.status != 200 || r.body != "slow done\n" {
		t.Errorf("in-flight request: status %d body %q, want 200 slow done", r.status, r.body)
	}
	if code := g.Wait(t, tg.StopWait); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0:\n%s", code, g.Output())
	}
	wantCode(t, g.eventFrom(t, "term", loopback(r.localPort)), "ok")
}

// Case 17: a bad config exits 2 before listening, with a message naming the
// file, the line and the key.
func TestBadConfigExitsTwo(t *testing.T) {
	t.Parallel()
	// A held port, not a free one: a free port let go of can be taken by
	// any parallel test before the dial below, which then found "something
	// listening" that was not tlsgate (once, in a loaded CI run). Held, a
	// dial that connects can only be tlsgate listening, and a tlsgate that
	// tried would fail to bind and not exit 2 with the key named.
	port := closedPort(t)
	head := fmt.Sprintf("[log]\nformat = \"json\"\n\n[[listener]]\nname = \"x\"\nlisten = \"127.0.0.1:%d\"\nmode = \"plaintext\"\nbackend = \"127.0.0.1:9\"\n", port)
	// head is 8 lines; the bad key is on line 9.
	tests := []struct {
		name string
		line string
		want []string
	}{
		{name: "unknown_key", line: "peek_timout = \"1s\"\n", want: []string{"bad.toml:9:1:", "peek_timout", "peek_timeout"}},
		{name: "bad_duration", line: "peek_timeout = \"5 seconds\"\n", want: []string{"bad.toml:9:1:", "peek_timeout", "5 seconds"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "bad.toml")
			if err := os.WriteFile(path, []byte(head+tc.line), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, tlsgateBin, "run", "-c", path)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Fatalf("exit %v, want status 2; output:\n%s", err, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output does not name %q:\n%s", w, out)
				}
			}
			if strings.Contains(string(out), "listening") {
				t.Errorf("tlsgate reported listening with a bad config:\n%s", out)
			}
			if c, err := net.Dial("tcp", loopback(port)); err == nil {
				c.Close()
				t.Errorf("something listens on %d after a failed start", port)
			}
		})
	}
}

// SIGHUP reopens the log file, as logrotate's "create" mode needs: after
// the file is renamed away, new lines go to a new file of the same name,
// and tlsgate keeps running. SIGHUP used to end it, losing batched lines.
func TestLogReopenOnSIGHUP(t *testing.T) {
	t.Parallel()
	be := startHTTPBackend(t, "plain", nil, nil)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "plain", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\n", be.addr)},
	}})
	url := "http://" + g.Addr("plain") + "/"
	before := runCurl(t, url+"before")
	before.wantExit(t, 0)
	first := before.client(t)
	waitFor(t, "the first connection's line", func() bool { return strings.Contains(g.ReadLog(t), first) })

	rotated := g.LogPath() + ".1"
	if err := os.Rename(g.LogPath(), rotated); err != nil {
		t.Fatal(err)
	}
	g.Signal(t, syscall.SIGHUP)
	waitFor(t, "the reopen line in a new file", func() bool { return strings.Contains(g.ReadLog(t), "log file reopened") })

	after := runCurl(t, url+"after")
	after.wantExit(t, 0)
	second := after.client(t)
	waitFor(t, "the second connection's line in the new file", func() bool { return strings.Contains(g.ReadLog(t), second) })
	old, err := os.ReadFile(rotated)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(old), first) || strings.Contains(string(old), second) {
		t.Errorf("the rotated file should hold the first connection (%s) and not the second (%s):\n%s", first, second, old)
	}
	if strings.Contains(g.ReadLog(t), first) {
		t.Errorf("the new file holds the first connection %s, written before the rotation", first)
	}
	g.stop(t)
}

package faultse2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRefuseListenerDown runs a refuse rule (mode listener_down) in the
// real binary: from the config file at start, then added and removed with
// the tlsgate fault CLI. While it holds, curl exits 7 and a Go dialer gets
// "connect: connection refused" on the listener's port, the log says once
// that the listener went down, and /metrics and the rule's fire count say
// so; once the rule is gone the same port serves a real request.
func TestRefuseListenerDown(t *testing.T) {
	curl := needTool(t, "curl")
	be := startBackend(t, nil)
	g := startGate(t, gateConfig{admin: true,
		listeners: []spec{{Name: "web", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\n", be.addr)}},
		faults:    []rule{{name: "port-closed", toml: onListener("web", "action = \"refuse\"\nmode = \"listener_down\"\n")}}})
	addr := g.Addr("web")
	url := "http://" + addr + "/refuse"

	refused := func(downs int) {
		t.Helper()
		waitLogCount(t, g, "listener down", downs)
		_, err := net.DialTimeout("tcp", addr, clientTimeout)
		if !errors.Is(err, syscall.ECONNREFUSED) || !strings.Contains(err.Error(), "connect: connection refused") {
			t.Fatalf("Go dial while down: %v, want dial tcp …: connect: connection refused", err)
		}
		out, code := runCmd(t, curl, "-q", "-sS", "--noproxy", "*", "--max-time", "20", url)
		if code != 7 || !strings.Contains(out, "Couldn't connect to server") {
			t.Fatalf("curl while down: exit %d, %q; want (7) Failed to connect … Couldn't connect to server", code, out)
		}
		status, body := adminCall(t, g, "GET", "/metrics", nil)
		if status != 200 || !bytes.Contains(body, []byte(`tlsgate_listener_down{listener="web"} 1`)) ||
			!bytes.Contains(body, fmt.Appendf(nil, `tlsgate_listener_downs_total{listener="web"} %d`, downs)) {
			t.Fatalf("/metrics while down (%d): %s", status, body)
		}
	}
	served := func(ups int) {
		t.Helper()
		waitLogCount(t, g, "listener up", ups)
		out, code := runCmd(t, curl, "-q", "-sS", "--noproxy", "*", "--max-time", "20", url)
		if code != 0 || !strings.Contains(out, "backend path=/refuse") {
			t.Fatalf("curl after the rule ended: exit %d, %q", code, out)
		}
	}

	refused(1)
	secondRunRefused(t, addr)
	status, body := adminCall(t, g, "GET", "/faults/port-closed", nil)
	if status != 200 || !bytes.Contains(body, []byte(`"fires":1`)) {
		t.Fatalf("GET /faults/port-closed: %d %s; want fires 1", status, body)
	}
	admin := "http://" + g.admin
	if out, code := runCmd(t, tlsgateBin, "fault", "rm", "--admin", admin, "port-closed"); code != 0 {
		t.Fatalf("tlsgate fault rm: exit %d: %s", code, out)
	}
	served(1)

	if out, code := runCmd(t, tlsgateBin, "fault", "add", "--admin", admin, "-n", "closed-again", "--listener", "web",
		"--action", "refuse", "--param", "mode=listener_down"); code != 0 {
		t.Fatalf("tlsgate fault add: exit %d: %s", code, out)
	}
	refused(2)
	if status, body := adminCall(t, g, "DELETE", "/faults/closed-again", nil); status/100 != 2 {
		t.Fatalf("DELETE /faults/closed-again: %d %s", status, body)
	}
	served(2)
	if n := be.hitCount("/refuse"); n != 2 {
		t.Errorf("backend saw %d requests, want the 2 made while the listener was up", n)
	}
	g.stop(t)
}

// secondRunRefused: a second tlsgate run on a port a refuse rule holds
// down stops at start-up with "address already in use" (exit 1). The
// down socket reused the address, and Linux let another reusing bind
// share a bound port that does not listen: the second run took the port,
// clients reached it, and the first could not listen again.
func secondRunRefused(t *testing.T, addr string) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "second.toml")
	toml := fmt.Sprintf("[ca]\ndir = %q\n[demo]\nlisten = \"\"\n[[listener]]\nname = \"web\"\nlisten = %q\nbackend = \"127.0.0.1:9\"\nmode = \"plaintext\"\n",
		filepath.Join(dir, "ca"), addr)
	if err := os.WriteFile(cfg, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	// The bound is a hang guard: a second run that bound the port serves
	// until it is killed.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, tlsgateBin, "run", "-c", cfg).CombinedOutput()
	var ee *exec.ExitError
	if ctx.Err() != nil || !errors.As(err, &ee) || ee.ExitCode() != 1 || !bytes.Contains(out, []byte("address already in use")) {
		t.Fatalf("a second tlsgate run on %s while the refuse rule holds it: %v (still running: %t):\n%s\nwant exit 1, address already in use",
			addr, err, ctx.Err() != nil, out)
	}
}

// waitLogCount waits until the log holds n lines containing msg; the bound
// only stops a broken run from hanging.
func waitLogCount(t *testing.T, g *gate, msg string, n int) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); strings.Count(g.ReadLog(t), msg) < n; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("the log has fewer than %d %q lines after 20s:\n%s", n, msg, g.ReadLog(t))
		}
	}
	if got := strings.Count(g.ReadLog(t), msg); got != n {
		t.Fatalf("the log has %d %q lines, want %d:\n%s", got, msg, n, g.ReadLog(t))
	}
}

// runCmd runs a client with an empty stdin and returns its combined
// output and exit status.
func runCmd(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee) && ctx.Err() == nil:
		return string(out), ee.ExitCode()
	}
	t.Fatalf("%s %q: %v: %s", bin, args, err, out)
	return "", 0
}

// TestRefuseSynDrop runs a refuse rule with mode syn_drop in the real
// binary, on a listener of each engine: from the config file at start,
// then added and removed with the tlsgate fault CLI. While it holds, real
// curl waits out --connect-timeout and exits 28 (its SYN dropped, never
// answered or refused), `ss -lnt` shows the port still listening with its
// accept queue not full (Recv-Q below Send-Q: the SYNs never reach it), as
// the down line's advice says, and the log says
// the listener is dropping SYNs; after `tlsgate fault rm` the same port
// serves curl again. Only exit codes and words are asserted, never how
// long curl waited.
func TestRefuseSynDrop(t *testing.T) {
	curl, ss := needTool(t, "curl"), needTool(t, "ss")
	be := startBackend(t, nil)
	engines := []string{"goroutines", "epoll", "uring"}
	var listeners []spec
	for _, eng := range engines {
		listeners = append(listeners, spec{Name: eng,
			TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\nengine = %q\n", be.addr, eng)})
	}
	var rules []rule
	for _, eng := range engines {
		rules = append(rules, rule{name: "drop-" + eng, toml: onListener(eng, "action = \"refuse\"\nmode = \"syn_drop\"\n")})
	}
	g := startGate(t, gateConfig{admin: true, listeners: listeners, faults: rules})
	admin := "http://" + g.admin
	if log := g.ReadLog(t); strings.Count(log, "drops SYNs to this port, so a connection times out") != len(engines) {
		t.Errorf("the listening lines' hints do not all say a connection times out:\n%s", log)
	}

	dropped := func(downs int) {
		t.Helper()
		waitLogCount(t, g, "listener down, dropping SYNs", downs*len(engines))
		for _, eng := range engines {
			addr := g.Addr(eng)
			out, code := runCmd(t, curl, "-q", "-sS", "--noproxy", "*", "--connect-timeout", "2", "http://"+addr+"/drop")
			if code != 28 || !strings.Contains(out, "Timeout was reached") && !strings.Contains(out, "timed out") {
				t.Fatalf("%s: curl while dropping: exit %d, %q; want (28) … Timeout was reached", eng, code, out)
			}
			_, port, _ := net.SplitHostPort(addr)
			lines, _ := runCmd(t, ss, "-Hlnt", "sport = :"+port)
			f := strings.Fields(lines)
			var recvQ, sendQ int
			if len(f) >= 3 {
				recvQ, _ = strconv.Atoi(f[1])
				sendQ, _ = strconv.Atoi(f[2])
			}
			if len(f) < 3 || f[0] != "LISTEN" || recvQ >= sendQ {
				t.Fatalf("%s: ss -lnt while dropping: %q; want one LISTEN line with Recv-Q below Send-Q", eng, lines)
			}
		}
	}
	served := func(ups int) {
		t.Helper()
		waitLogCount(t, g, "listener up: answering SYNs", ups*len(engines))
		for _, eng := range engines {
			out, code := runCmd(t, curl, "-q", "-sS", "--noproxy", "*", "--connect-timeout", "2", "--max-time", "20", "http://"+g.Addr(eng)+"/drop")
			if code != 0 || !strings.Contains(out, "backend path=/drop") {
				t.Fatalf("%s: curl after the rule ended: exit %d, %q", eng, code, out)
			}
		}
	}

	dropped(1)
	if out, code := runCmd(t, tlsgateBin, "fault", "rm", "--admin", admin, "drop-goroutines", "drop-epoll", "drop-uring"); code != 0 {
		t.Fatalf("tlsgate fault rm: exit %d: %s", code, out)
	}
	served(1)
	for _, eng := range engines {
		if out, code := runCmd(t, tlsgateBin, "fault", "add", "--admin", admin, "-n", "again-"+eng, "--listener", eng,
			"--action", "refuse", "--param", "mode=syn_drop"); code != 0 {
			t.Fatalf("tlsgate fault add: exit %d: %s", code, out)
		}
	}
	dropped(2)
	if out, code := runCmd(t, tlsgateBin, "fault", "rm", "--admin", admin, "again-goroutines", "again-epoll", "again-uring"); code != 0 {
		t.Fatalf("tlsgate fault rm: exit %d: %s", code, out)
	}
	served(2)
	if n := be.hitCount("/drop"); n != 2*len(engines) {
		t.Errorf("backend saw %d requests, want the %d made while the listeners served", n, 2*len(engines))
	}
	g.stop(t)
}

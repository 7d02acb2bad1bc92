package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounded waits. They only cap how long an eventual condition may take
// before the test gives up; no assertion depends on how fast anything is.
const (
	startWait = 20 * time.Second
	eventWait = 20 * time.Second
	stopWait  = 20 * time.Second
)

// spec is one [[listener]]: its name and the TOML lines after name and
// listen (keys first, then any [listener.client_ssl] / [listener.server_ssl]
// sub-tables).
type spec struct {
	name string
	toml string
}

// gateConfig is what a test chooses; everything else (log file, CA dir,
// ports) the harness fills in.
type gateConfig struct {
	format    string // "json" (default) or "bigip"
	grace     string // [shutdown] grace; default "5s"
	listeners []spec
}

// probeName is a listener the harness adds last to every config. Bind order
// is file order and serving starts only once every listener is bound, so a
// logged connection on it proves the whole gateway is up.
const probeName = "probe"

// gate is one running tlsgate subprocess.
type gate struct {
	dir     string
	cfgPath string
	logPath string
	caDir   string
	addrs   map[string]string // listener name -> "127.0.0.1:port"
	ports   map[string]int

	cmd    *exec.Cmd
	out    *syncBuffer // stdout and stderr
	done   chan struct{}
	state  *os.ProcessState
	offset int64 // log bytes written before the gateway was ready
}

// syncBuffer is a bytes.Buffer safe for the exec copier goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freePorts asks the kernel for n distinct unused loopback ports. All n
// sockets stay open until every port is chosen, so the kernel cannot hand
// out one port twice. A port is free only until someone else binds it;
// startGate retries when that bind races.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		defer ln.Close()
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// freePort is one port from freePorts.
func freePort(t *testing.T) int {
	t.Helper()
	return freePorts(t, 1)[0]
}

// startGate writes the config, starts tlsgate and waits until it serves.
// The process is killed at cleanup if the test did not stop it.
func startGate(t *testing.T, gc gateConfig) *gate {
	t.Helper()
	if gc.format == "" {
		gc.format = "json"
	}
	if gc.grace == "" {
		gc.grace = "5s"
	}
	dir := t.TempDir()
	var lastOut string
	for attempt := 0; attempt < 5; attempt++ {
		g := &gate{
			dir:     dir,
			cfgPath: filepath.Join(dir, fmt.Sprintf("tlsgate-%d.toml", attempt)),
			logPath: filepath.Join(dir, fmt.Sprintf("tlsgate-%d.log", attempt)),
			caDir:   filepath.Join(dir, "ca"),
			addrs:   map[string]string{},
			ports:   map[string]int{},
		}
		if err := os.WriteFile(g.cfgPath, []byte(g.render(t, gc)), 0o644); err != nil {
			t.Fatal(err)
		}
		ok, out := g.launch(t)
		if ok {
			return g
		}
		lastOut = out
		if !strings.Contains(out, "address already in use") {
			break
		}
		t.Logf("port race on attempt %d, retrying: %s", attempt, strings.TrimSpace(out))
	}
	t.Fatalf("tlsgate did not start:\n%s", lastOut)
	return nil
}

// render builds the TOML text with freshly chosen ports.
func (g *gate) render(t *testing.T, gc gateConfig) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[log]\nformat = %q\nfile = %q\nhost = \"lab-bigip\"\nlevel = \"info\"\n\n", gc.format, g.logPath)
	fmt.Fprintf(&b, "[ca]\ndir = %q\n\n[shutdown]\ngrace = %q\n", g.caDir, gc.grace)
	all := append(append([]spec{}, gc.listeners...),
		spec{name: probeName, toml: "mode = \"plaintext\"\nbackend = \"127.0.0.1:9\"\n"})
	ports := freePorts(t, len(all))
	for i, l := range all {
		port := ports[i]
		g.ports[l.name] = port
		g.addrs[l.name] = "127.0.0.1:" + strconv.Itoa(port)
		fmt.Fprintf(&b, "\n[[listener]]\nname = %q\nlisten = %q\n%s", l.name, g.addrs[l.name], l.toml)
	}
	return b.String()
}

// launch runs the binary and waits for the probe connection to be logged.
// It reports false (with the process output) when the process exited first.
func (g *gate) launch(t *testing.T) (bool, string) {
	t.Helper()
	g.out = &syncBuffer{}
	g.cmd = exec.Command(tlsgateBin, "run", "-c", g.cfgPath)
	g.cmd.Dir = g.dir
	g.cmd.Stdout, g.cmd.Stderr = g.out, g.out
	if err := g.cmd.Start(); err != nil {
		t.Fatalf("start tlsgate: %v", err)
	}
	g.done = make(chan struct{})
	go func() {
		_ = g.cmd.Wait()
		g.state = g.cmd.ProcessState
		close(g.done)
	}()
	t.Cleanup(g.kill)

	deadline := time.Now().Add(startWait)
	var probe string
	for probe == "" {
		if g.exited() {
			return false, g.out.String() + g.readLog(t)
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate never accepted on %s:\n%s", g.addrs[probeName], g.out.String())
		}
		c, err := net.DialTimeout("tcp", g.addrs[probeName], time.Second)
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		probe = c.LocalAddr().String()
		_ = c.Close()
	}
	// The probe's event names its client address in every log format.
	for !strings.Contains(g.readLog(t), probe) {
		if g.exited() {
			return false, g.out.String() + g.readLog(t)
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate never logged the readiness probe %s:\n%s\n%s", probe, g.out.String(), g.readLog(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
	g.offset = int64(len(g.readLog(t)))
	return true, ""
}

func (g *gate) exited() bool {
	select {
	case <-g.done:
		return true
	default:
		return false
	}
}

// kill ends the process if it still runs (a failed test's cleanup).
func (g *gate) kill() {
	if g.exited() {
		return
	}
	_ = g.cmd.Process.Kill()
	<-g.done
}

// addr is the listen address of listener name.
func (g *gate) addr(name string) string { return g.addrs[name] }

// port is the listen port of listener name.
func (g *gate) port(name string) int { return g.ports[name] }

// readLog returns the whole log file ("" before it exists).
func (g *gate) readLog(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(g.logPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read log: %v", err)
	}
	return string(b)
}

// testLog is the log written after the gateway became ready: only the
// test's own traffic (and shutdown) is in it.
func (g *gate) testLog(t *testing.T) string {
	t.Helper()
	l := g.readLog(t)
	if int64(len(l)) < g.offset {
		return ""
	}
	return l[g.offset:]
}

// caPEM is the lab CA certificate tlsgate created in its CA dir.
func (g *gate) caPEM() string { return filepath.Join(g.caDir, "ca.pem") }

// signal sends sig to the process.
func (g *gate) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := g.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits for the process to exit and returns its exit code.
func (g *gate) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-g.done:
	case <-time.After(stopWait):
		t.Fatalf("tlsgate did not exit within %v:\n%s", stopWait, g.out.String())
	}
	return g.state.ExitCode()
}

// stop sends SIGTERM and checks the graceful exit: status 0 and the
// shutdown logged.
func (g *gate) stop(t *testing.T) {
	t.Helper()
	if g.exited() {
		t.Fatalf("tlsgate exited before stop (%v):\n%s\n%s", g.state, g.out.String(), g.readLog(t))
	}
	g.signal(t, syscall.SIGTERM)
	if code := g.wait(t); code != 0 {
		t.Fatalf("tlsgate exit status %d after SIGTERM, want 0:\n%s", code, g.out.String())
	}
	if !strings.Contains(g.readLog(t), "shutting down") {
		t.Errorf("log has no shutdown line:\n%s", g.readLog(t))
	}
}

// alive fails the test if the process has exited (a crash or a panic).
func (g *gate) alive(t *testing.T) {
	t.Helper()
	if g.exited() {
		t.Fatalf("tlsgate died (%v):\n%s", g.state, g.out.String())
	}
	// A Go panic or fatal error goes to stderr, never to the log file.
	if out := g.out.String(); strings.Contains(out, "panic:") || strings.Contains(out, "fatal error:") {
		t.Fatalf("tlsgate panicked:\n%s", out)
	}
}

// waitFor polls cond until it holds or the bounded wait runs out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(eventWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

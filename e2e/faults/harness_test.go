package faultse2e

import (
	"bytes"
	"encoding/json"
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

// Bounded waits. They cap how long an eventual condition may take before
// the test gives up; no assertion depends on how fast anything is.
const (
	startWait = 20 * time.Second
	eventWait = 20 * time.Second
	stopWait  = 20 * time.Second
)

// spec is one [[listener]]: its name and the TOML lines after name and
// listen.
type spec struct {
	name string
	toml string
}

// rule is one [[fault]] table: the name and the TOML lines after it. The
// harness adds no selector; a case that wants its rule on one listener says
// listener = "…" itself (see onListener).
type rule struct {
	name string
	toml string
}

// gateConfig is what a test chooses; the harness fills in the log file, the
// CA dir and the ports.
type gateConfig struct {
	listeners []spec
	faults    []rule
	admin     bool // [admin] on a kernel-chosen loopback port
}

// probeName is a listener the harness adds last. Serving starts once every
// listener is bound, so a logged connection on it proves the gateway is up.
const probeName = "probe"

// gate is one running tlsgate subprocess.
type gate struct {
	dir     string
	cfgPath string
	logPath string
	caDir   string
	addrs   map[string]string // listener name -> "127.0.0.1:port"
	ports   map[string]int
	admin   string // admin API "127.0.0.1:port", "" when off

	cmd    *exec.Cmd
	out    *syncBuffer
	done   chan struct{}
	state  *os.ProcessState
	offset int64 // log bytes written before the gateway was ready
}

// syncBuffer is a bytes.Buffer safe for the exec copier and the test.
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

// freePorts asks the kernel for n distinct unused loopback ports, holding
// each until all are chosen. startGate retries when a bind races.
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

// startGate writes the config, starts tlsgate and waits until it serves.
// The process is killed at cleanup if the test did not stop it.
func startGate(t *testing.T, gc gateConfig) *gate {
	t.Helper()
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
		ok, out := g.launch(t, gc.admin)
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
	fmt.Fprintf(&b, "[log]\nformat = \"json\"\nfile = %q\nhost = \"lab-bigip\"\nlevel = \"info\"\n\n", g.logPath)
	fmt.Fprintf(&b, "[ca]\ndir = %q\n\n[shutdown]\ngrace = \"5s\"\n", g.caDir)
	if gc.admin {
		b.WriteString("\n[admin]\nlisten = \"127.0.0.1:0\"\n")
	}
	all := append(append([]spec{}, gc.listeners...),
		spec{name: probeName, toml: "mode = \"plaintext\"\nbackend = \"127.0.0.1:9\"\n"})
	ports := freePorts(t, len(all))
	for i, l := range all {
		g.ports[l.name] = ports[i]
		g.addrs[l.name] = "127.0.0.1:" + strconv.Itoa(ports[i])
		fmt.Fprintf(&b, "\n[[listener]]\nname = %q\nlisten = %q\n%s", l.name, g.addrs[l.name], l.toml)
	}
	for _, f := range gc.faults {
		fmt.Fprintf(&b, "\n[[fault]]\nname = %q\n%s", f.name, f.toml)
	}
	return b.String()
}

// launch runs the binary and waits for the probe connection to be logged
// (and, with admin on, for the admin address to be logged). It reports
// false, with the process output, when the process exited first.
func (g *gate) launch(t *testing.T, admin bool) (bool, string) {
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
	for !strings.Contains(g.readLog(t), probe) {
		if g.exited() {
			return false, g.out.String() + g.readLog(t)
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate never logged the readiness probe %s:\n%s\n%s", probe, g.out.String(), g.readLog(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
	log := g.readLog(t)
	g.offset = int64(len(log))
	if admin {
		g.admin = adminAddr(t, log)
	}
	return true, ""
}

// adminAddr finds the admin API's address in the startup log: with listen
// port 0 only the log knows it.
func adminAddr(t *testing.T, log string) string {
	t.Helper()
	for _, l := range strings.Split(log, "\n") {
		var m struct {
			Msg    string `json:"msg"`
			Listen string `json:"listen"`
		}
		if json.Unmarshal([]byte(l), &m) == nil && m.Msg == "admin API listening" && m.Listen != "" {
			return m.Listen
		}
	}
	t.Fatalf("the log names no admin API address:\n%s", log)
	return ""
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

// port is the listen port of listener name, as a string for URLs.
func (g *gate) port(name string) string { return strconv.Itoa(g.ports[name]) }

// readLog returns the whole log file ("" before it exists).
func (g *gate) readLog(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(g.logPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read log: %v", err)
	}
	return string(b)
}

// testLog is the log written after the gateway became ready.
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

// stop sends SIGTERM and checks the graceful exit and that nothing panicked.
func (g *gate) stop(t *testing.T) {
	t.Helper()
	g.alive(t)
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-g.done:
	case <-time.After(stopWait):
		t.Fatalf("tlsgate did not exit within %v:\n%s", stopWait, g.out.String())
	}
	if code := g.state.ExitCode(); code != 0 {
		t.Fatalf("tlsgate exit status %d after SIGTERM, want 0:\n%s", code, g.out.String())
	}
}

// alive fails the test if the process has exited or panicked.
func (g *gate) alive(t *testing.T) {
	t.Helper()
	if g.exited() {
		t.Fatalf("tlsgate died (%v):\n%s", g.state, g.out.String())
	}
	if out := g.out.String(); strings.Contains(out, "panic:") || strings.Contains(out, "fatal error:") || strings.Contains(out, "DATA RACE") {
		t.Fatalf("tlsgate panicked:\n%s", out)
	}
}

// onListener is the selector that keeps a rule to one listener, so one
// gateway can carry a case per listener.
func onListener(name, rest string) string {
	return fmt.Sprintf("listener = %q\n%s", name, rest)
}

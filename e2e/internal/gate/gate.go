package gate

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Listener is one [[listener]]: its name and the TOML lines after name and
// listen (keys first, then any sub-tables).
type Listener struct {
	Name string
	TOML string
}

// Config is what a test chooses; the harness fills in the log file, the
// CA dir and the ports.
type Config struct {
	Bin       string // the tlsgate binary
	Format    string // [log] format: "json" (default) or "bigip"
	Grace     string // [shutdown] grace; default "5s"
	Admin     bool   // [admin] on a kernel-chosen loopback port
	Listeners []Listener
	Extra     string        // TOML appended after the listeners ([[fault]] tables)
	StartWait time.Duration // bound on startup; default StartWait
}

// Bounded waits. They only cap how long an eventual condition may take
// before a test gives up; no assertion depends on how fast anything is.
const (
	StartWait = 20 * time.Second // until a started tlsgate serves
	EventWait = 20 * time.Second // until a connection's event is logged
	StopWait  = 20 * time.Second // until tlsgate exits after SIGTERM
)

// ProbeName is a listener the harness adds last to every config. Bind
// order is file order and serving starts only once every listener is
// bound, so a logged connection on it proves the whole gateway is up.
const ProbeName = "probe"

// Gate is one running `tlsgate run` subprocess.
type Gate struct {
	dir     string
	cfgPath string
	logPath string
	caDir   string
	addrs   map[string]string // listener name -> "127.0.0.1:port"
	ports   map[string]int
	admin   string // admin API "127.0.0.1:port", "" when off

	proc   *Proc
	out    *Buffer // stdout and stderr
	offset int64   // log bytes written before the gateway was ready
}

// Start writes the config, starts tlsgate and waits until it serves.
// Every listener binds port 0 and its address is read from tlsgate's log
// (see ListenAddrs), so no other socket can hold a port meant for it.
// The process is killed at cleanup if the test did not stop it.
func Start(t testing.TB, c Config) *Gate {
	t.Helper()
	if c.Format == "" {
		c.Format = "json"
	}
	if c.Grace == "" {
		c.Grace = "5s"
	}
	if c.StartWait == 0 {
		c.StartWait = StartWait
	}
	dir := t.TempDir()
	g := &Gate{
		dir:     dir,
		cfgPath: filepath.Join(dir, "tlsgate.toml"),
		logPath: filepath.Join(dir, "tlsgate.log"),
		caDir:   filepath.Join(dir, "ca"),
		addrs:   map[string]string{},
		ports:   map[string]int{},
	}
	names, cfg := g.render(c)
	if err := os.WriteFile(g.cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	g.launch(t, c, names)
	return g
}

// render builds the TOML text, every listener on 127.0.0.1 port 0, and
// returns the listener names, the probe's last.
func (g *Gate) render(c Config) ([]string, string) {
	var b strings.Builder
	fmt.Fprintf(&b, "[log]\nformat = %q\nfile = %q\nhost = \"lab-bigip\"\nlevel = \"info\"\n\n", c.Format, g.logPath)
	fmt.Fprintf(&b, "[ca]\ndir = %q\n\n[shutdown]\ngrace = %q\n", g.caDir, c.Grace)
	if c.Admin {
		b.WriteString("\n[admin]\nlisten = \"127.0.0.1:0\"\n")
	}
	all := append(append([]Listener{}, c.Listeners...),
		Listener{Name: ProbeName, TOML: "mode = \"plaintext\"\nbackend = \"127.0.0.1:9\"\n"})
	names := make([]string, len(all))
	for i, l := range all {
		names[i] = l.Name
		fmt.Fprintf(&b, "\n[[listener]]\nname = %q\nlisten = \"127.0.0.1:0\"\n%s", l.Name, l.TOML)
	}
	b.WriteString(c.Extra)
	return names, b.String()
}

// launch runs the binary, learns every listener's address from its
// "listening" lines, and waits for a probe connection to be logged (and,
// with admin on, reads the admin address from the log). It fails the test
// when the process exits first.
func (g *Gate) launch(t testing.TB, c Config, names []string) {
	t.Helper()
	g.out = &Buffer{}
	cmd := exec.Command(c.Bin, "run", "-c", g.cfgPath)
	cmd.Dir = g.dir
	cmd.Stdout, cmd.Stderr = g.out, g.out
	g.proc = StartProc(t, cmd)

	deadline := time.Now().Add(c.StartWait)
	// The probe listener is the last: its line comes after every other one.
	var addrs map[string]string
	for {
		// Exited before the read: the log is complete once the process
		// is reaped, so a line written before the exit is seen.
		exited := g.Exited()
		if addrs = ListenAddrs(g.ReadLog(t)); addrs[ProbeName] != "" {
			break
		}
		if exited {
			t.Fatalf("tlsgate exited (%v) before its probe listener's \"listening\" line:\n%s\n%s", g.proc.State(), g.out.String(), g.ReadLog(t))
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate logged no \"listening\" line for its probe listener within %v:\n%s\n%s", c.StartWait, g.out.String(), g.ReadLog(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, n := range names {
		a := addrs[n]
		_, p, err := net.SplitHostPort(a)
		port, perr := strconv.Atoi(p)
		if err != nil || perr != nil || port == 0 {
			t.Fatalf("tlsgate's \"listening\" lines name no bound address for listener %q (%q):\n%s", n, a, g.ReadLog(t))
		}
		g.addrs[n], g.ports[n] = a, port
	}

	// The probe's address came from tlsgate's own line, written once the
	// socket listens, so the dial reaches tlsgate: an error is a failure,
	// not a reason to dial again. Its event names its client address in
	// every log format; a probe never logged is a line tlsgate lost (a
	// start-up once waited 20s for one in CI, session 18).
	conn, err := net.DialTimeout("tcp", g.addrs[ProbeName], c.StartWait)
	if err != nil {
		t.Fatalf("dial tlsgate's probe listener at %s, the address it logged: %v\n%s", g.addrs[ProbeName], err, g.ReadLog(t))
	}
	probe := conn.LocalAddr().String()
	_ = conn.Close()
	for {
		// Exited before the read, as above: a line written before the
		// exit is seen.
		exited := g.Exited()
		if off, ok := ReadyOffset(g.ReadLog(t), probe); ok {
			g.offset = off
			break
		}
		if exited {
			t.Fatalf("tlsgate exited (%v) before logging the readiness probe %s:\n%s\n%s", g.proc.State(), probe, g.out.String(), g.ReadLog(t))
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate never logged the readiness probe %s, dialled at the address it logged for listener %s (a lost line):\n%s\n%s",
				probe, ProbeName, g.out.String(), g.ReadLog(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if c.Admin {
		g.admin = adminAddr(t, g.ReadLog(t)[:g.offset])
	}
}

// ReadyOffset looks for the readiness probe's client address in the
// complete lines of log and, once one names it, returns the offset just
// after the last newline: TestLog starts there. The writer may be
// mid-line when the file is read, so neither a fragment naming the probe
// nor the length of the text counts: an offset inside a line would hand
// a test half a line (a JSON test failed on "ding a byte. …", session 25).
func ReadyOffset(log, probe string) (int64, bool) {
	end := strings.LastIndexByte(log, '\n') + 1
	if end == 0 || !strings.Contains(log[:end], probe) {
		return 0, false
	}
	return int64(end), true
}

// Addr is the listen address of listener name.
func (g *Gate) Addr(name string) string { return g.addrs[name] }

// Port is the listen port of listener name.
func (g *Gate) Port(name string) int { return g.ports[name] }

// Ports is a copy of every listener's port, the probe's included.
func (g *Gate) Ports() map[string]int {
	out := make(map[string]int, len(g.ports))
	for n, p := range g.ports {
		out[n] = p
	}
	return out
}

// AdminAddr is the admin API's address; "" without Config.Admin.
func (g *Gate) AdminAddr() string { return g.admin }

// CAPEM is the lab CA certificate tlsgate created in its CA dir.
func (g *Gate) CAPEM() string { return filepath.Join(g.caDir, "ca.pem") }

// Dir is the run's working directory, which holds the config and the log.
func (g *Gate) Dir() string { return g.dir }

// ConfigPath is the config file the process runs with.
func (g *Gate) ConfigPath() string { return g.cfgPath }

// LogPath is the log file the config names.
func (g *Gate) LogPath() string { return g.logPath }

// Output is what the process wrote to stdout and stderr so far.
func (g *Gate) Output() string { return g.out.String() }

// Proc is the subprocess, for signals and its exit.
func (g *Gate) Proc() *Proc { return g.proc }

// Exited reports whether the process has exited.
func (g *Gate) Exited() bool { return g.proc.Exited() }

// ReadLog returns the whole log file ("" before it exists).
func (g *Gate) ReadLog(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(g.logPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read log: %v", err)
	}
	return string(b)
}

// TestLog is the log written after the gateway became ready: only the
// test's own traffic (and shutdown) is in it.
func (g *Gate) TestLog(t testing.TB) string {
	t.Helper()
	l := g.ReadLog(t)
	if int64(len(l)) < g.offset {
		return ""
	}
	return l[g.offset:]
}

// Signal sends sig to the process.
func (g *Gate) Signal(t testing.TB, sig os.Signal) {
	t.Helper()
	if err := g.proc.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// Wait waits up to bound for the process to exit and returns its exit code.
func (g *Gate) Wait(t testing.TB, bound time.Duration) int {
	t.Helper()
	code, ok := g.proc.WaitExit(bound)
	if !ok {
		t.Fatalf("tlsgate did not exit within %v:\n%s", bound, g.out.String())
	}
	return code
}

// Alive fails the test if the process has exited (a crash) or wrote a Go
// panic or fatal error, which go to stderr, never to the log file.
func (g *Gate) Alive(t testing.TB) {
	t.Helper()
	if g.Exited() {
		t.Fatalf("tlsgate died (%v):\n%s", g.proc.State(), g.out.String())
	}
	if out := g.out.String(); strings.Contains(out, "panic:") || strings.Contains(out, "fatal error:") {
		t.Fatalf("tlsgate panicked:\n%s", out)
	}
}

// CompleteLines splits text into its lines that end in a newline: the
// writer may be mid-line, so a trailing fragment is left for a later read.
func CompleteLines(text string) []string {
	i := strings.LastIndexByte(text, '\n')
	if i < 0 {
		return nil
	}
	return strings.Split(text[:i], "\n")
}

// JSONLines decodes every complete line of a JSON log as one T, in order,
// failing the test on a line that is not JSON. raw holds the lines as
// written, for failure messages.
func JSONLines[T any](t testing.TB, text string) (vals []T, raw []string) {
	t.Helper()
	raw = CompleteLines(text)
	for _, l := range raw {
		var v T
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("log line is not JSON (%v): %q", err, l)
		}
		vals = append(vals, v)
	}
	return vals, raw
}

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

// Start writes the config, starts tlsgate and waits until it serves. A
// bind that races another process for a port is retried with new ports.
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
	var lastOut string
	for attempt := 0; attempt < 5; attempt++ {
		g := &Gate{
			dir:     dir,
			cfgPath: filepath.Join(dir, fmt.Sprintf("tlsgate-%d.toml", attempt)),
			logPath: filepath.Join(dir, fmt.Sprintf("tlsgate-%d.log", attempt)),
			caDir:   filepath.Join(dir, "ca"),
			addrs:   map[string]string{},
			ports:   map[string]int{},
		}
		if err := os.WriteFile(g.cfgPath, []byte(g.render(t, c)), 0o644); err != nil {
			t.Fatal(err)
		}
		ok, out := g.launch(t, c)
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
func (g *Gate) render(t testing.TB, c Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[log]\nformat = %q\nfile = %q\nhost = \"lab-bigip\"\nlevel = \"info\"\n\n", c.Format, g.logPath)
	fmt.Fprintf(&b, "[ca]\ndir = %q\n\n[shutdown]\ngrace = %q\n", g.caDir, c.Grace)
	if c.Admin {
		b.WriteString("\n[admin]\nlisten = \"127.0.0.1:0\"\n")
	}
	all := append(append([]Listener{}, c.Listeners...),
		Listener{Name: ProbeName, TOML: "mode = \"plaintext\"\nbackend = \"127.0.0.1:9\"\n"})
	ports := FreePorts(t, len(all))
	for i, l := range all {
		g.ports[l.Name] = ports[i]
		g.addrs[l.Name] = "127.0.0.1:" + strconv.Itoa(ports[i])
		fmt.Fprintf(&b, "\n[[listener]]\nname = %q\nlisten = %q\n%s", l.Name, g.addrs[l.Name], l.TOML)
	}
	b.WriteString(c.Extra)
	return b.String()
}

// launch runs the binary and waits for the probe connection to be logged
// (and, with admin on, reads the admin address from the log). It reports
// false, with the process output, when the process exited first.
func (g *Gate) launch(t testing.TB, c Config) (bool, string) {
	t.Helper()
	g.out = &Buffer{}
	cmd := exec.Command(c.Bin, "run", "-c", g.cfgPath)
	cmd.Dir = g.dir
	cmd.Stdout, cmd.Stderr = g.out, g.out
	g.proc = StartProc(t, cmd)

	deadline := time.Now().Add(c.StartWait)
	// The probe dials once tlsgate's log has the probe listener's
	// "listening" line, which it writes after binding every socket: from
	// then on the port is tlsgate's, which does not share it. A dial before
	// that can reach another socket: FreePorts let the port go, and any
	// bind to port 0 on the machine (other test processes bind many) may
	// hold it for a moment before tlsgate binds it, or the dial can
	// connect to itself. Such a probe is never logged; a start-up once
	// waited 20s for one in CI (session 18). So a probe tlsgate never logs
	// is a line tlsgate lost, and fails the start-up.
	for !Listening(g.ReadLog(t), g.addrs[ProbeName]) {
		if g.Exited() {
			return false, g.out.String() + g.ReadLog(t)
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate never said it listened on %s:\n%s\n%s", g.addrs[ProbeName], g.out.String(), g.ReadLog(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
	var probe string
	for probe == "" {
		if g.Exited() {
			return false, g.out.String() + g.ReadLog(t)
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate never accepted on %s:\n%s", g.addrs[ProbeName], g.out.String())
		}
		conn, err := net.DialTimeout("tcp", g.addrs[ProbeName], time.Second)
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		probe = conn.LocalAddr().String()
		_ = conn.Close()
	}
	// The probe's event names its client address in every log format.
	for !strings.Contains(g.ReadLog(t), probe) {
		if g.Exited() {
			return false, g.out.String() + g.ReadLog(t)
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate never logged the readiness probe %s, dialled after it said it listened on %s (a lost line):\n%s\n%s",
				probe, g.addrs[ProbeName], g.out.String(), g.ReadLog(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
	log := g.ReadLog(t)
	g.offset = int64(len(log))
	if c.Admin {
		g.admin = adminAddr(t, log)
	}
	return true, ""
}

// Listening says whether log, in any format, has tlsgate's "listening" line
// for the listener on addr ("127.0.0.1:port"), which it writes once every
// socket is bound: a line with "listening" that names addr whole, not as
// the start of a longer port; in JSON, with that message and listen
// address (the admin API's line says "listening" too).
func Listening(log, addr string) bool {
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, "listening") || !hasAddr(line, addr) {
			continue
		}
		var m struct {
			Msg    string `json:"msg"`
			Listen string `json:"listen"`
		}
		if json.Unmarshal([]byte(line), &m) != nil || m.Msg == "listening" && m.Listen == addr {
			return true
		}
	}
	return false
}

// hasAddr says whether line names addr whole, not as the start of a
// longer port.
func hasAddr(line, addr string) bool {
	for rest := line; ; {
		i := strings.Index(rest, addr)
		if i < 0 {
			return false
		}
		rest = rest[i+len(addr):]
		if rest == "" || rest[0] < '0' || rest[0] > '9' {
			return true
		}
	}
}

// adminAddr finds the admin API's address in the startup log: with listen
// port 0 only the log knows it.
func adminAddr(t testing.TB, log string) string {
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

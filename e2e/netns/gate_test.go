package netns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// Bounds on waiting for tlsgate; none is an assertion on speed.
const (
	startWait = 60 * time.Second // until it logs "listening"
	eventWait = 30 * time.Second // until a connection's event is in the log
	stopWait  = 30 * time.Second // until it exits after SIGTERM
	gateBound = 5 * time.Minute  // the whole life of the process
)

// gate is tlsgate running inside the gateway namespace.
type gate struct {
	dir, cfgPath, logPath, caDir string
	labCA                        string // the lab CA as `tlsgate ca export` printed it
	proc                         *tg.Proc
	out                          *tg.Buffer
}

// gateConfig renders the one-listener config: inspect mode, transparent,
// the real server verified against the test's public CA.
func gateConfig(g *gate, port, transparentMode, publicCA string) string {
	return fmt.Sprintf(`[log]
format = "json"
file = %q
host = "lab-gw"
level = "info"

[ca]
dir = %q

[demo]
listen = ""

[shutdown]
grace = "1s"

[[listener]]
name = "intercept"
listen = "0.0.0.0:%s"
mode = "inspect"
transparent = %q

[listener.server_ssl]
ca = %q
`, g.logPath, g.caDir, port, transparentMode, publicCA)
}

// startGate writes the config, creates the lab CA with `tlsgate ca init`
// and exports it with `tlsgate ca export` (which never creates one), starts `tlsgate run` in l.gw and waits until it
// logs that its listener is up. It is stopped at cleanup.
func startGate(t *testing.T, l *lab, transparentMode, publicCA string) *gate {
	t.Helper()
	dir := t.TempDir()
	g := &gate{
		dir:     dir,
		cfgPath: filepath.Join(dir, "tlsgate.toml"),
		logPath: filepath.Join(dir, "tlsgate.log"),
		caDir:   filepath.Join(dir, "ca"),
		labCA:   filepath.Join(dir, "lab-ca.pem"),
		out:     &tg.Buffer{},
	}
	if err := os.WriteFile(g.cfgPath, []byte(gateConfig(g, l.gatePort, transparentMode, publicCA)), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, tlsgateBin, "ca", "init", "-c", g.cfgPath)
	pemText := mustRun(t, tlsgateBin, "ca", "export", "-c", g.cfgPath)
	if !strings.HasPrefix(pemText, "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("tlsgate ca export printed no PEM certificate:\n%s", pemText)
	}
	if err := os.WriteFile(g.labCA, []byte(pemText), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), gateBound)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", l.gw, tlsgateBin, "run", "-c", g.cfgPath)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = g.out, g.out
	g.proc = tg.StartProc(t, cmd)
	t.Cleanup(func() { g.stop(t) })

	deadline := time.Now().Add(startWait)
	for !g.listening(t) {
		if g.exited() {
			t.Fatalf("tlsgate exited before listening (%v):\n%s\n%s", g.proc.State(), g.out.String(), g.readLog(t))
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate did not log \"listening\" within %v:\n%s\n%s", startWait, g.out.String(), g.readLog(t))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return g
}

// listening says the log has the listener's "listening" line, written
// after every socket is bound.
func (g *gate) listening(t *testing.T) bool {
	for _, ll := range g.lines(t) {
		if ll.Msg == "listening" && ll.Listener == "intercept" {
			return true
		}
	}
	return false
}

func (g *gate) exited() bool { return g.proc.Exited() }

// stop ends tlsgate with SIGTERM (`ip netns exec` execs it, so the PID is
// tlsgate's) and kills it if it does not exit within stopWait.
func (g *gate) stop(t *testing.T) {
	if g.exited() {
		return
	}
	_ = g.proc.Signal(syscall.SIGTERM)
	if _, ok := g.proc.WaitExit(stopWait); !ok {
		t.Errorf("tlsgate did not exit within %v of SIGTERM; killing it", stopWait)
		g.proc.Kill()
	}
	if strings.Contains(g.out.String(), "panic") {
		t.Errorf("tlsgate panicked:\n%s", g.out.String())
	}
}

// readLog returns the whole log ("" before the file exists).
func (g *gate) readLog(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(g.logPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read tlsgate log: %v", err)
	}
	return string(b)
}

// logLine is one JSON log entry; Conn is set on connection events.
type logLine struct {
	Level    string     `json:"level"`
	Msg      string     `json:"msg"`
	Listener string     `json:"listener"`
	Conn     *connEvent `json:"conn"`
}

// connEvent and httpEvent are the harness's event shapes.
type (
	connEvent = tg.Event
	httpEvent = tg.HTTPExchange
)

// lines parses the complete lines of the JSON log; the writer may be
// mid-line, so a trailing fragment is left for the next read.
func (g *gate) lines(t *testing.T) []logLine {
	t.Helper()
	out, _ := tg.JSONLines[logLine](t, g.readLog(t))
	return out
}

// eventFrom waits for the event of the connection from client (ip:port).
func (g *gate) eventFrom(t *testing.T, client string) *connEvent {
	t.Helper()
	deadline := time.Now().Add(eventWait)
	for {
		for _, ll := range g.lines(t) {
			if ll.Conn != nil && ll.Conn.Client == client {
				return ll.Conn
			}
		}
		if g.exited() || time.Now().After(deadline) {
			t.Fatalf("no event for client %s within %v (tlsgate exited: %v); log:\n%s\noutput:\n%s",
				client, eventWait, g.exited(), g.readLog(t), g.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

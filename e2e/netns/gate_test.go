package netns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds on waiting for tlsgate; none is an assertion on speed.
const (
	startWait = 60 * time.Second // until it logs "listening"
	eventWait = 30 * time.Second // until a connection's event is in the log
	stopWait  = 30 * time.Second // until it exits after SIGTERM
	gateBound = 5 * time.Minute  // the whole life of the process
)

// syncBuffer is a bytes.Buffer shared by an exec copier and the test.
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

// gate is tlsgate running inside the gateway namespace.
type gate struct {
	dir, cfgPath, logPath, caDir string
	labCA                        string // the lab CA as `tlsgate ca export` printed it
	cmd                          *exec.Cmd
	out                          *syncBuffer
	done                         chan struct{}
}

// gateConfig renders the one-listener config: inspect mode, transparent,
// the real server verified against the test's public CA.
func gateConfig(g *gate, transparentMode, publicCA string) string {
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
`, g.logPath, g.caDir, listenPort, transparentMode, publicCA)
}

// startGate writes the config, exports the lab CA with `tlsgate ca export`
// (which also creates it), starts `tlsgate run` in l.gw and waits until it
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
		out:     &syncBuffer{},
		done:    make(chan struct{}),
	}
	if err := os.WriteFile(g.cfgPath, []byte(gateConfig(g, transparentMode, publicCA)), 0o644); err != nil {
		t.Fatal(err)
	}
	pemText := mustRun(t, tlsgateBin, "ca", "export", "-c", g.cfgPath)
	if !strings.HasPrefix(pemText, "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("tlsgate ca export printed no PEM certificate:\n%s", pemText)
	}
	if err := os.WriteFile(g.labCA, []byte(pemText), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), gateBound)
	g.cmd = exec.CommandContext(ctx, "ip", "netns", "exec", l.gw, tlsgateBin, "run", "-c", g.cfgPath)
	g.cmd.Dir = dir
	g.cmd.Stdout, g.cmd.Stderr = g.out, g.out
	if err := g.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start tlsgate: %v", err)
	}
	go func() {
		_ = g.cmd.Wait()
		close(g.done)
	}()
	t.Cleanup(func() {
		g.stop(t)
		cancel()
	})

	deadline := time.Now().Add(startWait)
	for !g.listening(t) {
		if g.exited() {
			t.Fatalf("tlsgate exited before listening (%v):\n%s\n%s", g.cmd.ProcessState, g.out.String(), g.readLog(t))
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

func (g *gate) exited() bool {
	select {
	case <-g.done:
		return true
	default:
		return false
	}
}

// stop ends tlsgate with SIGTERM (`ip netns exec` execs it, so the PID is
// tlsgate's) and kills it if it does not exit within stopWait.
func (g *gate) stop(t *testing.T) {
	if g.exited() {
		return
	}
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.done:
	case <-time.After(stopWait):
		t.Errorf("tlsgate did not exit within %v of SIGTERM; killing it", stopWait)
		_ = g.cmd.Process.Kill()
		<-g.done
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

// connEvent holds the keys of bigiplog.Event this test reads.
type connEvent struct {
	ID        uint64            `json:"id"`
	Listener  string            `json:"listener"`
	Mode      string            `json:"mode"`
	Route     string            `json:"route"`
	Client    string            `json:"client"`
	Virtual   string            `json:"virtual"`
	Diagnosis string            `json:"diagnosis"`
	OK        bool              `json:"ok"`
	Summary   string            `json:"summary"`
	SNI       string            `json:"sni"`
	ClientTLS legEvent          `json:"client_tls"`
	Backend   backendEvent      `json:"backend"`
	BytesUp   int64             `json:"bytes_up"`
	BytesDown int64             `json:"bytes_down"`
	BigIP     []string          `json:"bigip"`
	Cause     string            `json:"cause"`
	ClientSaw string            `json:"client_saw"`
	Evidence  map[string]string `json:"evidence"`
	// Interception keys; pointers tell a missing key (a tlsgate whose
	// event predates them) from an empty value.
	Transparent *string     `json:"transparent"`
	OrigDst     *string     `json:"orig_dst"`
	HTTP        []httpEvent `json:"http"`
}

// httpEvent is one decrypted HTTP/1 exchange of an event.
type httpEvent struct {
	Method    string `json:"method"`
	Target    string `json:"target"`
	Host      string `json:"host"`
	Proto     string `json:"proto"`
	Status    int    `json:"status"`
	ReqBytes  int64  `json:"req_bytes"`
	RespBytes int64  `json:"resp_bytes"`
}

type legEvent struct {
	Attempted bool     `json:"attempted"`
	Done      bool     `json:"done"`
	Version   string   `json:"version"`
	Cipher    string   `json:"cipher"`
	ALPN      string   `json:"alpn"`
	Err       string   `json:"err"`
	AlertSent int      `json:"alert_sent"`
	AlertRecv int      `json:"alert_recv"`
	Verify    string   `json:"verify"`
	PeerCert  []string `json:"peer_cert"`
}

type backendEvent struct {
	Addr   string   `json:"addr"`
	Local  string   `json:"local"`
	Remote string   `json:"remote"`
	Err    string   `json:"err"`
	TLS    legEvent `json:"tls"`
}

func (e *connEvent) String() string {
	b, _ := json.MarshalIndent(e, "", "  ")
	return string(b)
}

// lines parses the complete lines of the JSON log; the writer may be
// mid-line, so a trailing fragment is left for the next read.
func (g *gate) lines(t *testing.T) []logLine {
	t.Helper()
	text := g.readLog(t)
	i := strings.LastIndexByte(text, '\n')
	if i < 0 {
		return nil
	}
	var out []logLine
	for _, l := range strings.Split(text[:i], "\n") {
		var ll logLine
		if err := json.Unmarshal([]byte(l), &ll); err != nil {
			t.Fatalf("tlsgate log line is not JSON (%v): %q", err, l)
		}
		out = append(out, ll)
	}
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

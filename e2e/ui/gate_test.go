package ui

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// waitLimit caps every eventual condition; no assertion depends on speed.
const waitLimit = 20 * time.Second

// Names the test config uses.
const (
	webListener = "web"
	faultName   = "waf-block"
	blockedSNI  = "blocked.test"
	adminToken  = "classroom-token"
)

// gate is one running tlsgate subprocess with its admin API.
type gate struct {
	dir   string
	log   string // the log file
	admin string // admin API address, from the log
	web   string // the terminating listener's address, from the log
	caPEM string

	proc *tg.Proc
	out  *tg.Buffer
}

// startGate runs tlsgate with an admin API (with a token), one terminating
// listener in front of backend, and one fault rule that resets connections
// whose SNI is blocked.test after their ClientHello, like a WAF would.
// Both sockets bind port 0, and their addresses come from tlsgate's log
// (see tg.ListenAddrs): no other socket can hold a port meant for them.
func startGate(t *testing.T, backend string) *gate {
	t.Helper()
	dir := t.TempDir()
	g := &gate{dir: dir, log: filepath.Join(dir, "tlsgate.log"), caPEM: filepath.Join(dir, "ca", "ca.pem")}
	cfg := fmt.Sprintf(`[log]
format = "json"
file = %q
host = "lab-bigip"

[ca]
dir = %q

[shutdown]
grace = "1s"

[admin]
listen = "127.0.0.1:0"
token = %q

[[listener]]
name = %q
listen = "127.0.0.1:0"
mode = "terminate"
backend = %q

[[fault]]
name = %q
listener = %q
sni = %q
stage = "client_hello"
action = "reset"
`, g.log, filepath.Join(dir, "ca"), adminToken, webListener, backend, faultName, webListener, blockedSNI)
	cfgPath := filepath.Join(dir, "tlsgate.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	g.launch(t, cfgPath)
	return g
}

// launch starts the process and waits for the admin API's and the
// listener's "listening" lines, written once every socket listens, and
// takes both addresses from them.
func (g *gate) launch(t *testing.T, cfgPath string) {
	t.Helper()
	g.out = &tg.Buffer{}
	cmd := exec.Command(tlsgateBin, "run", "-c", cfgPath)
	cmd.Dir = g.dir
	cmd.Stdout, cmd.Stderr = g.out, g.out
	g.proc = tg.StartProc(t, cmd)
	deadline := time.Now().Add(waitLimit)
	for {
		// Exited before the read: the log is complete once the process
		// is reaped, so a line written before the exit is seen.
		exited := g.proc.Exited()
		log := g.readLog(t)
		admin, ok := tg.AdminListening(log)
		if web := tg.ListenAddrs(log)[webListener]; ok && web != "" {
			g.admin, g.web = admin, web
			return
		}
		if exited {
			t.Fatalf("tlsgate exited (%v) before it listened:\n%s\n%s", g.proc.State(), g.out.String(), log)
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate logged no \"listening\" lines for its admin API and listener %s within %v:\n%s\n%s",
				webListener, waitLimit, g.out.String(), log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readLog returns the whole log file ("" before it exists).
func (g *gate) readLog(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(g.log)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read log: %v", err)
	}
	return string(b)
}

// stop sends SIGTERM and checks for a clean exit without a panic.
func (g *gate) stop(t *testing.T) {
	t.Helper()
	if err := g.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	code, ok := g.proc.WaitExit(waitLimit)
	if !ok {
		t.Fatalf("tlsgate did not exit after SIGTERM:\n%s", g.out.String())
	}
	if out := g.out.String(); code != 0 || strings.Contains(out, "panic:") {
		t.Fatalf("tlsgate exit status %d:\n%s", code, out)
	}
}

// tryAPI calls the admin API with the bearer token; status 0 on a transport error.
func (g *gate) tryAPI(method, path string) (int, []byte) {
	return g.sendAPI(method, path, "")
}

// sendAPI is tryAPI with a JSON body ("" for none).
func (g *gate) sendAPI(method, path, body string) (int, []byte) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://"+g.admin+path, rd)
	if err != nil {
		return 0, nil
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// ruleStatus is the part of GET /faults the test reads.
type ruleStatus struct {
	Rule struct {
		Name string `json:"name"`
	} `json:"rule"`
	Enabled bool  `json:"enabled"`
	Fires   int64 `json:"fires"`
}

// fault returns the named rule's status from GET /faults.
func (g *gate) fault(t *testing.T, name string) ruleStatus {
	t.Helper()
	status, body := g.tryAPI("GET", "/faults")
	var list []ruleStatus
	if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
		t.Fatalf("GET /faults: %d %s", status, body)
	}
	for _, st := range list {
		if st.Rule.Name == name {
			return st
		}
	}
	t.Fatalf("GET /faults has no rule %q: %s", name, body)
	return ruleStatus{}
}

// connEvent is the part of one logged connection the test compares with the page.
type connEvent struct {
	ID         uint64            `json:"id"`
	Diagnosis  string            `json:"diagnosis"`
	Client     string            `json:"client"`
	FirstBytes string            `json:"first_bytes"`
	BigIP      []string          `json:"bigip"`
	Faults     []json.RawMessage `json:"faults"` // rule names or firing objects

	OK bool `json:"ok"`
}

// event waits until GET /events/recent holds a connection that match accepts.
func (g *gate) event(t *testing.T, what string, match func(connEvent) bool) connEvent {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		status, body := g.tryAPI("GET", "/events/recent")
		var evs []struct {
			Conn connEvent `json:"conn"`
		}
		if status == http.StatusOK && json.Unmarshal(body, &evs) == nil {
			for _, ev := range evs {
				if match(ev.Conn) {
					return ev.Conn
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no event for %s in /events/recent: %d %s", what, status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tlsGet makes one HTTPS request through the listener with sni, trusting
// tlsgate's lab CA. It returns the client's local address, so the test can
// find the connection's row, and the handshake or request error.
func (g *gate) tlsGet(t *testing.T, sni string) (string, error) {
	t.Helper()
	pemBytes, err := os.ReadFile(g.caPEM)
	if err != nil {
		t.Fatalf("lab CA: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("lab CA %s holds no certificate", g.caPEM)
	}
	raw, err := net.DialTimeout("tcp", g.web, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", g.web, err)
	}
	defer raw.Close()
	local := raw.LocalAddr().String()
	_ = raw.SetDeadline(time.Now().Add(10 * time.Second))
	c := tls.Client(raw, &tls.Config{ServerName: sni, RootCAs: pool, NextProtos: []string{"http/1.1"}})
	if err := c.Handshake(); err != nil {
		return local, err
	}
	if _, err := fmt.Fprintf(c, "GET /lesson HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", sni); err != nil {
		return local, err
	}
	resp, err := io.ReadAll(c)
	if err != nil && len(resp) == 0 {
		return local, err
	}
	if !bytes.HasPrefix(resp, []byte("HTTP/1.1 200 ")) {
		return local, fmt.Errorf("unexpected response %q", resp)
	}
	return local, nil
}

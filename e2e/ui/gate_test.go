package ui

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
	admin string // admin API address
	web   string // the terminating listener's address
	caPEM string

	proc *tg.Proc
	out  *tg.Buffer
}

// startGate runs tlsgate with an admin API (with a token), one terminating
// listener in front of backend, and one fault rule that resets connections
// whose SNI is blocked.test after their ClientHello, like a WAF would.
func startGate(t *testing.T, backend string) *gate {
	t.Helper()
	dir := t.TempDir()
	var last string
	for attempt := range 5 {
		ports := tg.FreePorts(t, 2)
		g := &gate{dir: dir, admin: loopback(ports[0]), web: loopback(ports[1]), caPEM: filepath.Join(dir, "ca", "ca.pem")}
		cfg := fmt.Sprintf(`[log]
format = "json"
file = %q
host = "lab-bigip"

[ca]
dir = %q

[shutdown]
grace = "1s"

[admin]
listen = %q
token = %q

[[listener]]
name = %q
listen = %q
mode = "terminate"
backend = %q

[[fault]]
name = %q
listener = %q
sni = %q
stage = "client_hello"
action = "reset"
`, filepath.Join(dir, "tlsgate.log"), filepath.Join(dir, "ca"), g.admin, adminToken,
			webListener, g.web, backend, faultName, webListener, blockedSNI)
		cfgPath := filepath.Join(dir, fmt.Sprintf("tlsgate-%d.toml", attempt))
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		if g.launch(t, cfgPath) {
			return g
		}
		last = g.out.String()
		if !strings.Contains(last, "address already in use") {
			break
		}
	}
	t.Fatalf("tlsgate did not start:\n%s", last)
	return nil
}

// loopback is the listen address of a loopback port.
func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// launch starts the process and waits until the admin API lists the
// listener, which is bound by then. It reports false when the process exited.
func (g *gate) launch(t *testing.T, cfgPath string) bool {
	t.Helper()
	g.out = &tg.Buffer{}
	cmd := exec.Command(tlsgateBin, "run", "-c", cfgPath)
	cmd.Dir = g.dir
	cmd.Stdout, cmd.Stderr = g.out, g.out
	g.proc = tg.StartProc(t, cmd)
	deadline := time.Now().Add(waitLimit)
	for {
		if g.proc.Exited() {
			return false
		}
		if status, body := g.tryAPI("GET", "/stats"); status == http.StatusOK && strings.Contains(string(body), `"name":"`+webListener+`"`) {
			return true
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate's admin API never listed listener %s:\n%s", webListener, g.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
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

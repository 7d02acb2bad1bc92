package faultse2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// Load shape: bounded in connections, requests and time.
const (
	loadConns    = 200
	loadRequests = 50
	loadFor      = 3 * time.Second
	loadHang     = 90 * time.Second // no hang: everything must be done by then
	loadHost     = "load.test"
	loadBody     = "/size/2000"
)

// adminCall sends one API request and returns the status and body.
func adminCall(t *testing.T, g *gate, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://"+g.admin+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// waveAddr is the local address wave w's connections dial from,
// 127.0.1.(w+1): each wave has its own, so a reused port cannot pair one
// wave's event with another's connection.
func waveAddr(w int) net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(w+1))}
}

// waveOf is the wave a load connection's address dialled from, or -1.
func waveOf(client string) int {
	host, _, err := net.SplitHostPort(client)
	ip := net.ParseIP(host).To4()
	if err != nil || ip == nil || ip[0] != 127 || ip[1] != 0 || ip[2] != 1 {
		return -1
	}
	return int(ip[3]) - 1
}

// loadResult is one load connection's outcome.
type loadResult struct {
	local    string
	wave     int
	requests int
	err      error
}

// loadConn opens one keep-alive connection with SNI loadHost once start
// closes, calls shaken when its handshake is over (whatever the result),
// and sends requests until loadRequests or loadFor, checking every body.
// It dials from waveAddr(wave): on loopback Linux reuses a closed
// connection's port (tcp_tw_reuse = 2), so a port alone does not tell an
// early wave's event from a late wave's.
func loadConn(x *env, wave int, start <-chan struct{}, shaken func()) loadResult {
	<-start
	c, local, err := goDialFrom(waveAddr(wave), x.addr(), x.config(loadHost), clientTimeout)
	shaken()
	r := loadResult{local: local}
	if err != nil {
		r.err = fmt.Errorf("handshake: %w", err)
		return r
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(clientTimeout + loadFor))
	br := bufio.NewReader(c)
	want := expectedBody(loadBody)
	until := time.Now().Add(loadFor)
	for r.requests < loadRequests && time.Now().Before(until) {
		if _, err := io.WriteString(c, httpGet(loadHost, loadBody, true)); err != nil {
			r.err = fmt.Errorf("request %d: %w", r.requests+1, err)
			return r
		}
		resp, body, err := readResponse(br)
		if err != nil {
			r.err = fmt.Errorf("response %d: %w", r.requests+1, err)
			return r
		}
		if resp.StatusCode != 200 || !bytes.Equal(body, want) {
			r.err = fmt.Errorf("response %d: status %d, %d body bytes, want 200 and the backend's %d bytes",
				r.requests+1, resp.StatusCode, len(body), len(want))
			return r
		}
		r.requests++
	}
	return r
}

// TestAdminUnderLoad changes rules through the admin API while 200
// keep-alive connections run request loops. The connections open in ten
// waves, each after a step of the churn, so their plans are fixed under
// known rule sets. Every step adds and removes rules for another host and
// another listener (destructive ones: reset), and every third step adds,
// then removes two steps later, a rule that does select the load's SNI
// but only adds 1 ms of latency. Nothing may hang; every connection must
// complete all its requests with the backend's exact bodies; its event
// must name the latency rule exactly when its wave opened while that rule
// was in, and no other rule. Afterwards a rule added through the API must
// take effect, and go away when removed.
func TestAdminUnderLoad(t *testing.T) {
	t.Parallel()
	const waves = 10
	be := startBackend(t, nil)
	g := startGate(t, gateConfig{admin: true, listeners: []spec{
		{Name: "load", TOML: terminate(be)},
		{Name: "other", TOML: terminate(be)},
	}})
	x := &env{g: g, lis: "load", be: be, caFile: g.CAPEM(), pool: tg.PoolFromFile(t, g.CAPEM())}

	// Wave w opens when release[w] closes; shaken[w] counts its finished
	// handshakes, so the churn's next step waits for the plans to be fixed.
	var release [waves]chan struct{}
	var shaken [waves]sync.WaitGroup
	for w := range release {
		release[w] = make(chan struct{})
		shaken[w].Add(loadConns / waves)
	}
	results := make(chan loadResult, loadConns)
	var wg sync.WaitGroup
	for i := range loadConns {
		w := i % waves
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := loadConn(x, w, release[w], shaken[w].Done)
			r.wave = w
			results <- r
		}()
	}

	loadDone := make(chan struct{})
	var churnWG sync.WaitGroup
	var calls atomic.Int64
	var churnMu sync.Mutex
	var churnErrs []string
	churnFail := func(format string, args ...any) {
		churnMu.Lock()
		churnErrs = append(churnErrs, fmt.Sprintf(format, args...))
		churnMu.Unlock()
	}
	churnWG.Add(1)
	go func() {
		defer churnWG.Done()
		want := func(method, path string, body any, status int) {
			got, b := adminCall(t, g, method, path, body)
			calls.Add(1)
			if got != status {
				churnFail("%s %s: status %d, want %d: %s", method, path, got, status, b)
			}
		}
		close(release[0])
		waitGroup(&shaken[0], loadHang)
		for k := 0; ; k++ {
			select {
			case <-loadDone:
				return
			default:
			}
			want("POST", "/faults", map[string]any{"name": fmt.Sprintf("other-host-%d", k), "sni": "*.other.test", "action": "reset"}, http.StatusCreated)
			want("POST", "/faults", map[string]any{"name": fmt.Sprintf("other-listener-%d", k), "listener": "other", "stage": "accept", "action": "reset"}, http.StatusCreated)
			if k%3 == 0 {
				want("POST", "/faults", map[string]any{"name": "load-latency", "sni": loadHost, "stage": "client_hello",
					"action": "latency", "latency": "1ms"}, http.StatusCreated)
			}
			want("GET", "/faults", nil, http.StatusOK)
			if k > 0 {
				want("POST", fmt.Sprintf("/faults/other-host-%d/disable", k-1), nil, http.StatusOK)
				want("DELETE", fmt.Sprintf("/faults/other-host-%d", k-1), nil, http.StatusNoContent)
				want("DELETE", fmt.Sprintf("/faults/other-listener-%d", k-1), nil, http.StatusNoContent)
			}
			if k%3 == 2 {
				want("DELETE", "/faults/load-latency", nil, http.StatusNoContent)
			}
			if k+1 < waves {
				close(release[k+1])
				waitGroup(&shaken[k+1], loadHang)
			}
		}
	}()

	if !waitGroup(&wg, loadHang) {
		close(loadDone)
		t.Fatalf("the load did not finish within %v: a hang", loadHang)
	}
	close(loadDone)
	churnWG.Wait()
	close(results)
	for _, e := range churnErrs {
		t.Errorf("admin API under load: %s", e)
	}

	byClient := map[string]loadResult{}
	total := 0
	for r := range results {
		if r.err != nil {
			t.Errorf("load connection %s (wave %d): %v (after %d requests)", r.local, r.wave, r.err, r.requests)
		} else if r.requests == 0 {
			t.Errorf("load connection %s: no request completed", r.local)
		}
		byClient[r.local] = r
		total += r.requests
	}
	// Waves 1, 2, 4, 5, 7 and 8 open after a step that leaves the latency
	// rule in (added at steps 0, 3, 6; removed at 2, 5, 8).
	latencyWave := func(w int) bool { return w%3 != 0 }
	latencyHits := 0
	for _, e := range g.waitEvents(t, "load", loadConns) {
		r, ok := byClient[e.Client]
		if !ok {
			t.Errorf("event from %s, not a load connection: %s", e.Client, e)
			continue
		}
		if w := waveOf(e.Client); w != r.wave {
			t.Errorf("event from %s: wave %d by its address, %d by the load", e.Client, w, r.wave)
		}
		want := []string(nil)
		if latencyWave(r.wave) {
			want = []string{"load-latency"}
			latencyHits++
		}
		if got := e.fired(); !slices.Equal(got, want) {
			t.Errorf("load connection %s of wave %d (%d requests): rules %v fired, want %v", e.Client, r.wave, r.requests, got, want)
		}
		if strings.HasPrefix(e.Route, "fault_") {
			t.Errorf("load connection %s: route %s", e.Client, e.Route)
		}
	}
	t.Logf("%d connections, %d requests, %d admin API calls; load-latency selected %d connections",
		loadConns, total, calls.Load(), latencyHits)

	// The API's rules do take effect: a reset for other.test, then gone.
	if st, b := adminCall(t, g, "PUT", "/faults", []any{}); st != http.StatusOK {
		t.Fatalf("PUT /faults []: %d %s", st, b)
	}
	if st, b := adminCall(t, g, "POST", "/faults", map[string]any{"name": "late-reset", "sni": "*.other.test", "action": "reset"}); st != http.StatusCreated {
		t.Fatalf("add late-reset: %d %s", st, b)
	}
	y := &env{g: g, lis: "other", be: be, caFile: g.CAPEM(), pool: x.pool}
	r := y.curl(t, clientTimeout, "www.other.test", "/hello")
	r.want(t, 35, curlReset...)
	wantFired(t, g.nth(t, "other", 1), "late-reset", "reset")
	if st, b := adminCall(t, g, "DELETE", "/faults/late-reset", nil); st != http.StatusNoContent {
		t.Fatalf("remove late-reset: %d %s", st, b)
	}
	r = y.curl(t, clientTimeout, "www.other.test", "/hello")
	r.want(t, 0)
	wantNotFired(t, g.nth(t, "other", 2))
	g.stop(t)
}

// waitGroup waits for wg, at most limit; it reports whether wg finished.
func waitGroup(wg *sync.WaitGroup, limit time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(limit):
		return false
	}
}

// runCLI runs `tlsgate fault args… --admin URL` and returns its exit code
// and output.
func runCLI(t *testing.T, g *gate, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	full := append([]string{"fault"}, args...)
	full = append(full, "--admin", "http://"+g.admin)
	out, err := exec.CommandContext(ctx, tlsgateBin, full...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatalf("tlsgate %v: %v", full, err)
	}
	return 0, string(out)
}

// TestFaultCLI drives `tlsgate fault add|ls|disable|enable|rm` against a
// running instance and checks each change with a real client.
func TestFaultCLI(t *testing.T) {
	t.Parallel()
	be := startBackend(t, nil)
	g := startGate(t, gateConfig{admin: true, listeners: []spec{{Name: "cli", TOML: terminate(be)}}})
	x := &env{g: g, lis: "cli", be: be, caFile: g.CAPEM(), pool: tg.PoolFromFile(t, g.CAPEM())}
	n := 0
	// expect runs curl with SNI host: exit 0 and no rule, or exit and rule.
	expect := func(host string, exit int, rule, stop string, texts ...string) {
		t.Helper()
		r := x.curl(t, clientTimeout, host, "/hello")
		r.want(t, exit, texts...)
		n++
		e := g.nth(t, "cli", n)
		if rule == "" {
			wantNotFired(t, e)
		} else {
			wantFired(t, e, rule, stop)
		}
	}
	mustCLI := func(wantOut string, args ...string) string {
		t.Helper()
		code, out := runCLI(t, g, args...)
		if code != 0 || !strings.Contains(out, wantOut) {
			t.Fatalf("tlsgate fault %v: exit %d, output %q, want 0 and %q", args, code, out, wantOut)
		}
		return out
	}

	mustCLI("no fault rules", "ls")
	mustCLI("added rule cli-reset", "add", "-n", "cli-reset", "--action", "reset", "--stage", "client_hello", "--sni", "*.cli.test")
	mustCLI("added rule cli-chain", "add", "--json", `{"name":"cli-chain","sni":"expired.lab.test","action":"chain","chain":"expired"}`)
	mustCLI("added rule cli-alert", "add", "-n", "cli-alert", "--action", "alert", "--sni", "alert.lab.test", "--param", "alert=unrecognized_name")
	out := mustCLI("cli-reset", "ls")
	for _, name := range []string{"cli-chain", "cli-alert", "reset", "chain", "alert"} {
		if !strings.Contains(out, name) {
			t.Errorf("fault ls does not show %q:\n%s", name, out)
		}
	}

	expect("www.cli.test", 35, "cli-reset", "reset", curlReset...)
	expect("expired.lab.test", 60, "cli-chain", "", "certificate has expired")
	expect("alert.lab.test", 35, "cli-alert", "alert", "tlsv1 unrecognized name")
	expect(labHost, 0, "", "")

	var sts []struct {
		Rule struct {
			Name string `json:"name"`
		} `json:"rule"`
		Fires int64 `json:"fires"`
	}
	if err := json.Unmarshal([]byte(mustCLI("cli-reset", "ls", "--json")), &sts); err != nil {
		t.Fatalf("fault ls --json: %v", err)
	}
	for _, st := range sts {
		if st.Fires != 1 {
			t.Errorf("rule %s fired %d times, want 1", st.Rule.Name, st.Fires)
		}
	}

	mustCLI("disabled rule cli-reset", "disable", "cli-reset")
	expect("www.cli.test", 0, "", "")
	mustCLI("enabled rule cli-reset", "enable", "cli-reset")
	expect("www.cli.test", 35, "cli-reset", "reset", curlReset...)
	mustCLI("removed rule cli-reset", "rm", "cli-reset", "cli-chain", "cli-alert")
	mustCLI("no fault rules", "ls")
	expect("www.cli.test", 0, "", "")

	// Bad input: the CLI fails and names the field.
	for _, bad := range []struct {
		args  []string
		field string
	}{
		{[]string{"add", "-n", "bad", "--action", "explode"}, "action"},
		{[]string{"add", "-n", "bad", "--action", "reset", "--stage", "accept", "--sni", "x.test"}, "sni"},
		{[]string{"add", "-n", "bad", "--action", "mtu", "--param", "mtu=10"}, "mtu"},
		{[]string{"rm", "no-such-rule"}, "no-such-rule"},
	} {
		code, out := runCLI(t, g, bad.args...)
		if code == 0 || !strings.Contains(out, bad.field) {
			t.Errorf("tlsgate fault %v: exit %d, output %q; want a failure naming %q", bad.args, code, out, bad.field)
		}
	}
	g.stop(t)
}

//go:build linux

package listener

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRefuseListenerDown: a refuse rule (mode listener_down) makes the
// listener's port refuse SYNs with an RST while the rule holds, on both
// engines: curl exits 7 and a Go dialer gets "connect: connection
// refused". Removing the rule, or its duration running out, makes the
// same port serve a real request again. The accept loops survive the
// down time: the goroutine path once ended on accept's EINVAL.
func TestRefuseListenerDown(t *testing.T) {
	needEpoll(t)
	backendAddr := servedBackend(t)
	for _, engine := range testEngines {
		for _, how := range []string{"added at runtime, then removed", "in the rules at start, then disabled", "ends by its duration"} {
			t.Run(string(engine)+"/"+how, func(t *testing.T) {
				needEngine(t, engine)
				e := faults.NewEngine(nil)
				rule := faults.Rule{Name: "port-closed", Action: faults.ActRefuse, Listener: "web"}
				atStart, expires := strings.Contains(how, "at start"), strings.Contains(how, "duration")
				if expires {
					rule.Duration = faults.Duration(200 * time.Millisecond)
				}
				if atStart {
					if err := e.Add(rule); err != nil {
						t.Fatal(err)
					}
				}
				h := startListenerDeps(t, Options{Name: "web", Mode: Plaintext, Backend: backendAddr, Engine: engine},
					func(d *Deps) { d.Faults = e })
				defer func() {
					h.srv.mu.Lock()
					loops := h.srv.eng != nil
					h.srv.mu.Unlock()
					if loops != (engine != EngineGoroutines) {
						t.Errorf("engine %s: event loops (epoll or uring) running = %t", engine, loops)
					}
				}()
				if !atStart {
					getOK(t, h.addr) // served before the rule
					h.next()
					if err := e.Add(rule); err != nil {
						t.Fatal(err)
					}
				}
				waitLog(t, h, "listener down")
				if !expires {
					// The refusal itself; a rule that expires on its own is
					// checked only for coming back, since how long its
					// window lasts on a busy machine is not ours to assert.
					assertRefused(t, h.addr)
					if down, downs := h.srv.Down(); !down || downs != 1 {
						t.Fatalf("Down() = %t, %d while the rule holds", down, downs)
					}
					if fires := e.List()[0].Fires; fires != 1 {
						t.Fatalf("rule fires = %d, want 1 (it went down once)", fires)
					}
					select {
					case r := <-h.out:
						t.Fatalf("a refusal was logged as a connection: %s", r.d.Code)
					default:
					}
				}
				switch {
				case atStart:
					if err := e.SetEnabled(rule.Name, false); err != nil {
						t.Fatal(err)
					}
				case !expires:
					if err := e.Remove(rule.Name); err != nil {
						t.Fatal(err)
					}
				}
				waitLog(t, h, "listener up")
				getOK(t, h.addr)
				h.next()
				exit, stdout, stderr := runTool(t, needTool(t, "curl", "curl"), "-q", "-sS", "--noproxy", "*", "--max-time", "20",
					"http://"+h.addr+"/")
				if exit != 0 || !strings.Contains(stdout, "served by the backend") {
					t.Fatalf("curl after the rule ended: exit %d, %q %q", exit, stdout, stderr)
				}
				h.next()
				if down, _ := h.srv.Down(); down {
					t.Fatal("Down() still true after the rule ended")
				}
			})
		}
	}
}

// assertRefused wants both clients to be refused at connect: a Go dialer
// and curl, in their own words (client-symptoms.md row 23).
func assertRefused(t *testing.T, addr string) {
	t.Helper()
	_, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) || !strings.Contains(err.Error(), "connect: connection refused") {
		t.Fatalf("Go dial while down: %v, want dial tcp …: connect: connection refused", err)
	}
	exit, _, stderr := runTool(t, needTool(t, "curl", "curl"), "-q", "-sS", "--noproxy", "*", "--max-time", "20", "http://"+addr+"/")
	if exit != 7 || !strings.Contains(stderr, "Couldn't connect to server") && !strings.Contains(stderr, "Connection refused") {
		t.Fatalf("curl while down: exit %d, %q; want (7) Failed to connect … Couldn't connect to server", exit, stderr)
	}
}

// getOK makes one Go HTTP request to addr and wants the backend's answer.
func getOK(t *testing.T, addr string) {
	t.Helper()
	c := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("GET http://%s/: %v", addr, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "served by the backend") {
		t.Fatalf("GET http://%s/: %d %q", addr, resp.StatusCode, body)
	}
}

// waitLog waits for a log line containing msg; the bound is a hang guard.
func waitLog(t *testing.T, h *harness, msg string) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); h.logs.FilterMessageSnippet(msg).Len() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("no %q log line after 20s", msg)
		}
	}
}

// servedBackend is an HTTP backend that answers every request with "served
// by the backend", for the refuse tests to tell a served port from a
// refused or silent one.
func servedBackend(t *testing.T) string {
	t.Helper()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "served by the backend\n")
	}))
	t.Cleanup(backend.Close)
	return strings.TrimPrefix(backend.URL, "http://")
}

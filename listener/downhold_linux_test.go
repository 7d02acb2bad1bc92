//go:build linux

package listener

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/pki"
)

// TestRefuseHoldsPort: while a refuse rule holds a listener down, its
// port is not free: another socket that reuses the address (as Go's
// net.Listen and a second tlsgate do) cannot bind it, on the listener's
// address or the wildcard. Linux let such a bind share the port with a
// bound socket that does not listen, so the other process took the port,
// tlsgate could not listen again when the rule ended (address already in
// use) and clients reached the other process. When the rule ends the
// listener listens again, also with TIME_WAIT sockets on the port left by
// connections it served before. Both ways down are covered: a listening
// socket shut down (bound to port 0, which loses its port then) and a
// socket bound without listening by Listen (a rule in the config).
func TestRefuseHoldsPort(t *testing.T) {
	backendAddr := servedBackend(t)
	rule := faults.Rule{Name: "port-closed", Action: faults.ActRefuse, Listener: "web"}
	for _, atStart := range []bool{false, true} {
		name := "shut down while listening"
		if atStart {
			name = "bound down by Listen"
		}
		t.Run(name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			var h *harness
			if atStart {
				if err := e.Add(rule); err != nil {
					t.Fatal(err)
				}
				h = listenHeldDown(t, Options{Name: "web", Listen: "127.0.0.1:0", Mode: Plaintext, Backend: backendAddr}, e)
			} else {
				h = startListenerDeps(t, Options{Name: "web", Mode: Plaintext, Backend: backendAddr},
					func(d *Deps) { d.Faults = e })
			}
			_, port, _ := net.SplitHostPort(h.addr)
			downs := 0
			for round := 0; round < 2; round++ {
				if round > 0 || !atStart {
					// Connections served before leave TIME_WAIT sockets on
					// the port; listen must get past them when it comes back.
					for i := 0; i < 3; i++ {
						getOK(t, h.addr)
						h.next()
					}
					if err := e.Add(rule); err != nil {
						t.Fatal(err)
					}
				}
				downs++
				waitLogN(t, h, "listener down", downs)
				for _, other := range []string{h.addr, net.JoinHostPort("0.0.0.0", port)} {
					ln, err := net.Listen("tcp", other)
					if err == nil {
						ln.Close()
						t.Fatalf("round %d: another listener bound %s while the refuse rule held it down", round, other)
					}
					if !errors.Is(err, syscall.EADDRINUSE) {
						t.Fatalf("round %d: net.Listen %s while down: %v, want address already in use", round, other, err)
					}
				}
				t.Logf("round %d: %d TIME_WAIT sockets on port %s while down", round, timeWaits(t, port), port)
				if err := e.Remove(rule.Name); err != nil {
					t.Fatal(err)
				}
				waitLogN(t, h, "listener up", downs)
				if n := h.logs.FilterMessageSnippet("could not listen again").Len(); n != 0 {
					t.Fatalf("round %d: %d could-not-listen-again lines", round, n)
				}
				getOK(t, h.addr)
				h.next()
			}
		})
	}
}

// listenHeldDown is startListenerDeps through Server.Listen, with the
// rules of e already in force: the socket is bound without listening.
func listenHeldDown(t *testing.T, opts Options, e *faults.Engine) *harness {
	t.Helper()
	core, logs := observer.New(zap.InfoLevel)
	ca, err := pki.New(time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, out: make(chan result, 64), logs: logs}
	srv, err := New(opts, Deps{Logger: zap.New(core), Faults: e, Minter: pki.NewMinter(ca, time.Now, rand.Reader),
		OnOutcome: func(o *explain.Outcome, d *explain.Diagnosis) { h.out <- result{o, d} }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen(context.Background(), net.ListenConfig{})
	if err != nil {
		t.Fatal(err)
	}
	h.serve(srv, ln)
	return h
}

// waitLogN waits until n log lines contain msg; the bound is a hang guard.
func waitLogN(t *testing.T, h *harness, msg string, n int) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); h.logs.FilterMessageSnippet(msg).Len() < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%d %q log lines after 20s, want %d", h.logs.FilterMessageSnippet(msg).Len(), msg, n)
		}
	}
}

// timeWaits counts the IPv4 sockets in TIME_WAIT whose local port is
// port, from /proc/net/tcp; the test reports it, so a run shows that the
// case it covers came up.
func timeWaits(t *testing.T, port string) int {
	t.Helper()
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return -1
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || fields[3] != "06" { // 06: TCP_TIME_WAIT
			continue
		}
		_, hexPort, ok := strings.Cut(fields[1], ":")
		if v, err := strconv.ParseUint(hexPort, 16, 16); ok && err == nil && int(v) == p {
			n++
		}
	}
	return n
}

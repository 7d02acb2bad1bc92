//go:build linux

package listener

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRefuseSynDrop: a refuse rule with mode syn_drop makes the port drop
// SYNs while it holds, on every engine: a Go dialer's connect times out
// (a net.Error whose Timeout is true, "i/o timeout"), never refused and
// never connected, and nothing is logged as a connection. The down and up
// lines say SYNs are dropped, and the down line's check tells DROP from
// REJECT. Removing or disabling the rule makes the same port serve a real
// request again, curl too. Only the kind of error is asserted: the dial's
// short timeout is how long a dropped SYN is waited for, not a claim about
// how fast anything runs.
func TestRefuseSynDrop(t *testing.T) {
	needEpoll(t)
	backendAddr := servedBackend(t)
	for _, engine := range testEngines {
		for _, how := range []string{"added at runtime, then removed", "in the rules at start, then disabled"} {
			t.Run(string(engine)+"/"+how, func(t *testing.T) {
				needEngine(t, engine)
				e := faults.NewEngine(nil)
				rule := faults.Rule{Name: "syn-drop", Action: faults.ActRefuse, Mode: faults.ModeSynDrop, Listener: "web"}
				atStart := strings.Contains(how, "at start")
				if atStart {
					if err := e.Add(rule); err != nil {
						t.Fatal(err)
					}
				}
				h := startListenerDeps(t, Options{Name: "web", Mode: Plaintext, Backend: backendAddr, Engine: engine},
					func(d *Deps) { d.Faults = e })
				if !atStart {
					getOK(t, h.addr)
					h.next()
					if err := e.Add(rule); err != nil {
						t.Fatal(err)
					}
				}
				waitLog(t, h, "listener down, dropping SYNs")
				assertDropped(t, h.addr)
				down := h.logs.FilterMessageSnippet("listener down, dropping SYNs").All()[0].ContextMap()
				if sym, _ := down["symptom"].(string); !strings.Contains(sym, "curl (28)") || !strings.Contains(sym, "i/o timeout") {
					t.Errorf("down line symptom %q, want curl (28) and Go's i/o timeout", sym)
				}
				_, port, _ := net.SplitHostPort(h.addr)
				if check, _ := down["check"].(string); !strings.Contains(check, "ss -lnt 'sport = :"+port+"'") ||
					!strings.Contains(check, "no SYN-ACK") || !strings.Contains(check, "curl (7)") {
					t.Errorf("down line check %q, want how to tell DROP from REJECT (ss, tcpdump, curl (7))", check)
				}
				if down, downs := h.srv.Down(); !down || downs != 1 {
					t.Fatalf("Down() = %t, %d while the rule holds", down, downs)
				}
				select {
				case r := <-h.out:
					t.Fatalf("a dropped SYN was logged as a connection: %s", r.d.Code)
				default:
				}
				if atStart {
					if err := e.SetEnabled(rule.Name, false); err != nil {
						t.Fatal(err)
					}
				} else if err := e.Remove(rule.Name); err != nil {
					t.Fatal(err)
				}
				waitLog(t, h, "listener up: answering SYNs")
				if n := h.logs.FilterMessageSnippet("could not attach").Len(); n != 0 {
					t.Errorf("%d lines say the filter could not be attached", n)
				}
				getOK(t, h.addr)
				h.next()
				exit, stdout, stderr := runTool(t, needTool(t, "curl", "curl"), "-q", "-sS", "--noproxy", "*", "--max-time", "20",
					"http://"+h.addr+"/")
				if exit != 0 || !strings.Contains(stdout, "served by the backend") {
					t.Fatalf("curl after the rule ended: exit %d, %q %q", exit, stdout, stderr)
				}
				h.next()
				select {
				case r := <-h.out:
					// A dropped SYN makes no connection to log.
					t.Fatalf("an extra connection was logged: %s", r.d.Code)
				default:
				}
			})
		}
	}
}

// assertDropped wants a Go dialer's connect to addr to time out: its SYN
// got neither a SYN-ACK nor an RST.
func assertDropped(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
	if err == nil {
		c.Close()
		t.Fatalf("Go dial while dropping: connected, want i/o timeout")
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !strings.Contains(err.Error(), "i/o timeout") || errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Go dial while dropping: %v, want dial tcp …: i/o timeout", err)
	}
}

// TestRefuseModeSwitch: when the rule a listener is down for ends and a
// rule of the other mode holds it, the port changes how it refuses, and
// the stays-down line says which: a listener_down rule's RST gives way to
// a syn_drop rule's timeout, and back, and the port serves when both end.
func TestRefuseModeSwitch(t *testing.T) {
	needEpoll(t)
	backendAddr := servedBackend(t)
	for _, engine := range testEngines {
		t.Run(string(engine), func(t *testing.T) {
			needEngine(t, engine)
			e := faults.NewEngine(nil)
			reject := faults.Rule{Name: "reject", Action: faults.ActRefuse, Listener: "web"}
			drop := faults.Rule{Name: "drop", Action: faults.ActRefuse, Mode: faults.ModeSynDrop, Listener: "web"}
			h := startListenerDeps(t, Options{Name: "web", Mode: Plaintext, Backend: backendAddr, Engine: engine},
				func(d *Deps) { d.Faults = e })
			steps := []struct {
				do   func() error
				line string
				want func(*testing.T, string)
			}{
				{func() error { return e.Add(reject) }, "listener down: new connections refused", assertRefusedGo},
				{func() error { return e.Add(drop) }, "another refuse rule now holds the listener too", assertRefusedGo},
				{func() error { return e.Remove(reject.Name) }, "listener stays down, dropping SYNs", assertDropped},
				{func() error { return e.Add(reject) }, "", assertDropped},
				{func() error { return e.Remove(drop.Name) }, "listener stays down: the refuse rule that held it ended", assertRefusedGo},
				{func() error { return e.Remove(reject.Name) }, "listener up", func(t *testing.T, addr string) { getOK(t, addr) }},
			}
			for i, st := range steps {
				if err := st.do(); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if st.line != "" {
					waitLog(t, h, st.line)
				} else {
					// No line: reject joins while drop holds; wait for
					// the also-held line of this second time.
					for end := time.Now().Add(20 * time.Second); h.logs.FilterMessageSnippet("now holds the listener too").Len() < 2; time.Sleep(5 * time.Millisecond) {
						if time.Now().After(end) {
							t.Fatal("no second also-held line")
						}
					}
				}
				st.want(t, h.addr)
			}
		})
	}
}

// assertRefusedGo wants a Go dialer refused at connect (an RST).
func assertRefusedGo(t *testing.T, addr string) {
	t.Helper()
	if _, err := net.DialTimeout("tcp", addr, 10*time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Go dial: %v, want connect: connection refused", err)
	}
}

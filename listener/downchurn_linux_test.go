//go:build linux

package listener

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tlsgate/tlsgate/bigiplog"
	"github.com/tlsgate/tlsgate/faults"
)

// TestConnectCloseLoggedOnceUnderRefuseChurn: every connection a client
// opens and closes without a byte (the e2e gate's readiness probe) is
// logged exactly once, on every engine, while a refuse rule of the same
// fault engine takes ANOTHER listener down and brings it up again, over
// and over, with clients of its own meeting its refusals. CI once waited
// 20s for such a probe's line on an epoll listener while a refuse rule
// held another listener down (session 18); this stress did not find a
// lost line, and keeps it so. Lines are counted per client address, since
// ports are reused. The churned listener's own clients are not counted: a
// SYN it refuses makes no connection (what its accept queue held when it
// stopped listening is served: TestRefuseServesTheAcceptQueue).
func TestConnectCloseLoggedOnceUnderRefuseChurn(t *testing.T) {
	const (
		cycles  = 30  // refuse rule added and removed
		clients = 4   // connect-and-close goroutines
		perMax  = 500 // connections per client at most
	)
	for _, engine := range testEngines {
		t.Run(string(engine), func(t *testing.T) {
			needEngine(t, engine)
			e := faults.NewEngine(nil)
			web := startListenerDeps(t, Options{Name: "web", Mode: Plaintext, Backend: "127.0.0.1:9", Engine: engine},
				func(d *Deps) { d.Faults = e; d.OnOutcome = nil })
			probe, probeAddr, probeLogs := startCounted(t, Options{Name: "probe", Mode: Plaintext, Backend: "127.0.0.1:9", Engine: engine}, e)

			churned := make(chan struct{})
			go func() {
				defer close(churned)
				for range cycles {
					if err := e.Add(faults.Rule{Name: "port-closed", Action: faults.ActRefuse, Listener: "web"}); err != nil {
						t.Error(err)
						return
					}
					if !waitDown(web.srv, true) {
						t.Error("web not down 20s after the refuse rule came")
						return
					}
					if err := e.Remove("port-closed"); err != nil {
						t.Error(err)
						return
					}
					if !waitDown(web.srv, false) {
						t.Error("web not up 20s after the refuse rule went")
						return
					}
				}
			}()

			var mu sync.Mutex
			sent := map[string]int{} // client address: connections from it
			total, whileDown := 0, 0
			var wg sync.WaitGroup
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range perMax {
						select {
						case <-churned:
							return
						default:
						}
						c, err := net.DialTimeout("tcp", probeAddr, 10*time.Second)
						if err != nil {
							t.Errorf("dial %s: %v", probeAddr, err)
							return
						}
						from := c.LocalAddr().String()
						_ = c.Close()
						down, _ := web.srv.Down()
						mu.Lock()
						sent[from]++
						total++
						if down {
							whileDown++
						}
						mu.Unlock()
					}
				}()
			}
			// The churned listener's own clients, uncounted: its loops
			// accept, meet EINVAL and wait while the probe's work.
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range perMax {
					select {
					case <-churned:
						return
					default:
					}
					if c, err := net.DialTimeout("tcp", web.addr, 10*time.Second); err == nil {
						_ = c.Close()
					}
				}
			}()
			wg.Wait()
			<-churned
			if t.Failed() {
				t.FailNow()
			}
			if _, downs := web.srv.Down(); downs != cycles {
				t.Fatalf("web went down %d times, want %d", downs, cycles)
			}

			// A lost line shows as a count that stops short; the bound is a
			// hang guard.
			for end := time.Now().Add(20 * time.Second); countTotal(countConnLines(t, probeLogs)) < total && time.Now().Before(end); {
				time.Sleep(5 * time.Millisecond)
			}
			// Shutdown returns once every connection ended and was logged,
			// so no line can come after the count; one that never ended
			// (never handed back nor reported) keeps it waiting.
			if err := shutdownBounded(probe); err != nil {
				t.Error(err)
			}
			logged := countConnLines(t, probeLogs)
			n := 0
			for from, want := range sent {
				if got := logged[from]; got != want {
					n++
					if n <= 5 {
						t.Errorf("client %s: %d connection lines for %d connections", from, got, want)
					}
				}
				delete(logged, from)
			}
			for from, got := range logged {
				t.Errorf("client %s: %d connection lines, no connection made from it", from, got)
			}
			t.Logf("%d connections (%d while web was down) over %d down-up cycles; %d clients logged wrong", total, whileDown, cycles, n)
		})
	}
}

// startCounted serves opts with engine e's rules like startListenerDeps,
// but its caller shuts it down (shutdownBounded): a connection that never
// ends must fail the test, not hang the harness's clean-up.
func startCounted(t *testing.T, opts Options, e *faults.Engine) (*Server, string, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zap.InfoLevel)
	srv, err := New(opts, Deps{Logger: zap.New(core), Faults: e})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := shutdownBounded(srv); err != nil {
			t.Error(err)
			return // Serve waits on the same connection
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, ln.Addr().String(), logs
}

// shutdownBounded shuts srv down, cutting what is left after a grace, and
// reports a Shutdown still waiting 20s later: a connection that neither
// ended nor was reported (its slot is never given back).
func shutdownBounded(srv *Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("shutdown had to cut connections: %w", err)
		}
		return nil
	case <-time.After(20 * time.Second):
		return errors.New("shutdown still waits for a connection 25s after it began: one was never ended")
	}
}

// countTotal sums n's counts.
func countTotal(n map[string]int) int {
	total := 0
	for _, k := range n {
		total += k
	}
	return total
}

// waitDown waits until s.Down() reports down; false after the bound (a
// hang guard, not a timing assertion).
func waitDown(s *Server, down bool) bool {
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		if d, _ := s.Down(); d == down {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}

// countConnLines counts the connection log lines in logs (those carrying a
// bigiplog event) by client address: the lines themselves, not OnOutcome,
// which is called even for a line the level leaves out.
func countConnLines(t *testing.T, logs *observer.ObservedLogs) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, ent := range logs.All() {
		for _, f := range ent.Context {
			if f.Key != bigiplog.EventKey {
				continue
			}
			ev, ok := f.Interface.(*bigiplog.Event)
			if !ok {
				t.Fatalf("log line %q: %s is a %T, want *bigiplog.Event", ent.Message, f.Key, f.Interface)
			}
			n[ev.Outcome.Client.String()]++
		}
	}
	return n
}

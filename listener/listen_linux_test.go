//go:build linux

package listener

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
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

// TestListenHeldDownFromStart: with a refuse rule in the rules before the
// socket is bound, Listen binds it without listening, so a client that
// connects before Serve runs is refused as later ones are, instead of
// being accepted by the kernel and reset when the socket then stops
// listening. Listen neither logs nor counts it: Serve does (one down line,
// one down counted, after run.go's "listening" line), and
// removing the rule makes the same port serve. Without a rule, Listen
// listens at once as before: an early client waits in the queue and is
// served. A wildcard address is dual-stack, as Go's own listener is.
func TestListenHeldDownFromStart(t *testing.T) {
	needEpoll(t)
	backendAddr := servedBackend(t)
	for _, engine := range testEngines {
		for _, tc := range []struct {
			name, listen string
			rule         bool
		}{
			{"refuse rule, loopback", "127.0.0.1:0", true},
			{"refuse rule, wildcard", ":0", true},
			{"no rule", "127.0.0.1:0", false},
		} {
			t.Run(string(engine)+"/"+tc.name, func(t *testing.T) {
				needEngine(t, engine)
				e := faults.NewEngine(nil)
				rule := faults.Rule{Name: "port-closed", Action: faults.ActRefuse, Listener: "web"}
				if tc.rule {
					if err := e.Add(rule); err != nil {
						t.Fatal(err)
					}
				}
				core, logs := observer.New(zap.InfoLevel)
				ca, err := pki.New(time.Now, rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				out := make(chan *explain.Outcome, 16)
				srv, err := New(Options{Name: "web", Listen: tc.listen, Mode: Plaintext, Backend: backendAddr, Engine: engine},
					Deps{Logger: zap.New(core), Faults: e, Minter: pki.NewMinter(ca, time.Now, rand.Reader),
						OnOutcome: func(o *explain.Outcome, _ *explain.Diagnosis) { out <- o }})
				if err != nil {
					t.Fatal(err)
				}
				ln, err := srv.Listen(context.Background(), net.ListenConfig{})
				if err != nil {
					t.Fatal(err)
				}
				_, port, _ := net.SplitHostPort(ln.Addr().String())
				addr := net.JoinHostPort("127.0.0.1", port)
				h := &harness{t: t, srv: srv, addr: addr, logs: logs}

				// Before Serve: what a client meets in the start-up window.
				early, err := net.DialTimeout("tcp", addr, 10*time.Second)
				if tc.rule {
					if !errors.Is(err, syscall.ECONNREFUSED) {
						if early != nil {
							early.Close()
						}
						t.Fatalf("dial before Serve with a refuse rule: %v, want connection refused (the socket must not listen yet)", err)
					}
					// Not said yet: run.go logs "listening" between Listen
					// and Serve, and a start-up that fails in between never
					// served, so neither goes down in the log or the counts.
					if n := logs.FilterMessageSnippet("listener down").Len(); n != 0 {
						t.Fatalf("%d listener down lines from Listen, want none before Serve", n)
					}
					if down, downs := srv.Down(); !down || downs != 0 {
						t.Fatalf("Down() = %t, %d before Serve, want true, 0", down, downs)
					}
					if fires := e.List()[0].Fires; fires != 0 {
						t.Fatalf("rule fires = %d before Serve, want 0", fires)
					}
				} else if err != nil {
					t.Fatalf("dial before Serve without a rule: %v, want the kernel to queue it", err)
				}

				done := make(chan error, 1)
				go func() { done <- srv.Serve(ln) }()
				t.Cleanup(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					_ = srv.Shutdown(ctx)
					if err := <-done; err != nil {
						t.Errorf("Serve: %v", err)
					}
				})
				if !tc.rule {
					// The queued client is served.
					_, _ = io.WriteString(early, "GET / HTTP/1.0\r\n\r\n")
					body, _ := io.ReadAll(early)
					early.Close()
					if !strings.Contains(string(body), "served by the backend") {
						t.Fatalf("the client queued before Serve got %q", body)
					}
					nextOutcome(t, out)
					return
				}
				waitLog(t, h, "listener down")
				assertRefused(t, addr)
				if down, downs := srv.Down(); !down || downs != 1 {
					t.Fatalf("Down() = %t, %d once serving, want true, 1 (Serve keeps it down, it does not go down again)", down, downs)
				}
				if n := logs.FilterMessageSnippet("listener down").Len(); n != 1 {
					t.Fatalf("%d listener down lines, want 1", n)
				}
				if fires := e.List()[0].Fires; fires != 1 {
					t.Fatalf("rule fires = %d, want 1", fires)
				}
				if err := e.Remove(rule.Name); err != nil {
					t.Fatal(err)
				}
				waitLog(t, h, "listener up")
				getOK(t, addr)
				nextOutcome(t, out)
				if ln.Addr().String() != srv.ln.Addr().String() {
					t.Fatalf("listener address changed: %s then %s", ln.Addr(), srv.ln.Addr())
				}
			})
		}
	}
}

// nextOutcome waits for a logged connection; the bound is a hang guard.
func nextOutcome(t *testing.T, out <-chan *explain.Outcome) {
	t.Helper()
	select {
	case <-out:
	case <-time.After(30 * time.Second):
		t.Fatal("no outcome reported")
	}
}

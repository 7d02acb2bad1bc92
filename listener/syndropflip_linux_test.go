//go:build linux

package listener

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestSynDropFlips: a syn_drop rule added and removed many times while
// clients dial the port in a loop, on every engine. No dial is ever
// refused (an RST: the port never stops listening as the rule starts or
// ends), each either connects or times out, and every one that connected
// is served: the backend's answer comes back, so no connection the kernel
// completed is lost in a flip. Each flip also waits for its down line and
// sees a dial time out, and for its up line and sees one served, by
// itself and by a dialer. Only
// error kinds are asserted; the dials' short timeout is how long a dropped
// SYN is waited for, not a claim about speed.
func TestSynDropFlips(t *testing.T) {
	needEpoll(t)
	backendAddr := servedBackend(t)
	const flips, dialers = 15, 3
	for _, engine := range testEngines {
		t.Run(string(engine), func(t *testing.T) {
			needEngine(t, engine)
			e := faults.NewEngine(nil)
			events := make(chan DownEvent, 4*flips)
			h, start := startListenerHeld(t, Options{Name: "web", Mode: Plaintext, Backend: backendAddr, Engine: engine},
				func(d *Deps) {
					d.Faults = e
					d.OnDown = func(ev DownEvent) { events <- ev }
				})
			// Every served dial is an outcome: read them all, until the
			// listener has shut down (cleanups run last-registered first).
			drained := make(chan struct{})
			t.Cleanup(func() { close(drained) })
			go func() {
				for {
					select {
					case <-h.out:
					case <-drained:
						return
					}
				}
			}()
			start()

			stop := make(chan struct{})
			var wg sync.WaitGroup
			var mu sync.Mutex
			var connected, timedOut int
			var bad []string
			served := make(chan struct{}, 1)
			for range dialers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						ok, err := dialServed(h.addr)
						mu.Lock()
						switch {
						case err != nil:
							bad = append(bad, err.Error())
						case ok:
							connected++
							select {
							case served <- struct{}{}:
							default:
							}
						default:
							timedOut++
						}
						mu.Unlock()
					}
				}()
			}
			rule := faults.Rule{Name: "flip", Action: faults.ActRefuse, Mode: faults.ModeSynDrop, Listener: "web"}
			for i := range flips {
				if err := e.Add(rule); err != nil {
					t.Fatal(err)
				}
				waitEvent(t, events, DownWent)
				assertDropped(t, h.addr)
				if err := e.Remove(rule.Name); err != nil {
					t.Fatal(err)
				}
				waitEvent(t, events, DownUp)
				if ok, err := dialServed(h.addr); err != nil || !ok {
					t.Fatalf("flip %d: dial after the rule ended: connected %t, %v", i, ok, err)
				}
				// The next flip waits for a dialer to be served too, so
				// the loop dials through both sides of every flip.
				select {
				case <-served:
				default:
				}
				select {
				case <-served:
				case <-time.After(20 * time.Second):
					t.Fatalf("flip %d: no dialer served after 20s", i)
				}
			}
			close(stop)
			wg.Wait()
			if len(bad) > 0 {
				t.Fatalf("%d of %d dials neither connected and were served nor timed out, first: %s",
					len(bad), len(bad)+connected+timedOut, bad[0])
			}
			if n := h.logs.FilterMessageSnippet("could not").Len(); n != 0 {
				t.Errorf("%d lines say a transition failed", n)
			}
			t.Logf("%d flips: %d dials connected and were served, %d timed out", flips, connected, timedOut)
		})
	}
}

// dialServed dials addr once: false and no error when the connect timed
// out (the SYN dropped), true when it connected and the backend's answer
// to a request came back, and an error for anything else (refused, reset,
// or a connection that connected and was never served).
func dialServed(addr string) (bool, error) {
	c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return false, fmt.Errorf("dial refused (an RST): %w", err)
	case errors.As(err, &ne) && ne.Timeout():
		return false, nil
	case err != nil:
		return false, fmt.Errorf("dial: %w", err)
	}
	defer c.Close()
	// The bound only stops a broken test from hanging.
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\nHost: flip\r\n\r\n"); err != nil {
		return false, fmt.Errorf("connected %s, write: %w", c.LocalAddr(), err)
	}
	b, err := io.ReadAll(c)
	if err != nil || !strings.Contains(string(b), "served by the backend") {
		return false, fmt.Errorf("connected %s, not served: %q, %v", c.LocalAddr(), b, err)
	}
	return true, nil
}

// waitEvent waits for the listener's next event of kind; others before it
// fail the test. The bound only stops a broken test from hanging.
func waitEvent(t *testing.T, events <-chan DownEvent, kind DownKind) {
	t.Helper()
	select {
	case ev := <-events:
		if ev.Kind != kind {
			t.Fatalf("event %s (%s), want %s", ev.Kind, ev.Reason, kind)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no %s event after 20s", kind)
	}
}

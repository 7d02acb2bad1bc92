//go:build linux

package fastpath

import (
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

// steppedULoop is an io_uring engine's loop run turn by turn by the test
// itself, on the test's thread (a deferred ring's only submitter), so the
// test chooses what the kernel has done before the loop acts.
func steppedULoop(t *testing.T, h Handler) (*uloop, string) {
	t.Helper()
	e, addr := uringEngine(t, h)
	l := e.uloops[0]
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	t.Cleanup(l.close)
	if err := l.r.enable(); err != nil {
		t.Fatal(err)
	}
	l.armAccepts()
	l.armWake()
	return l, addr
}

// uturn is one turn of uloop.run, without its sweep: submit what is
// queued, wait a little for a completion if none is ready, and handle
// what came.
func uturn(t *testing.T, l *uloop) {
	t.Helper()
	var err error
	if l.r.ready() {
		_, err = l.r.submit()
	} else {
		_, err = l.r.wait(20*time.Millisecond, false)
	}
	if err != nil {
		t.Fatal(err)
	}
	l.now = l.e.cfg.Now()
	l.r.reap(l.complete)
	l.report()
	if l.fail != nil {
		t.Fatal(l.fail)
	}
}

// uturnsUntil runs turns until cond holds, or fails the test naming what
// after a generous deadline.
func uturnsUntil(t *testing.T, l *uloop, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); uturn(t, l) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 10s", what)
		}
	}
}

// TestUringHandoffKeepsBytesOfRecvBeforeCancel: a peek deadline hands a
// client off while the loop's recv on its socket is out. The cancel may
// come too late: the recv completed with bytes (its completion posted,
// not yet reaped). Those bytes travel with the hand-off in Consumed,
// after the ones peeked before; the rest of the stream is the handed
// conn's. Whichever way the race goes, the handler sees the client's
// bytes once each, in order. The test holds the loop between turns to
// choose the order.
func TestUringHandoffKeepsBytesOfRecvBeforeCancel(t *testing.T) {
	for _, tc := range []struct {
		name         string
		recvFirst    bool   // the recv completes with "second" before the loop hands off
		wantConsumed string // what the hand-off carries
	}{
		{"recv completed first", true, "firstsecond"},
		{"cancel first", false, "first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestHandler(echoBackend(t))
			h.waitFor = 64 // Wait, and Wait again: the peek goes on
			l, addr := steppedULoop(t, h)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
			if _, err := c.Write([]byte("first")); err != nil {
				t.Fatal(err)
			}
			var u *uconn
			uturnsUntil(t, l, "peek of the first bytes, with the next recv submitted", func() bool {
				for v := range l.live {
					u = v
				}
				return u != nil && u.n[0] == 5 && l.slots.inflight(u.slot) == 1 && l.r.queued == 0
			})
			if _, err := c.Write([]byte("second")); err != nil {
				t.Fatal(err)
			}
			if tc.recvFirst {
				// Let the kernel post the recv's completion; the loop
				// handles nothing yet.
				for deadline := time.Now().Add(10 * time.Second); !l.r.ready(); {
					if time.Now().After(deadline) {
						t.Fatal("the recv of the second bytes did not complete in 10s")
					}
					if _, err := l.r.wait(20*time.Millisecond, false); err != nil {
						t.Fatal(err)
					}
				}
				q := l.r.cqes[*l.r.cqHead&l.r.cqMask]
				if uint32(q.userData>>32) != u.slot || uint8(q.userData) != kRecv0 || q.res != 6 {
					t.Fatalf("first completion ready: user_data %#x, res %d; want the client's recv of 6 bytes", q.userData, q.res)
				}
			}
			l.sweep(u.deadline) // the peek deadline: hand off
			if u.phase != done || !u.handing {
				t.Fatalf("the sweep at the peek deadline left phase %d, handing %v", u.phase, u.handing)
			}
			var hd handed
			uturnsUntil(t, l, "hand-off", func() bool {
				select {
				case hd = <-h.handed:
					return true
				case err := <-h.handErr:
					t.Fatalf("hand-off failed: %v", err)
				default:
				}
				return false
			})
			defer hd.Close()
			if string(hd.consumed) != tc.wantConsumed || hd.readErr != nil {
				t.Errorf("Consumed %q (read error %v), want %q", hd.consumed, hd.readErr, tc.wantConsumed)
			}
			if _, err := c.Write([]byte("third")); err != nil {
				t.Fatal(err)
			}
			_ = c.(*net.TCPConn).CloseWrite()
			_ = hd.SetDeadline(time.Now().Add(10 * time.Second))
			rest, err := io.ReadAll(hd)
			if err != nil {
				t.Fatalf("reading the handed conn: %v (after %q)", err, rest)
			}
			if got := string(hd.consumed) + string(rest); got != "firstsecondthird" {
				t.Errorf("the handler saw %q (Consumed %q, then %q), want the client's %q once each", got, hd.consumed, rest, "firstsecondthird")
			}
			if l.draining != 0 || len(l.live) != 0 {
				t.Errorf("after the hand-off: %d draining, %d live; want none", l.draining, len(l.live))
			}
		})
	}
}
